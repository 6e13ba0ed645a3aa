package dev.hymt4j.quant;

import dev.hymt4j.model.ModelException;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.weights.ForwardingWeightSource;
import dev.hymt4j.weights.WeightSource;

import java.util.regex.Pattern;

/**
 * A model's weights with QLoRA's base quantization applied as they load: the seven projections of every layer
 * become {@link Nf4Matrix} (bitsandbytes NF4, blocksize 64, double quantization — the recipe of spec formats.md
 * §3.7 and of {@code hymt train} with QLoRA); embedding, norms and head stay as stored. Inference then runs
 * on the same base numerics an adapter was trained against.
 */
public final class Nf4WeightSource extends ForwardingWeightSource {
    /** QLoRA's blocksize (bitsandbytes' default for 4-bit). */
    public static final int BLOCKSIZE = 64;
    private static final Pattern PROJECTION =
            Pattern.compile("model\\.layers\\.\\d+\\.(self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj)\\.weight");

    public Nf4WeightSource(WeightSource base) {
        super(base);
    }

    /** Whether {@code name} is one of the projections QLoRA quantizes. */
    public static boolean quantizes(String name) {
        return PROJECTION.matcher(name).matches();
    }

    @Override
    public Matrix matrix(String name, int rows, int cols) throws ModelException {
        Matrix m = base.matrix(name, rows, cols);
        return quantizes(name) ? Nf4Matrix.quantize(m, BLOCKSIZE, true) : m;
    }
}
