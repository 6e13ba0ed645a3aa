package dev.hymt4j.weights;

import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelException;
import dev.hymt4j.tensor.Matrix;

import java.nio.file.Path;
import java.util.Set;

/**
 * Where a model's tensors come from: a safetensors checkpoint ({@link dev.hymt4j.model.Checkpoint}), a GGUF file,
 * a GPTQ checkpoint. Names are Hugging Face names (a GGUF source maps its own names to these); matrices come
 * in the tensor's own storage format ({@link MatrixFormats}), mapped rather than copied where the format allows.
 * {@link dev.hymt4j.model.ModelWeights#load(WeightSource)} checks every shape against the config.
 */
public interface WeightSource extends AutoCloseable {
    /** The model configuration (from config.json, or a GGUF file's metadata). */
    ModelConfig config();

    /** Every tensor name the source holds, in its own order. */
    Set<String> tensorNames();

    boolean has(String name);

    /**
     * The weight matrix {@code name} of shape {@code [rows, cols]} (PyTorch Linear layout: rows = out features)
     * in its storage format; a missing tensor, another shape or an unsupported format fails naming the file.
     */
    Matrix matrix(String name, int rows, int cols) throws ModelException;

    /**
     * The stored tensors that weight {@code name} is read from: itself for a plain tensor, its parts where a format
     * splits one weight into several (a GPTQ linear {@code P.weight} is {@code P.qweight}, {@code P.qzeros},
     * {@code P.scales} and maybe {@code P.g_idx}). What a loader counts as used when it looks for tensors the
     * config does not use.
     */
    default Set<String> storedTensors(String name) {
        return Set.of(name);
    }

    /** A small tensor (a norm weight) of {@code length} values, decoded to float on the heap. */
    float[] vector(String name, int length) throws ModelException;

    /** The file or directory the tensors come from, for messages. */
    Path path();

    /** Unmaps what the source mapped; its matrices must not be used afterwards. */
    @Override
    void close();
}
