package dev.hymt4j.optim;

/**
 * Learning-rate multipliers with linear warmup, as Hugging Face transformers' {@code get_*_schedule_with_warmup}
 * define them: the optimizer step with index {@code k} (0-based) uses {@code baseLr · factor(k)}; the scheduler
 * is stepped after each optimizer step, so the very first step of a warmup runs at factor 0.
 */
@FunctionalInterface
public interface LrSchedule {
    double factor(long step);

    /** {@code k/warmup} during warmup, then 1. */
    static LrSchedule constantWithWarmup(long warmup) {
        return k -> k < warmup ? (double) k / Math.max(1, warmup) : 1.0;
    }

    /** {@code get_linear_schedule_with_warmup}: warmup, then linear decay to 0 at {@code total}. */
    static LrSchedule linear(long warmup, long total) {
        return k -> k < warmup ? (double) k / Math.max(1, warmup)
                : Math.max(0.0, (double) (total - k) / Math.max(1, total - warmup));
    }

    /** {@code get_cosine_schedule_with_warmup} with {@code num_cycles = 0.5}: half a cosine from 1 to 0. */
    static LrSchedule cosine(long warmup, long total) {
        return cosine(warmup, total, 0.5);
    }

    static LrSchedule cosine(long warmup, long total, double numCycles) {
        return k -> {
            if (k < warmup) return (double) k / Math.max(1, warmup);
            double progress = (double) (k - warmup) / Math.max(1, total - warmup);
            return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * numCycles * 2.0 * progress)));
        };
    }
}
