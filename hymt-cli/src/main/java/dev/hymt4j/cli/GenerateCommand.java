package dev.hymt4j.cli;

import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.generate.GenerationResult;
import dev.hymt4j.generate.Generator;
import dev.hymt4j.generate.StopTokens;
import dev.hymt4j.generate.TokenListener;
import dev.hymt4j.model.HunyuanModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code hymt generate}: continues a prompt given as token ids; the last stdout line is prompt + new ids. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate token ids from a prompt of token ids (greedy or sampled).")
public final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Bounds(min = 0)
    @Option(names = "--ids", required = true, split = ",", paramLabel = "ID[,ID...]", description = "Prompt token ids.")
    int[] ids;

    @Bounds(min = 0)
    @Option(names = "--max-new-tokens", defaultValue = "64", description = "At most this many new tokens (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--greedy", description = "Take the most probable token (default: sample).")
    boolean greedy;

    @Bounds(min = 0, minExclusive = true, max = 100)
    @Option(names = "--temperature", defaultValue = "0.7", description = "Sampling temperature (default ${DEFAULT-VALUE}).")
    float temperature;

    @Bounds(min = 0)
    @Option(names = "--top-k", defaultValue = "20", description = "Keep the k most probable tokens, 0 = all (default ${DEFAULT-VALUE}).")
    int topK;

    @Bounds(min = 0, minExclusive = true, max = 1)
    @Option(names = "--top-p", defaultValue = "0.6", description = "Nucleus probability mass, 1 = off (default ${DEFAULT-VALUE}).")
    float topP;

    @Bounds(min = 0, minExclusive = true, max = 100)
    @Option(names = "--repetition-penalty", defaultValue = "1.0",
            description = "Penalty on ids already in the sequence, 1 = off (HY-MT recommends 1.05; default ${DEFAULT-VALUE}).")
    float repetitionPenalty;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Bounds(min = 0)
    @Option(names = "--stop-ids", split = ",", paramLabel = "ID[,ID...]",
            description = "Stop after any of these ids (default: eos_token_id of config.json and generation_config.json).")
    int[] stopIds;

    @Override
    public Integer call() throws Exception {
        modelOptions.applyThreads();
        PrintWriter out = spec.commandLine().getOut();
        try (HunyuanModel model = HunyuanModel.load(modelOptions.dir())) {
            ModelOptions.requireTokenIds(spec, "--ids", ids, model.config().vocabSize());
            GenerationConfig config = GenerationConfig.builder()
                    .maxNewTokens(maxNewTokens).sample(!greedy).temperature(temperature).topK(topK).topP(topP)
                    .repetitionPenalty(repetitionPenalty).seed(seed)
                    .stopTokenIds(stopIds != null ? Arrays.stream(stopIds).boxed().collect(Collectors.toSet())
                            : StopTokens.ofModel(modelOptions.dir(), model.config()))
                    .build();
            GenerationResult r = new Generator(model).generate(ids, config, TokenListener.NONE);
            out.printf("prompt %d tokens, generated %d (%s); prefill %.1f tok/s, decode %.1f tok/s%n",
                    r.promptTokens(), r.generatedTokens(), r.finishReason().name().toLowerCase(),
                    r.prefillTokensPerSecond(), r.decodeTokensPerSecond());
            out.println(GenerationResult.join(r.allIds()));
        }
        return 0;
    }
}
