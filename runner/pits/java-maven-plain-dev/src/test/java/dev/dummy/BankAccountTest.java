package dev.dummy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

// Instructor's tests for the dummy Java PIT: the student submits src/main/java/dev/dummy/BankAccount.java.
class BankAccountTest {
    @Test
    void depositIncreasesBalance() {
        BankAccount account = new BankAccount();
        account.deposit(30);
        assertEquals(30, account.getBalance(), "balance after depositing 30");
    }

    @Test
    void withdrawDecreasesBalance() {
        BankAccount account = new BankAccount();
        account.deposit(50);
        account.withdraw(20);
        assertEquals(30, account.getBalance(), "balance after depositing 50 and withdrawing 20");
    }

    @Test
    void withdrawMoreThanBalanceIsRejected() {
        BankAccount account = new BankAccount();
        account.deposit(10);
        assertThrows(IllegalArgumentException.class, () -> account.withdraw(20));
    }
}
