package dev.hymt4j.optim;

/**
 * Learning-rate schedules as transformers' {@code get_scheduler}: a {@code LambdaLR} whose factor at scheduler
 * step {@code s} multiplies the base rate. As there, the optimizer update number {@code s} (0-based, counted in
 * optimizer steps, not micro-batches) uses {@code learningRate(s)}; with warmup the very first update therefore
 * has rate 0. The schedule has no state beyond the step, so resuming needs only the step (AdamW's step count).
 *
 * @param warmupSteps {@code num_warmup_steps}
 * @param totalSteps  {@code num_training_steps}
 */
public record LrSchedule(Type type, double baseLr, long warmupSteps, long totalSteps) {

    public enum Type {
        LINEAR("linear"), COSINE("cosine"), CONSTANT("constant"), CONSTANT_WITH_WARMUP("constant_with_warmup");

        private final String configName;

        Type(String configName) {
            this.configName = configName;
        }

        /** The name used in configurations ({@code lr_scheduler_type}). */
        public String configName() {
            return configName;
        }

        public static Type fromName(String name) {
            for (Type t : values()) if (t.configName.equals(name)) return t;
            throw new IllegalArgumentException("unknown lr_scheduler_type '" + name
                    + "'; known: linear, cosine, constant, constant_with_warmup");
        }
    }

    public LrSchedule {
        if (warmupSteps < 0 || totalSteps < 0) {
            throw new IllegalArgumentException("warmup " + warmupSteps + " and total " + totalSteps + " must be >= 0");
        }
    }

    /** The multiplier of the base rate at {@code step} ({@code lr_lambda(current_step)}). */
    public double factor(long step) {
        if (type == Type.CONSTANT) return 1.0;
        if (step < warmupSteps) return (double) step / Math.max(1, warmupSteps);
        return switch (type) {
            case CONSTANT_WITH_WARMUP -> 1.0;
            case LINEAR -> Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
            case COSINE -> {
                // num_cycles = 0.5: half a cosine, from 1 at the end of warmup down to 0 at totalSteps
                double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
                yield Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
            }
            case CONSTANT -> throw new AssertionError();
        };
    }

    /** The learning rate of optimizer update {@code step}. */
    public double learningRate(long step) {
        return baseLr * factor(step);
    }
}
