package dev.hymt4j.generate;

import dev.hymt4j.model.ForwardOptions;
import dev.hymt4j.model.ForwardResult;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.KvCache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Autoregressive generation with the KV cache: one forward pass over the prompts, then one pass per new
 * token. Several prompts run as one batch, left-padded to a common length so every row's last position is
 * its real last token; a finished row is fed masked padding until the whole batch is done.
 *
 * <p>The repetition penalty sees the real tokens of a row only, not its padding (transformers would also
 * penalize the pad id in a padded batch), so a prompt generates the same tokens alone or in a batch.
 */
public final class Generator {
    private final HunyuanModel model;

    public Generator(HunyuanModel model) {
        this.model = model;
    }

    public GenerationResult generate(int[] prompt, GenerationConfig config, TokenListener listener) {
        return generate(List.of(prompt), config, listener).getFirst();
    }

    /** Generates for every prompt; each row's sampler is split in order from one seeded generator. */
    public List<GenerationResult> generate(List<int[]> prompts, GenerationConfig config, TokenListener listener) {
        int rows = prompts.size();
        if (rows == 0) throw new IllegalArgumentException("no prompts");
        int longest = 0;
        for (int[] p : prompts) {
            if (p.length == 0) throw new IllegalArgumentException("empty prompt: need at least one token");
            longest = Math.max(longest, p.length);
        }
        GenerationLimits.check(model.config(), rows, longest, config.maxNewTokens());
        int pad = Math.max(model.config().padTokenId(), 0);
        int[][] ids = new int[rows][longest], mask = new int[rows][longest];
        TokenChooser[] choosers = new TokenChooser[rows];
        BitSet[] seen = new BitSet[rows];
        SplittableRandom seeds = new SplittableRandom(config.seed());
        for (int b = 0; b < rows; b++) {
            int[] p = prompts.get(b);
            int offset = longest - p.length;
            Arrays.fill(ids[b], 0, offset, pad);
            System.arraycopy(p, 0, ids[b], offset, p.length);
            Arrays.fill(mask[b], offset, longest, 1);
            choosers[b] = new TokenChooser(config, seeds.split());
            seen[b] = new BitSet();
            for (int id : p) seen[b].set(id);
        }

        List<List<Integer>> generated = new ArrayList<>();
        for (int b = 0; b < rows; b++) generated.add(new ArrayList<>());
        FinishReason[] finished = new FinishReason[rows];
        if (config.maxNewTokens() == 0) Arrays.fill(finished, FinishReason.MAX_NEW_TOKENS);

        long start = System.nanoTime();
        KvCache cache = model.newCache(rows, (int) Math.min((long) longest + config.maxNewTokens(), Integer.MAX_VALUE));
        ForwardResult step = config.maxNewTokens() == 0 ? null : model.forward(ids, mask, cache, ForwardOptions.LAST_LOGITS);
        long prefillEnd = System.nanoTime();
        int[][] next = new int[rows][1], nextMask = new int[rows][1];
        while (step != null) {
            int running = 0;
            for (int b = 0; b < rows; b++) {
                if (finished[b] != null) {
                    next[b][0] = pad;
                    nextMask[b][0] = 0;
                    continue;
                }
                float[] logits = step.logits(b, 0);
                FiniteLogits.require(logits, generated.get(b).size(), b, model.weights());
                int token = choosers[b].next(logits, seen[b]);
                seen[b].set(token);
                generated.get(b).add(token);
                listener.onToken(b, token);
                if (config.stopTokenIds().contains(token)) finished[b] = FinishReason.STOP_TOKEN;
                else if (generated.get(b).size() == config.maxNewTokens()) finished[b] = FinishReason.MAX_NEW_TOKENS;
                else running++;
                next[b][0] = token;
                nextMask[b][0] = 1;
            }
            step = running == 0 ? null : model.forward(next, nextMask, cache, ForwardOptions.LAST_LOGITS);
        }
        long end = System.nanoTime();

        List<GenerationResult> results = new ArrayList<>();
        for (int b = 0; b < rows; b++) {
            int[] out = generated.get(b).stream().mapToInt(Integer::intValue).toArray();
            results.add(new GenerationResult(prompts.get(b).clone(), out, finished[b], prefillEnd - start, end - prefillEnd));
        }
        return results;
    }
}
