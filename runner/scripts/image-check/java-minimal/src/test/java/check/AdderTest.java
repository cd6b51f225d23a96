package check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AdderTest {
    @Test
    void addsTwoNumbers() {
        assertEquals(5, Adder.add(2, 3));
    }
}
