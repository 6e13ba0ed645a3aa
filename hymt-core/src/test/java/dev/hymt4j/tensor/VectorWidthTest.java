package dev.hymt4j.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The register-count override of the tile choice. */
class VectorWidthTest {
    @Test
    void registersAreSixteenOrThirtyTwoAndAnythingElseSaysWhatIsExpected() {
        assertEquals(16, VectorWidth.registers("16"));
        assertEquals(32, VectorWidth.registers(" 32 "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VectorWidth.registers("24"));
        assertEquals("hymt.vector.registers must be 16 or 32, got '24'", e.getMessage());
    }
}
