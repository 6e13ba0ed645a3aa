package dev.hymt4j.onednn;

import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.testing.TinyModels;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The start-up choice of the training backend and of AMX. */
class TrainingBackendTest {
    static final ModelWeights HEAP_WEIGHTS = TinyModels.random(TinyModels.config(40, 16, 1, 2, 1, 8, 24, true, true), 1);

    @Test
    void namesParseInAnyCaseAndAnUnknownOneSaysWhatIsExpected() {
        assertEquals(TrainingBackend.JAVA, TrainingBackend.parse("java"));
        assertEquals(TrainingBackend.ONEDNN, TrainingBackend.parse("OneDNN"));
        assertEquals(TrainingBackend.AUTO, TrainingBackend.parse(" auto "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingBackend.parse("cuda"));
        assertEquals("unknown backend 'cuda' (expected java, onednn or auto)", e.getMessage());
    }

    @Test
    void javaKeepsTheWeights() {
        TrainingBackend.Choice c = TrainingBackend.JAVA.choose(HEAP_WEIGHTS);
        assertEquals(TrainingBackend.JAVA, c.backend());
        assertSame(HEAP_WEIGHTS, c.weights());
        assertEquals("training backend: java (exact FP32 Vector API kernels)", c.line());
    }

    @Test
    void onednnFallsBackToJavaInOneLineWhereNothingCanRunInIt() {
        // Heap matrices (not a mapped checkpoint): nothing to hand to oneDNN, whether or not it loads here.
        TrainingBackend.Choice c = TrainingBackend.ONEDNN.choose(HEAP_WEIGHTS);
        assertEquals(TrainingBackend.JAVA, c.backend());
        assertSame(HEAP_WEIGHTS, c.weights());
        assertTrue(c.line().startsWith("training backend: "), c.line());
        assertFalse(c.line().contains("\n"), c.line());
        String expected = OneDnn.get().isPresent() ? "no frozen matrix is BF16 or F32 in native memory" : "oneDNN cannot load here";
        assertTrue(c.line().contains(expected), c.line());
    }

    @Test
    void autoTakesOneDnnOnlyAtOnePointThreeTimesTheJavaSpeed() {
        assertTrue(new Calibration("up", 13.0, 10.0).onednnWins());
        assertFalse(new Calibration("up", 12.9, 10.0).onednnWins());
        assertEquals("measured one 128-token product of layer 0's up projection (8 × 4): java 26.00 ms, oneDNN 10.00 ms, 2.60× ≥ 1.3×",
                new Calibration("up projection (8 × 4)", 26.0, 10.0).toString());
        assertEquals("measured one 128-token product of layer 0's q: java 11.00 ms, oneDNN 10.00 ms, 1.10× < 1.3×",
                new Calibration("q", 11.0, 10.0).toString());
    }

    /** On a mapped checkpoint AUTO measures here (or takes AMX, or says why oneDNN cannot load) and names its reason. */
    @Test
    void autoOnAMappedCheckpointSaysWhatItMeasured() throws Exception {
        try (dev.hymt4j.model.Checkpoint base = dev.hymt4j.model.Checkpoint.open(dev.hymt4j.testing.TestData.path("golden/tiny-lora-base"))) {
            ModelWeights weights = ModelWeights.load(base);
            TrainingBackend.Choice c = TrainingBackend.AUTO.choose(weights);
            System.out.println(c.line());
            assertTrue(c.line().startsWith("training backend: auto → " + c.backend().configName()), c.line());
            if (OneDnn.get().isEmpty()) {
                assertTrue(c.line().contains("oneDNN cannot load here"), c.line());
            } else if (!OneDnn.get().get().amx()) {
                assertTrue(c.line().contains("measured one 128-token product of layer 0's "), c.line());
                assertEquals(c.line().contains(" ≥ 1.3×"), c.backend() == TrainingBackend.ONEDNN, c.line());
            }
        }
    }

    @Test
    void amxIsAllowedOnlyWhereForcedOrWhereTheProbePasses() {
        java.util.function.Supplier<AmxProbe.Result> mustNotRun = () -> {
            throw new AssertionError("probe must not run");
        };
        assertFalse(OneDnn.AmxDecision.make("false", true, mustNotRun).allowed());
        assertTrue(OneDnn.AmxDecision.make("true", true, mustNotRun).allowed());
        assertFalse(OneDnn.AmxDecision.make(null, false, mustNotRun).allowed());
        OneDnn.AmxDecision passed = OneDnn.AmxDecision.make(null, true, () -> new AmxProbe.Result(true, "brg_matmul:amx"));
        assertTrue(passed.allowed());
        assertTrue(passed.reason().contains("probe passed in a child JVM (brg_matmul:amx)"), passed.reason());
        OneDnn.AmxDecision trapped = OneDnn.AmxDecision.make(null, true, () -> new AmxProbe.Result(false, "killed by signal 4 (SIGILL: AMX traps here)"));
        assertFalse(trapped.allowed());
        assertTrue(trapped.reason().contains("SIGILL"), trapped.reason());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OneDnn.AmxDecision.make("yes", true, mustNotRun));
        assertEquals("-Dhymt.onednn.amx must be true or false, got 'yes'", e.getMessage());
    }

    /** The probe itself runs in a child JVM and answers, whatever this host does with AMX; a trap there is a "no". */
    @Test
    void theChildProbeAnswersWithoutHarmingThisJvm() {
        AmxProbe.Result r = AmxProbe.run();
        System.out.println("AMX probe on this host: " + (r.passed() ? "passed" : "failed") + " (" + r.detail() + ")");
        assertFalse(r.detail().isBlank());
        if (!OneDnn.cpuidHasAmx()) assertFalse(r.passed(), "no AMX in cpuid, yet the probe passed: " + r.detail());
    }
}
