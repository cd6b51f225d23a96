package dev.dummy;

// withdraw adds instead of subtracting and never checks the balance: 1 of 3 tests pass.
public class BankAccount {
    private long balance;

    public void deposit(long amount) {
        balance += amount;
    }

    public void withdraw(long amount) {
        balance += amount;
    }

    public long getBalance() {
        return balance;
    }
}
