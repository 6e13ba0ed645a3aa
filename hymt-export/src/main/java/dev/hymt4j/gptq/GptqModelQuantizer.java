package dev.hymt4j.gptq;

import dev.hymt4j.kv.BlockTable;
import dev.hymt4j.kv.PagedKvCache;
import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.LayerWeights;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelException;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.model.StepBatch;
import dev.hymt4j.quant.GptqConfig;
import dev.hymt4j.tensor.Matrix;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * GPTQ of a whole HunYuan model, layer by layer (formats spec §4.1): the calibration sequences' hidden states go
 * through decoder layer 0, 1, …; inside a layer the linears are quantized in AutoGPTQ's true-sequential groups
 * ({@code [k, v, q]}, {@code [o]}, {@code [up, gate]}, {@code [down]}), each group calibrated on inputs produced
 * by the already-quantized groups before it; the quantized layer then produces the next layer's inputs.
 * Embeddings, norms and the LM head stay as they are.
 *
 * <p>Each pass runs the engine's own forward over a one-layer model ({@link LayerProbes}). A pass keeps the
 * inputs the next group's pass starts from (o's inputs, the MLP's normed input) and replays them, so a linear
 * runs only where its output is needed: a layer costs about one and a half forwards (the reference runs five).
 * Memory: the weights stay mapped; the heap holds the calibration hidden states (samples × seqLen × hidden
 * floats), at most two kept inputs of the same size, one Hessian per group, and the packed output of the
 * current layer (earlier ones are in the writer's mapped scratch file).
 */
public final class GptqModelQuantizer {
    public enum Method { GPTQ, RTN }

    /** One layer's result: relative output error per linear (and RTN's on the same Hessian, if asked). */
    public record LayerReport(int layer, Map<String, Double> errors, Map<String, Double> rtnErrors, double seconds) {
        public double meanError() {
            return errors.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
        }

        public double meanRtnError() {
            return rtnErrors == null ? Double.NaN : rtnErrors.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
        }
    }

    public record Report(List<LayerReport> layers, long calibrationTokens, double seconds) {}

    private final Method method;
    private final GptqOptions options;
    private final boolean compareRtn;

    /** @param compareRtn also measure round-to-nearest on each linear's Hessian (reported, not written) */
    public GptqModelQuantizer(Method method, GptqOptions options, boolean compareRtn) {
        this.method = method;
        this.options = options;
        this.compareRtn = compareRtn;
    }

    /**
     * Quantizes the model in {@code modelDir} on {@code calibration} (token id sequences) and writes a GPTQ
     * checkpoint to {@code outDir}; {@code onLayer} hears about each finished layer.
     */
    public Report run(Path modelDir, int[][] calibration, String calibrationName, Path outDir, Consumer<LayerReport> onLayer)
            throws IOException {
        long started = System.nanoTime();
        try (Checkpoint ckpt = Checkpoint.open(modelDir)) {
            if (GptqConfig.find(modelDir) != null) {
                throw new ModelException(modelDir + ": already quantized (config.json has a quantization_config); quantize the "
                        + "float model");
            }
            ModelConfig c = ckpt.config();
            if (ckpt.has(ModelWeights.layerPrefix(0) + "mlp.gate_and_up_proj.weight")) {
                throw new ModelException(modelDir + ": fused mlp.gate_and_up_proj weights are not supported by GPTQ export "
                        + "(HF GPTQ loaders expect separate gate_proj and up_proj)");
            }
            ModelWeights weights = ModelWeights.load(ckpt);
            Map<String, int[]> plan = new LinkedHashMap<>();
            for (int l = 0; l < c.numLayers(); l++) {
                for (List<String> group : GptqCheckpointWriter.SEQUENTIAL_GROUPS) {
                    for (String linear : group) {
                        Matrix m = linear(weights.layers()[l], linear);
                        plan.put(ModelWeights.layerPrefix(l) + linear, new int[]{m.rows(), m.cols()});
                    }
                }
            }
            long tokens = 0;
            float[][] hidden = new float[calibration.length][];
            for (int s = 0; s < calibration.length; s++) {
                int[] ids = calibration[s];
                for (int id : ids) {
                    if (id < 0 || id >= c.vocabSize()) throw new IllegalArgumentException("calibration token id " + id + " outside the vocabulary");
                }
                hidden[s] = new float[ids.length * c.hiddenSize()];
                for (int t = 0; t < ids.length; t++) weights.embedding().readRow(ids[t], hidden[s], t * c.hiddenSize());
                tokens += ids.length;
            }
            List<LayerReport> reports = new java.util.ArrayList<>();
            try (GptqCheckpointWriter writer = new GptqCheckpointWriter(ckpt, outDir, options, plan)) {
                for (int l = 0; l < c.numLayers(); l++) {
                    long layerStart = System.nanoTime();
                    LayerReport r = quantizeLayer(c, weights, l, hidden, writer);
                    r = new LayerReport(l, r.errors(), r.rtnErrors(), (System.nanoTime() - layerStart) / 1e9);
                    reports.add(r);
                    onLayer.accept(r);
                }
                writer.write(calibrationName, calibration.length, calibration.length == 0 ? 0 : calibration[0].length);
            }
            return new Report(reports, tokens, (System.nanoTime() - started) / 1e9);
        }
    }

    /** One layer through its four groups; replaces {@code hidden} by the quantized layer's outputs. */
    private LayerReport quantizeLayer(ModelConfig c, ModelWeights weights, int l, float[][] hidden, GptqCheckpointWriter writer) {
        LayerWeights original = weights.layers()[l];
        if (method == Method.RTN && !compareRtn) {
            // Round-to-nearest needs no calibration: no forward passes, no error measure.
            Map<String, Double> none = new LinkedHashMap<>();
            for (List<String> group : GptqCheckpointWriter.SEQUENTIAL_GROUPS) {
                for (String name : group) {
                    writer.store(ModelWeights.layerPrefix(l) + name, Gptq.roundToNearest(linear(original, name), null, options));
                    none.put(name, Double.NaN);
                }
            }
            return new LayerReport(l, none, null, 0);
        }
        CalibrationRunner runner = new CalibrationRunner(c, weights);
        Map<String, Matrix> quantized = new LinkedHashMap<>();
        Map<String, Double> errors = new LinkedHashMap<>(), rtnErrors = compareRtn ? new LinkedHashMap<>() : null;
        List<List<String>> groups = GptqCheckpointWriter.SEQUENTIAL_GROUPS;
        String o = "self_attn.o_proj", gate = "mlp.gate_proj", up = "mlp.up_proj", down = "mlp.down_proj";
        // Kept from one pass for the next, per calibration sequence: o's inputs (attention over the quantized q, k,
        // v) and the MLP's normed input; the attention branch is added into the hidden states as soon as o's
        // output is known (the layer output is (x + attention branch) + MLP branch, the engine's order).
        List<float[]> attention = new ArrayList<>(), mlpInput = new ArrayList<>(), branch = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            List<String> group = groups.get(g);
            Matrix first = linear(original, group.get(0));
            HessianAccumulator acc = new HessianAccumulator(first.cols());
            // Every linear is skipped unless this pass needs it: the group's first captures its inputs, and the
            // quantized linears between the kept inputs and this group compute. So a layer costs about one and a
            // half forwards (gate and up run twice) instead of three.
            Map<String, Matrix> view = skippedLinears(original);
            switch (g) {
                case 0 -> view.put(group.get(0), LayerProbes.capturing(first, acc, null));
                case 1 -> {
                    for (String linear : groups.get(0)) view.put(linear, quantized.get(linear));
                    view.put(o, LayerProbes.capturing(first, acc, attention));
                }
                case 2 -> {
                    view.put(o, LayerProbes.replaying(quantized.get(o), attention, branch));
                    view.put(group.get(0), LayerProbes.capturing(first, acc, mlpInput));
                }
                default -> {
                    view.put(gate, LayerProbes.replaying(quantized.get(gate), mlpInput, null));
                    view.put(up, LayerProbes.replaying(quantized.get(up), mlpInput, null));
                    view.put(down, LayerProbes.capturing(first, acc, null));
                }
            }
            runner.run(with(original, view), hidden);
            if (acc.tokens() != tokens(c, hidden)) {
                throw new IllegalStateException("layer " + l + " " + group.get(0) + ": captured " + acc.tokens() + " of " + tokens(c, hidden)
                        + " calibration tokens (the forward pass bypassed Matrix.matmul)");
            }
            if (g == 2) {
                attention.clear();
                for (int s = 0; s < hidden.length; s++) {
                    float[] x = hidden[s], b = branch.get(s), h1 = new float[x.length];
                    for (int i = 0; i < x.length; i++) h1[i] = x[i] + b[i];
                    hidden[s] = h1;
                }
                branch.clear();
            }
            double[] h = acc.hessian();
            double[] pristine = compareRtn && method == Method.GPTQ ? h.clone() : null;
            for (int i = 0; i < group.size(); i++) {
                String name = group.get(i);
                Matrix w = linear(original, name);
                boolean last = i == group.size() - 1;
                Gptq.Result r = method == Method.GPTQ ? Gptq.quantize(w, last ? h : h.clone(), options, false)
                        : Gptq.roundToNearest(w, h, options);
                errors.put(name, r.error());
                if (pristine != null) rtnErrors.put(name, Gptq.roundToNearest(w, pristine, options).error());
                else if (rtnErrors != null) rtnErrors.put(name, r.error());
                quantized.put(name, writer.store(ModelWeights.layerPrefix(l) + name, r));
            }
        }
        // The quantized layer's outputs: (x + attention branch), now in hidden, + the quantized MLP on the kept input.
        Map<String, Matrix> view = skippedLinears(original);
        List<float[]> mlp = new ArrayList<>();
        view.put(gate, LayerProbes.replaying(quantized.get(gate), mlpInput, null));
        view.put(up, LayerProbes.replaying(quantized.get(up), mlpInput, null));
        view.put(down, LayerProbes.recording(quantized.get(down), mlp));
        runner.run(with(original, view), hidden);
        for (int s = 0; s < hidden.length; s++) {
            float[] h1 = hidden[s], m = mlp.get(s);
            for (int i = 0; i < h1.length; i++) h1[i] += m[i];
        }
        return new LayerReport(l, errors, rtnErrors, 0);
    }

    /** Every linear of {@code w} as a skipped stand-in (zeros, no work). */
    private static Map<String, Matrix> skippedLinears(LayerWeights w) {
        Map<String, Matrix> view = new LinkedHashMap<>();
        for (List<String> group : GptqCheckpointWriter.SEQUENTIAL_GROUPS) {
            for (String linear : group) {
                Matrix m = linear(w, linear);
                view.put(linear, LayerProbes.skipped(m.rows(), m.cols()));
            }
        }
        return view;
    }

    private static long tokens(ModelConfig c, float[][] hidden) {
        long tokens = 0;
        for (float[] x : hidden) tokens += x.length / c.hiddenSize();
        return tokens;
    }

    /**
     * Runs one decoder layer over calibration sequences through the engine's step forward (positions 0..T−1, no
     * logits), with one one-layer config, step batch and KV cache per sequence length for the whole layer: the
     * engine's step workspace (~75 MB at 512 tokens of the 1.8B shape) is made once, not once per sequence and
     * pass, so the heap holds what the quantizer keeps rather than garbage.
     */
    private static final class CalibrationRunner {
        private final ModelConfig c;
        private final float[] finalNorm;
        private final Map<Integer, Length> lengths = new HashMap<>();

        /** What sequences of one length share. */
        private record Length(ModelConfig config, LayerProbes.HiddenStates states, PagedKvCache cache, BlockTable table, StepBatch batch,
                              int[] ids) {}

        CalibrationRunner(ModelConfig c, ModelWeights weights) {
            this.c = c;
            this.finalNorm = weights.finalNorm();
        }

        /** One pass of {@code layer} over every sequence of {@code hidden}. */
        void run(LayerWeights layer, float[][] hidden) {
            Map<Integer, HunyuanModel> models = new HashMap<>();
            for (float[] x : hidden) {
                int tokens = x.length / c.hiddenSize();
                Length s = lengths.computeIfAbsent(tokens, this::length);
                HunyuanModel model = models.computeIfAbsent(tokens, t -> new HunyuanModel(new ModelWeights(s.config(), s.states(),
                        new LayerWeights[]{layer}, finalNorm, LayerProbes.skipped(t, c.hiddenSize()))));
                s.states().set(x);
                s.batch().clear();
                s.batch().add(s.ids(), 0, tokens, 0, s.table(), StepBatch.Logits.NONE, null);
                model.forward(s.batch(), s.cache());
            }
        }

        private Length length(int tokens) {
            ModelConfig one = new ModelConfig(c.modelType(), tokens, c.hiddenSize(), 1, c.numHeads(), c.numKvHeads(), c.headDim(),
                    c.intermediateSize(), c.rmsNormEps(), c.ropeTheta(), c.ropeType(), c.ropeAlpha(), c.ropeFactor(),
                    c.maxPositionEmbeddings(), false, c.useQkNorm(), c.bosTokenId(), c.eosTokenIds(), c.padTokenId());
            PagedKvCache cache = new PagedKvCache(one, tokens, PagedKvCache.bytesPerToken(1, one.kvDim()) * tokens, false);
            BlockTable table = new BlockTable();
            cache.reserve(table, tokens);
            return new Length(one, new LayerProbes.HiddenStates(tokens, c.hiddenSize()), cache, table, new StepBatch(),
                    IntStream.range(0, tokens).toArray());
        }
    }

    static Matrix linear(LayerWeights w, String name) {
        return switch (name) {
            case "self_attn.q_proj" -> w.q();
            case "self_attn.k_proj" -> w.k();
            case "self_attn.v_proj" -> w.v();
            case "self_attn.o_proj" -> w.o();
            case "mlp.gate_proj" -> w.gate();
            case "mlp.up_proj" -> w.up();
            case "mlp.down_proj" -> w.down();
            default -> throw new IllegalArgumentException("not a linear of a decoder layer: " + name);
        };
    }

    /** {@code w} with the linears named in {@code m} replaced. */
    static LayerWeights with(LayerWeights w, Map<String, Matrix> m) {
        return new LayerWeights(w.inputNorm(),
                m.getOrDefault("self_attn.q_proj", w.q()), m.getOrDefault("self_attn.k_proj", w.k()),
                m.getOrDefault("self_attn.v_proj", w.v()), m.getOrDefault("self_attn.o_proj", w.o()),
                w.queryNorm(), w.keyNorm(), w.postAttentionNorm(),
                m.getOrDefault("mlp.gate_proj", w.gate()), m.getOrDefault("mlp.up_proj", w.up()),
                m.getOrDefault("mlp.down_proj", w.down()));
    }
}
