package dev.hymt4j.safetensors;

import java.util.Arrays;

/**
 * One entry of a safetensors header: where a tensor's bytes lie, relative to the start of the data block.
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    public long numel() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public long byteSize() {
        return end - begin;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    public boolean hasShape(long... expected) {
        return Arrays.equals(shape, expected);
    }
}
