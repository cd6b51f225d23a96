package dev.dummy;

// A submission that ends the JVM from inside the code under test: the grade must count the tests that did not finish.
public class BankAccount {
    private long balance;

    public void deposit(long amount) {
        balance += amount;
    }

    public void withdraw(long amount) {
        if (amount > balance) {
            throw new IllegalArgumentException("insufficient funds");
        }
        balance -= amount;
        System.exit(0);
    }

    public long getBalance() {
        return balance;
    }
}
