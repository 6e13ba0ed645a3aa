package dev.hymt4j.quant;

import dev.hymt4j.model.LayerWeights;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.tensor.Parallel;

/** QLoRA's frozen base: the seven projections of every layer in NF4; embedding, norms and head as they were. */
public final class QuantizedModels {
    private QuantizedModels() {}

    public static ModelWeights nf4(ModelWeights w, int blocksize, boolean doubleQuant) {
        LayerWeights[] layers = new LayerWeights[w.layers().length];
        Parallel.forRange(layers.length, 1, (l0, l1) -> {
            for (int l = l0; l < l1; l++) {
                LayerWeights x = w.layers()[l];
                layers[l] = new LayerWeights(x.inputNorm(),
                        Nf4Matrix.quantize(x.q(), blocksize, doubleQuant), Nf4Matrix.quantize(x.k(), blocksize, doubleQuant),
                        Nf4Matrix.quantize(x.v(), blocksize, doubleQuant), Nf4Matrix.quantize(x.o(), blocksize, doubleQuant),
                        x.queryNorm(), x.keyNorm(), x.postAttentionNorm(),
                        Nf4Matrix.quantize(x.gate(), blocksize, doubleQuant), Nf4Matrix.quantize(x.up(), blocksize, doubleQuant),
                        Nf4Matrix.quantize(x.down(), blocksize, doubleQuant));
            }
        });
        return new ModelWeights(w.config(), w.embedding(), layers, w.finalNorm(), w.lmHead());
    }
}
