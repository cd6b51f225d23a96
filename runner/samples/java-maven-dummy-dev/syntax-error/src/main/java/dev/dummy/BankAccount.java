package dev.dummy;

// Does not compile: a missing semicolon.
public class BankAccount {
    private long balance;

    public void deposit(long amount) {
        balance += amount
    }

    public void withdraw(long amount) {
        balance -= amount;
    }

    public long getBalance() {
        return balance;
    }
}
