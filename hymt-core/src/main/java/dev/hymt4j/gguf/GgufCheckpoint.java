package dev.hymt4j.gguf;

import dev.hymt4j.model.LayerWeights;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.quant.BlockCodec;
import dev.hymt4j.quant.GgmlMatrices;
import dev.hymt4j.tensor.Matrix;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A {@code hunyuan-dense} GGUF file as model weights: the configuration from its metadata, and each tensor
 * under its Hugging Face name as the {@link Matrix} of its own format, over the mapping (never copied).
 * Shapes are checked against the configuration (GGUF dimensions are reversed: {@code ne = [cols, rows]}), and
 * a tensor the architecture does not use is an error, as in llama.cpp's loader.
 */
public final class GgufCheckpoint implements AutoCloseable {
    private final GgufFile file;
    private final ModelConfig config;

    private GgufCheckpoint(GgufFile file, ModelConfig config) {
        this.file = file;
        this.config = config;
    }

    public static GgufCheckpoint open(Path path) throws GgufException {
        GgufFile file = GgufFile.open(path);
        try {
            ModelConfig config = HunyuanGguf.config(file);
            Set<String> expected = new LinkedHashSet<>(HunyuanGguf.tensorNames(config));
            Set<String> unused = new LinkedHashSet<>(file.tensors().keySet());
            unused.removeAll(expected);
            if (!unused.isEmpty()) {
                throw new GgufException(path + ": tensors the " + HunyuanGguf.ARCH + " architecture does not use: " + unused
                        + " (a GGUF of another model, or " + HunyuanGguf.BLOCK_COUNT + " smaller than its layers?)");
            }
            return new GgufCheckpoint(file, config);
        } catch (GgufException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    public GgufFile file() {
        return file;
    }

    public ModelConfig config() {
        return config;
    }

    public Path path() {
        return file.path();
    }

    /** Whether the file holds the tensor of this HF name. */
    public boolean has(String hfName) {
        return HunyuanGguf.toGguf(hfName).map(file.tensors()::containsKey).orElse(false);
    }

    private GgufTensorInfo info(String hfName, long... shape) throws GgufException {
        String name = HunyuanGguf.toGguf(hfName).orElseThrow(() -> new GgufException(path() + ": no GGUF name for '" + hfName + "'"));
        GgufTensorInfo t = file.info(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new GgufException(path() + ": tensor '" + name + "' has shape " + t.neString() + " but the metadata implies "
                    + new GgufTensorInfo(name, reversed(shape), t.type(), 0).neString());
        }
        return t;
    }

    private static long[] reversed(long[] shape) {
        long[] ne = new long[shape.length];
        for (int i = 0; i < shape.length; i++) ne[i] = shape[shape.length - 1 - i];
        return ne;
    }

    /** The matrix {@code [rows, cols]} of an HF-named tensor, in its stored format. */
    public Matrix matrix(String hfName, int rows, int cols) throws GgufException {
        GgufTensorInfo t = info(hfName, rows, cols);
        if (!GgmlMatrices.supported(t.type())) {
            throw new GgufException(path() + ": tensor '" + t.name() + "' is " + t.type() + ", which has no kernel here (supported: "
                    + "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K)");
        }
        return GgmlMatrices.of(t.type(), file.data(t.name()), rows, cols);
    }

    /** A 1-D tensor (norm weights) decoded to float. */
    public float[] vector(String hfName, int length) throws GgufException {
        GgufTensorInfo t = info(hfName, length);
        BlockCodec codec = BlockCodec.forType(t.type());
        if (codec == null) throw new GgufException(path() + ": tensor '" + t.name() + "' is " + t.type() + ", which cannot be decoded here");
        float[] v = new float[length];
        codec.dequantize(file.data(t.name()), 0, length, v, 0);
        return v;
    }

    /** Every weight, checked against the configuration; the LM head is the embedding when no output.weight exists. */
    public ModelWeights weights() throws GgufException {
        ModelConfig c = config;
        int h = c.hiddenSize(), q = c.qDim(), kv = c.kvDim(), ff = c.intermediateSize(), hd = c.headDim();
        Matrix embedding = matrix("model.embed_tokens.weight", c.vocabSize(), h);
        LayerWeights[] layers = new LayerWeights[c.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = ModelWeights.layerPrefix(l);
            layers[l] = new LayerWeights(
                    vector(p + "input_layernorm.weight", h),
                    matrix(p + "self_attn.q_proj.weight", q, h),
                    matrix(p + "self_attn.k_proj.weight", kv, h),
                    matrix(p + "self_attn.v_proj.weight", kv, h),
                    matrix(p + "self_attn.o_proj.weight", h, q),
                    vector(p + "self_attn.query_layernorm.weight", hd),
                    vector(p + "self_attn.key_layernorm.weight", hd),
                    vector(p + "post_attention_layernorm.weight", h),
                    matrix(p + "mlp.gate_proj.weight", ff, h),
                    matrix(p + "mlp.up_proj.weight", ff, h),
                    matrix(p + "mlp.down_proj.weight", h, ff));
        }
        float[] finalNorm = vector("model.norm.weight", h);
        Matrix lmHead = c.tieWordEmbeddings() ? embedding : matrix("lm_head.weight", c.vocabSize(), h);
        return new ModelWeights(c, embedding, layers, finalNorm, lmHead);
    }

    @Override
    public void close() {
        file.close();
    }
}
