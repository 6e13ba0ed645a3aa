package dev.hymt4j.lora;

import dev.hymt4j.model.LayerWeights;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.tensor.Matrix;

/** The seven linear projections of a HunYuan dense decoder layer that LoRA can adapt. */
public enum LoraTarget {
    Q_PROJ("self_attn", "q_proj"),
    K_PROJ("self_attn", "k_proj"),
    V_PROJ("self_attn", "v_proj"),
    O_PROJ("self_attn", "o_proj"),
    GATE_PROJ("mlp", "gate_proj"),
    UP_PROJ("mlp", "up_proj"),
    DOWN_PROJ("mlp", "down_proj");

    private final String block;
    private final String moduleName;

    LoraTarget(String block, String moduleName) {
        this.block = block;
        this.moduleName = moduleName;
    }

    /** The module's own name, e.g. {@code q_proj} (what {@code target_modules} usually lists). */
    public String moduleName() {
        return moduleName;
    }

    /** The module path inside the HF model, e.g. {@code model.layers.3.self_attn.q_proj}. */
    public String modulePath(int layer) {
        return "model.layers." + layer + "." + block + "." + moduleName;
    }

    public int inFeatures(ModelConfig c) {
        return switch (this) {
            case Q_PROJ, K_PROJ, V_PROJ, GATE_PROJ, UP_PROJ -> c.hiddenSize();
            case O_PROJ -> c.qDim();
            case DOWN_PROJ -> c.intermediateSize();
        };
    }

    public int outFeatures(ModelConfig c) {
        return switch (this) {
            case Q_PROJ -> c.qDim();
            case K_PROJ, V_PROJ -> c.kvDim();
            case O_PROJ, DOWN_PROJ -> c.hiddenSize();
            case GATE_PROJ, UP_PROJ -> c.intermediateSize();
        };
    }

    /** The frozen base weight this target adapts. */
    public Matrix baseWeight(LayerWeights w) {
        return switch (this) {
            case Q_PROJ -> w.q();
            case K_PROJ -> w.k();
            case V_PROJ -> w.v();
            case O_PROJ -> w.o();
            case GATE_PROJ -> w.gate();
            case UP_PROJ -> w.up();
            case DOWN_PROJ -> w.down();
        };
    }
}
