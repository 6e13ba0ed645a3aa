package dev.hymt4j.quant;

import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.tensor.Parallel;

/**
 * A frozen weight matrix stored as bitsandbytes NF4 (QLoRA's base format): packed 4-bit codes, one absmax per
 * block of {@code blocksize} consecutive elements (row-major, blocks may span rows), optionally double-quantized
 * (absmax − mean as 8-bit dynamic codes with one float scale per 256 blocks).
 *
 * <p>Compute works like bitsandbytes' CPU path: dequantize, then multiply. A tile of rows is decoded to float
 * and handed to the engine's dense kernel ({@link MappedMatrix} over the tile), so NF4 adds no matmul code of
 * its own and the forward and backward passes run unchanged on it.
 */
public final class Nf4Matrix implements Matrix {
    private static final int TILE_ROWS = 16;
    public static final int NESTED_BLOCKSIZE = 256;

    private final int rows, cols, blocksize;
    private final byte[] packed;
    // Plain absmax (absmaxCodes == null) or double quantization (absmax == null).
    private final float[] absmax;
    private final byte[] absmaxCodes;
    private final float[] nestedAbsmax;
    private final float[] nestedMap;
    private final float nestedOffset;

    private Nf4Matrix(int rows, int cols, int blocksize, byte[] packed, float[] absmax, byte[] absmaxCodes,
                      float[] nestedAbsmax, float[] nestedMap, float nestedOffset) {
        this.rows = rows;
        this.cols = cols;
        this.blocksize = blocksize;
        this.packed = packed;
        this.absmax = absmax;
        this.absmaxCodes = absmaxCodes;
        this.nestedAbsmax = nestedAbsmax;
        this.nestedMap = nestedMap;
        this.nestedOffset = nestedOffset;
    }

