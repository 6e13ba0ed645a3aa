package dev.hymt4j.tensor;

/** Holds the kernels chosen at start-up in a {@code static final} field, so calls through it bind statically. */
final class KernelChoice {
    static final Kernels KERNELS = VectorWidth.BITS == 0 ? new ScalarKernels() : new VectorKernels();

    private KernelChoice() {}
}
