package dev.hymt4j.weights;

import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelException;
import dev.hymt4j.tensor.Matrix;

import java.nio.file.Path;
import java.util.Set;

/**
 * A source that hands out another source's tensors, for decorators that change only how some matrices are held
 * (QLoRA's NF4 base, oneDNN products): everything forwards to {@code base}; a subclass overrides {@link #matrix}.
 */
public abstract class ForwardingWeightSource implements WeightSource {
    protected final WeightSource base;

    protected ForwardingWeightSource(WeightSource base) {
        this.base = base;
    }

    @Override
    public Matrix matrix(String name, int rows, int cols) throws ModelException {
        return base.matrix(name, rows, cols);
    }

    /** The base's parts (a GPTQ linear's qweight, qzeros, ...), so its unused-tensor check still holds. */
    @Override
    public Set<String> storedTensors(String name) {
        return base.storedTensors(name);
    }

    @Override
    public ModelConfig config() {
        return base.config();
    }

    @Override
    public Set<String> tensorNames() {
        return base.tensorNames();
    }

    @Override
    public boolean has(String name) {
        return base.has(name);
    }

    @Override
    public float[] vector(String name, int length) throws ModelException {
        return base.vector(name, length);
    }

    @Override
    public Path path() {
        return base.path();
    }

    @Override
    public void close() {
        base.close();
    }
}
