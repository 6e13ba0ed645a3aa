package dev.hymt4j.gguf;

import java.util.Arrays;

/**
 * One tensor of a GGUF file. {@code ne} is ggml's dimension order, fastest-varying first: an HF linear weight
 * {@code [out, in]} is stored as {@code ne = [in, out]}; {@link #shape()} gives the PyTorch order.
 *
 * @param offset bytes from the start of the file's data section
 */
public record GgufTensorInfo(String name, long[] ne, GgmlType type, long offset) {

    public long elements() {
        long n = 1;
        for (long d : ne) n *= d;
        return n;
    }

    /** Bytes of the tensor's data: rows of {@code ne[0]} elements packed in blocks. */
    public long byteSize() {
        return type.rowBytes(ne[0]) * (elements() / Math.max(1, ne[0]));
    }

    /** The dimensions in PyTorch order (slowest first), e.g. {@code [out, in]}. */
    public long[] shape() {
        long[] s = new long[ne.length];
        for (int i = 0; i < ne.length; i++) s[i] = ne[ne.length - 1 - i];
        return s;
    }

    /** ggml's own notation, fastest dimension first, e.g. {@code {64, 512}}. */
    public String neString() {
        return Arrays.toString(ne).replace('[', '{').replace(']', '}');
    }
}