    /**
     * Quantizes {@code w} (any {@link Matrix}: mapped BF16, F32, ...) with bitsandbytes' NF4 rules.
     *
     * @param blocksize   64 for QLoRA (bitsandbytes allows 32, 64, ..., 4096)
     * @param doubleQuant bitsandbytes' {@code compress_statistics} / {@code bnb_4bit_use_double_quant}
     */
    public static Nf4Matrix quantize(Matrix w, int blocksize, boolean doubleQuant) {
        if (blocksize < 32 || Integer.bitCount(blocksize) != 1 || blocksize > 4096) {
            throw new IllegalArgumentException("NF4 blocksize must be a power of two in [32, 4096], got " + blocksize);
        }
        long numel = (long) w.rows() * w.cols();
        if (numel > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("matrix too large for one NF4 tensor: " + numel);
        float[] flat = new float[(int) numel];
        for (int r = 0; r < w.rows(); r++) w.readRow(r, flat, r * w.cols());
        float[] absmax = new float[(int) ((numel + blocksize - 1) / blocksize)];
        byte[] packed = Nf4.quantize(flat, blocksize, absmax);
        if (!doubleQuant) return new Nf4Matrix(w.rows(), w.cols(), blocksize, packed, absmax, null, null, null, 0f);
        return doubleQuantized(w.rows(), w.cols(), blocksize, packed, absmax);
    }

    /** Double quantization (spec §3.5): {@code offset = mean(absmax)}, 8-bit dynamic codes of absmax − offset per 256. */
    private static Nf4Matrix doubleQuantized(int rows, int cols, int blocksize, byte[] packed, float[] absmax) {
        double sum = 0;
        for (float a : absmax) sum += a;
        float offset = (float) (sum / absmax.length);
        float[] map = DynamicMap8.table();
        int nested = (absmax.length + NESTED_BLOCKSIZE - 1) / NESTED_BLOCKSIZE;
        float[] nestedAbsmax = new float[nested];
        byte[] codes = new byte[absmax.length];
        for (int b = 0; b < nested; b++) {
            int start = b * NESTED_BLOCKSIZE, end = Math.min(absmax.length, start + NESTED_BLOCKSIZE);
            float max = 0;
            for (int i = start; i < end; i++) max = Math.max(max, Math.abs(absmax[i] - offset));
            nestedAbsmax[b] = max;
            float inv = 1f / Math.max(max, 1e-38f);
            for (int i = start; i < end; i++) {
                float s = Math.max(-1f, Math.min(1f, (absmax[i] - offset) * inv));
                codes[i] = (byte) DynamicMap8.encode(map, s);
            }
        }
        return new Nf4Matrix(rows, cols, blocksize, packed, null, codes, nestedAbsmax, map, offset);
    }

    /** The absmax of block {@code b} as dequantization uses it (reconstructed under double quantization). */
    public float absmax(int b) {
        if (absmaxCodes == null) return absmax[b];
        return nestedMap[absmaxCodes[b] & 0xFF] * nestedAbsmax[b / NESTED_BLOCKSIZE] + nestedOffset;
    }

    public int blocks() {
        return absmaxCodes == null ? absmax.length : absmaxCodes.length;
    }

    public boolean doubleQuantized() {
        return absmaxCodes != null;
    }

    public int blocksize() {
        return blocksize;
    }

    /** The packed codes (a copy): {@code byte[k] = code[2k] << 4 | code[2k+1]}. */
    public byte[] packed() {
        return packed.clone();
    }

    /** Bytes held: packed codes plus the (double-quantized) absmax statistics. */
    public long storageBytes() {
        if (absmaxCodes == null) return packed.length + 4L * absmax.length;
        return packed.length + absmaxCodes.length + 4L * nestedAbsmax.length + 4L * nestedMap.length + 4;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public String format() {
        return doubleQuantized() ? "NF4-DQ" : "NF4";
    }

    @Override
    public void readRow(int r, float[] dst, int off) {
        decode(r, 0, cols, dst, off);
    }

    /** Decodes columns {@code [c0, c1)} of row {@code r}: {@code code_table[nibble] · absmax[block]}. */
    private void decode(int r, int c0, int c1, float[] dst, int off) {
        long i = (long) r * cols + c0, end = (long) r * cols + c1;
        while (i < end) {
            int block = (int) (i / blocksize);
            long blockEnd = Math.min(end, (long) (block + 1) * blocksize);
            float scale = absmax(block);
            for (; i < blockEnd; i++) dst[off++] = Nf4.value(Nf4.code(packed, i)) * scale;
        }
    }

    @Override
    public void matmulRows(float[] x, int n, float[] out, int r0, int r1) {
        float[] tile = new float[TILE_ROWS * cols], tileOut = new float[n * TILE_ROWS];
        for (int t0 = r0; t0 < r1; t0 += TILE_ROWS) {
            int tr = Math.min(TILE_ROWS, r1 - t0);
            for (int r = 0; r < tr; r++) readRow(t0 + r, tile, r * cols);
            MappedMatrix.ofFloats(tile, TILE_ROWS, cols).matmulRows(x, n, tileOut, 0, tr);
            for (int t = 0; t < n; t++) System.arraycopy(tileOut, t * TILE_ROWS, out, t * rows + t0, tr);
        }
    }

    @Override
    public void accumulateTransposed(float[] g, int n, float[] out, int c0, int c1) {
        int width = c1 - c0;
        float[] tile = new float[TILE_ROWS * width], gTile = new float[n * TILE_ROWS], slab = new float[n * width];
        for (int t0 = 0; t0 < rows; t0 += TILE_ROWS) {
            int tr = Math.min(TILE_ROWS, rows - t0);
            java.util.Arrays.fill(tile, 0f);
            for (int r = 0; r < tr; r++) decode(t0 + r, c0, c1, tile, r * width);
            java.util.Arrays.fill(gTile, 0f);
            for (int t = 0; t < n; t++) System.arraycopy(g, t * rows + t0, gTile, t * TILE_ROWS, tr);
            MappedMatrix.ofFloats(tile, TILE_ROWS, width).accumulateTransposed(gTile, n, slab, 0, width);
        }
        for (int t = 0; t < n; t++) {
            for (int c = 0; c < width; c++) out[t * cols + c0 + c] += slab[t * width + c];
        }
    }

    /** {@code out [n, cols] += g [n, rows] · W}, multi-threaded over column slabs (each decodes only its slab). */
    @Override
    public void matmulTransposedAccumulate(float[] g, int n, float[] out) {
        Parallel.forRange(cols, 256, (c0, c1) -> accumulateTransposed(g, n, out, c0, c1));
    }
}
