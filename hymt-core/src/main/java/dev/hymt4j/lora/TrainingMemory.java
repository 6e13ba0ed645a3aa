package dev.hymt4j.lora;

import dev.hymt4j.model.ModelConfig;

/**
 * What one training micro-batch allocates on the heap, estimated from the shapes before anything is allocated,
 * so that a batch that cannot fit fails at once with the numbers and the fixes, not with an
 * {@link OutOfMemoryError} after the model is loaded. The count follows {@link dev.hymt4j.model.Training#forwardBackward}:
 * per layer the activations kept for the backward pass (one layer's worth with gradient checkpointing), the
 * hidden states between layers, the head's logits at every position that has a label, the backward pass's
 * scratch, and the adapter with its gradient and two AdamW moments.
 */
public final class TrainingMemory {
    private TrainingMemory() {}

    /** Bytes one micro-batch of {@code batch} sequences of {@code length} tokens needs, adapter included. */
    public static long microBatchBytes(ModelConfig c, LoraConfig lora, int batch, int length, boolean checkpointing) {
        long n = (long) batch * length;
        long h = c.hiddenSize(), q = c.qDim(), kv = c.kvDim(), ff = c.intermediateSize();
        long rankPerLayer = 0, adapterParams = 0;
        for (LoraTarget t : LoraTarget.values()) {
            if (!lora.targets(t.modulePath(0), 0)) continue;
            rankPerLayer += lora.r();
            adapterParams += (long) lora.r() * (t.inFeatures(c) + t.outFeatures(c)) * c.numLayers();
        }
        long layerFloats = n * (3 * h + 2 + 2 * q + 3 * kv + c.numHeads() + c.numKvHeads() + 3 * ff + rankPerLayer)
                + (c.useQkNorm() ? n * (q + kv) : 0)
                + (long) batch * c.numHeads() * length * length;
        long kept = checkpointing ? 1 : c.numLayers();
        long floats = (c.numLayers() + 1) * n * h          // hidden states
                + kept * layerFloats                        // saved activations
                + 2 * layerFloats                           // backward scratch (gradients of one layer)
                + 4 * n * h + n * c.vocabSize();            // head: normed states, gradients, logits
        return 4 * floats + 16 * adapterParams;
    }

    /**
     * The largest single array the micro-batch allocates, in floats: Java arrays hold at most 2³¹−1 elements,
     * so a batch past that fails however large the heap.
     */
    public static long largestArray(ModelConfig c, int batch, int length) {
        long n = (long) batch * length;
        return Math.max((long) batch * c.numHeads() * length * length,
                Math.max(n * c.vocabSize(), n * c.intermediateSize()));
    }
}
