package dev.hymt4j.cli;

import dev.hymt4j.gptq.GptqOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options of {@code hymt quantize --method gptq|rtn} (kept apart from the GGUF types' options). */
final class GptqQuantizeOptions {
    @Bounds(min = 2, max = 8)
    @Option(names = "--bits", defaultValue = "4", description = "Bits per weight: 4 (default), 2 or 8.")
    int bits;

    @Bounds(min = -1, max = 4096)
    @Option(names = "--group-size", defaultValue = "128", paramLabel = "N",
            description = "Input columns per scale/zero group: a power of two from 16 to 4096, or -1 for one group per row "
                    + "(default ${DEFAULT-VALUE}).")
    int groupSize;

    @Option(names = "--sym", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Symmetric zero points (default; what fast kernels and Tencent's release use).")
    boolean sym;

    @Option(names = "--asym", description = "Asymmetric zero points (v1 checkpoints keep zero >= 1).")
    boolean asym;

    @Option(names = "--desc-act", description = "Act-order: quantize columns by decreasing Hessian diagonal (writes g_idx).")
    boolean descAct;

    @Option(names = "--static-groups", description = "Fit every group's scale before any update (no g_idx needed with --desc-act).")
    boolean staticGroups;

    @Bounds(min = 0, minExclusive = true, max = 1)
    @Option(names = "--damp", defaultValue = "0.01", description = "Dampening, a fraction of the mean Hessian diagonal (default ${DEFAULT-VALUE}).")
    double damp;

    @Option(names = "--checkpoint-format", defaultValue = "gptq", paramLabel = "gptq|gptq_v2",
            description = "gptq (v1, stores zero - 1; what loaders expect) or gptq_v2 (GPTQModel's true zeros).")
    String checkpointFormat;

    @Reads(Reads.Kind.FILE)
    @Option(names = "--calibration", paramLabel = "FILE",
            description = "Calibration text: JSONL/TSV/sharegpt pairs (e.g. your training data) or a .txt file of lines, rendered "
                    + "with the translation prompts (default: the shipped LibreOffice help en-zh sample).")
    Path calibration;

    @Bounds(min = 1)
    @Option(names = "--samples", defaultValue = "128", description = "Calibration sequences (default ${DEFAULT-VALUE}).")
    int samples;

    @Bounds(min = 1)
    @Option(names = "--seq-len", defaultValue = "512", description = "Tokens per calibration sequence (default ${DEFAULT-VALUE}).")
    int seqLen;

    @Option(names = "--compare-rtn", description = "Also report round-to-nearest's error on each layer (slower).")
    boolean compareRtn;

    GptqOptions options() {
        if (!checkpointFormat.equals("gptq") && !checkpointFormat.equals("gptq_v2")) {
            throw new IllegalArgumentException("--checkpoint-format " + checkpointFormat + ": expected gptq or gptq_v2");
        }
        if (asym && !sym) throw new IllegalArgumentException("give --asym or --no-sym, not both");
        try {
            return GptqOptions.DEFAULT.withBits(bits).withGroupSize(groupSize).withSym(sym && !asym).withActOrder(descAct)
                    .withStaticGroups(staticGroups).withDamp(damp).withV2(checkpointFormat.equals("gptq_v2"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(optionName(e.getMessage()) + e.getMessage());
        }
    }

    /** Which option a validation message is about, so the user sees e.g. "--bits 3: ...". */
    private String optionName(String message) {
        if (message.contains("bits")) return "--bits " + bits + ": ";
        if (message.contains("group size") || message.contains("static groups")) return "--group-size " + groupSize + ": ";
        if (message.contains("damp")) return "--damp " + damp + ": ";
        return "";
    }
}
