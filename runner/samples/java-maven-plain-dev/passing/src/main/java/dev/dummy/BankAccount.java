package dev.dummy;

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
    }

    public long getBalance() {
        return balance;
    }
}
