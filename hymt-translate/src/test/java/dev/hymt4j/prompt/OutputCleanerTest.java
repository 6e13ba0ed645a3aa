package dev.hymt4j.prompt;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OutputCleanerTest {

    @Test
    void plainOutputIsTrimmed() {
        assertEquals("Bonjour le monde.", OutputCleaner.clean("  Bonjour le monde.\n", false));
        assertEquals("<target>x</target>", OutputCleaner.clean("<target>x</target>\n", false));
    }

    @Test
    void formattedOutputLosesTheTargetWrapper() {
        assertEquals("<s1>你好</s1>，世界", OutputCleaner.clean("\n<target> <s1>你好</s1>，世界 </target>\n", true));
    }

    @Test
    void formattedOutputCutBeforeTheClosingTagKeepsTheText() {
        assertEquals("你好", OutputCleaner.clean("<target>你好", true));
    }

    @Test
    void formattedOutputWithoutWrapperIsKept() {
        assertEquals("你好", OutputCleaner.clean(" 你好 ", true));
    }
}
