package dev.hymt4j.gguf;

import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.quant.BlockCodec;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.weights.MatrixFormats;
import dev.hymt4j.weights.WeightSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A {@code hunyuan-dense} GGUF file as a {@link WeightSource}: the configuration from its metadata, and each
 * tensor under its Hugging Face name as the {@link Matrix} of its own format ({@link MatrixFormats}), over the
 * mapping (never copied). Shapes are checked against the configuration (GGUF dimensions are reversed:
 * {@code ne = [cols, rows]}), and a tensor the architecture does not use is an error, as in llama.cpp's loader.
 */
public final class GgufCheckpoint implements WeightSource {
    private final GgufFile file;
    private final ModelConfig config;
    private final Set<String> names;

    private GgufCheckpoint(GgufFile file, ModelConfig config) {
        this.file = file;
        this.config = config;
        Set<String> hf = new LinkedHashSet<>();
        for (String name : file.tensors().keySet()) hf.add(HunyuanGguf.toHf(name).orElse(name));
        this.names = Collections.unmodifiableSet(hf);
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

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Path path() {
        return file.path();
    }

    /** The HF names of the file's tensors, in file order. */
    @Override
    public Set<String> tensorNames() {
        return names;
    }

    /** Whether the file holds the tensor of this HF name. */
    @Override
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
    @Override
    public Matrix matrix(String hfName, int rows, int cols) throws GgufException {
        GgufTensorInfo t = info(hfName, rows, cols);
        if (!MatrixFormats.supports(t.type().name())) {
            throw new GgufException(path() + ": tensor '" + t.name() + "' is " + t.type() + ", which has no kernel here (supported: "
                    + MatrixFormats.names() + ")");
        }
        return MatrixFormats.create(t.type().name(), file.data(t.name()), rows, cols);
    }

    /** A 1-D tensor (norm weights) decoded to float. */
    @Override
    public float[] vector(String hfName, int length) throws GgufException {
        GgufTensorInfo t = info(hfName, length);
        BlockCodec codec = BlockCodec.forType(t.type());
        if (codec == null) throw new GgufException(path() + ": tensor '" + t.name() + "' is " + t.type() + ", which cannot be decoded here");
        float[] v = new float[length];
        codec.dequantize(file.data(t.name()), 0, length, v, 0);
        return v;
    }

    @Override
    public void close() {
        file.close();
    }
}
