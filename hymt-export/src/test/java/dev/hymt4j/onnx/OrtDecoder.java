package dev.hymt4j.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs an exported decoder in ONNX Runtime the way onnxruntime-genai and optimum drive it: inputs bound by name,
 * past key/values fed back as the next step's inputs, position ids = cumulative mask − 1 (1 at padding).
 */
final class OrtDecoder implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final int layers, kvHeads, headDim, vocab;
    /** [layer][key/value]: {@code [batch, kv, past, hd]} of the sequence so far. */
    private float[][][] past;
    private long[][] mask;
    private int batch, pastLength;

    OrtDecoder(Path model, int layers, int kvHeads, int headDim, int vocab) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(2);
        this.session = env.createSession(model.toString(), options);
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.vocab = vocab;
    }

    /** Forgets the cache; the next {@link #step} is a prefill of {@code batch} rows. */
    void reset(int batch) {
        this.batch = batch;
        this.pastLength = 0;
        this.past = new float[layers][2][0];
        this.mask = new long[batch][0];
    }

    /** Feeds {@code ids [batch][s]} with their mask; returns logits {@code [batch, s, vocab]} flattened. */
    float[] step(long[][] ids, long[][] newMask) throws OrtException {
        int s = ids[0].length, total = pastLength + s;
        long[] flatIds = new long[batch * s], flatMask = new long[batch * total], positions = new long[batch * s];
        for (int b = 0; b < batch; b++) {
            long[] m = new long[total];
            System.arraycopy(mask[b], 0, m, 0, pastLength);
            System.arraycopy(newMask[b], 0, m, pastLength, s);
            mask[b] = m;
            long seen = 0;
            for (int j = 0; j < pastLength; j++) seen += m[j];
            for (int t = 0; t < s; t++) {
                flatIds[b * s + t] = ids[b][t];
                seen += m[pastLength + t];
                positions[b * s + t] = m[pastLength + t] == 0 ? 1 : seen - 1;
            }
            System.arraycopy(m, 0, flatMask, b * total, total);
        }
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(flatIds), new long[]{batch, s}));
            in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(flatMask), new long[]{batch, total}));
            in.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[]{batch, s}));
            long[] pastShape = {batch, kvHeads, pastLength, headDim};
            for (int l = 0; l < layers; l++) {
                in.put("past_key_values." + l + ".key", OnnxTensor.createTensor(env, FloatBuffer.wrap(past[l][0]), pastShape));
                in.put("past_key_values." + l + ".value", OnnxTensor.createTensor(env, FloatBuffer.wrap(past[l][1]), pastShape));
            }
            try (OrtSession.Result out = session.run(in)) {
                float[] logits = floats((OnnxTensor) out.get("logits").orElseThrow(), batch * s * vocab);
                for (int l = 0; l < layers; l++) {
                    int n = batch * kvHeads * total * headDim;
                    past[l][0] = floats((OnnxTensor) out.get("present." + l + ".key").orElseThrow(), n);
                    past[l][1] = floats((OnnxTensor) out.get("present." + l + ".value").orElseThrow(), n);
                }
                pastLength = total;
                return logits;
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    private static float[] floats(OnnxTensor t, int n) {
        FloatBuffer b = t.getFloatBuffer();
        if (b.remaining() != n) throw new IllegalStateException("tensor has " + b.remaining() + " floats, expected " + n);
        float[] out = new float[n];
        b.get(out);
        return out;
    }

    /** One unpadded sequence in one call (empty cache). */
    float[] forward(int[] ids) throws OrtException {
        reset(1);
        long[][] x = {new long[ids.length]}, m = {new long[ids.length]};
        for (int i = 0; i < ids.length; i++) {
            x[0][i] = ids[i];
            m[0][i] = 1;
        }
        return step(x, m);
    }

    /** Greedy decoding of {@code steps} tokens with the KV cache; returns prompt + new ids. */
    int[] greedy(int[] prompt, int steps) throws OrtException {
        int[] out = java.util.Arrays.copyOf(prompt, prompt.length + steps);
        float[] logits = forward(prompt);
        int last = prompt.length - 1;
        for (int i = 0; i < steps; i++) {
            int next = argmax(logits, last * vocab, vocab);
            out[prompt.length + i] = next;
            logits = step(new long[][]{{next}}, new long[][]{{1}});
            last = 0;
        }
        return out;
    }

    static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (x[off + i] > x[off + best]) best = i;
        return best;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
