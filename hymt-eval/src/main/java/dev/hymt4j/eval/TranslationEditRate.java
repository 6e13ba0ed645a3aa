package dev.hymt4j.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The number of TER edits between a tokenized hypothesis and one reference: a port of sacreBLEU's
 * {@code lib_ter.py} (itself a near-exact re-implementation of tercom): greedy block shifts, each the
 * one that lowers a beam-restricted Levenshtein distance the most, until none helps.
 */
final class TranslationEditRate {
    // Tercom's limits.
    private static final int MAX_SHIFT_SIZE = 10;
    private static final int MAX_SHIFT_DIST = 50;
    private static final int BEAM_WIDTH = 25;
    // sacreBLEU's own limit on evaluated shift candidates per reference.
    private static final int MAX_SHIFT_CANDIDATES = 1000;

    private static final int INFINITY = Integer.MAX_VALUE / 4;
    private static final byte OP_NOP = ' ', OP_SUB = 's', OP_INS = 'i', OP_DEL = 'd', OP_UNDEF = 'x';

    private TranslationEditRate() {}

    /** Edits to turn {@code hyp} into {@code ref}, shifts included. An empty reference costs one edit per hypothesis word. */
    static int edits(List<String> hyp, List<String> ref) {
        if (ref.isEmpty()) return hyp.size();
        String[] r = ref.toArray(String[]::new);
        String[] input = hyp.toArray(String[]::new);
        int shifts = 0;
        int[] checked = {0};
        while (true) {
            Shift best = bestShift(input, r, checked);
            // As in sacreBLEU, running out of candidates stops the search before applying the last shift.
            if (checked[0] >= MAX_SHIFT_CANDIDATES) break;
            if (best == null || best.gain <= 0) break;
            shifts++;
            input = best.words;
        }
        return shifts + new Matrix(input, r, null).distance();
    }

    private record Shift(int gain, int length, int startH, int target, String[] words) {
        /** Tercom's ranking: larger gain, then longer, then earlier start, then earlier target. */
        boolean betterThan(Shift o) {
            if (gain != o.gain) return gain > o.gain;
            if (length != o.length) return length > o.length;
            if (startH != o.startH) return startH < o.startH;
            return target < o.target;
        }
    }

    /** sacreBLEU's {@code _shift}: the best shift candidate, or null when no candidate was found. */
    private static Shift bestShift(String[] h, String[] r, int[] checked) {
        Matrix base = new Matrix(h, r, null);
        int preScore = base.distance();
        Alignment al = new Alignment(base.trace(), h.length, r.length);
        Shift best = null;
        pairs:
        for (int startH = 0; startH < h.length; startH++) {
            for (int startR = 0; startR < r.length; startR++) {
                if (Math.abs(startR - startH) > MAX_SHIFT_DIST) continue;
                // Every common run h[startH..] = r[startR..] of length 1..MAX_SHIFT_SIZE is a candidate.
                for (int length = 1; length <= MAX_SHIFT_SIZE
                        && h[startH + length - 1].equals(r[startR + length - 1]); length++) {
                    best = tryShift(h, r, base, preScore, al, startH, startR, length, best, checked);
                    if (checked[0] >= MAX_SHIFT_CANDIDATES) break pairs;
                    if (h.length == startH + length || r.length == startR + length) break;
                }
            }
        }
        return best;
    }

    private static Shift tryShift(String[] h, String[] r, Matrix base, int preScore, Alignment al,
                                  int startH, int startR, int length, Shift best, int[] checked) {
        // Only move words that are wrong to a place where the reference is not matched yet.
        if (sum(al.hypErr, startH, startH + length) == 0) return best;
        if (sum(al.refErr, startR, startR + length) == 0) return best;
        // Don't shift within the matched run itself.
        if (startH <= al.align[startR] && al.align[startR] < startH + length) return best;
        int prevIdx = -1;
        for (int offset = -1; offset < length; offset++) {
            int idx;
            if (startR + offset == -1) {
                idx = 0; // insert before the beginning
            } else if (startR + offset < r.length) {
                idx = al.align[startR + offset] + 1; // unlike tercom, insert *before* the index
            } else {
                break; // aims past the reference
            }
            if (idx == prevIdx) continue;
            prevIdx = idx;
            String[] shifted = performShift(h, startH, length, idx);
            int gain = preScore - new Matrix(shifted, r, base).distance();
            Shift candidate = new Shift(gain, length, startH, idx, shifted);
            checked[0]++;
            if (best == null || candidate.betterThan(best)) best = candidate;
        }
        return best;
    }

    private static int sum(int[] a, int from, int to) {
        int s = 0;
        for (int i = from; i < Math.min(to, a.length); i++) s += a[i];
        return s;
    }

    /** sacreBLEU's {@code _perform_shift}, with Python's clamping slices. */
    static String[] performShift(String[] w, int start, int length, int target) {
        List<String> out = new ArrayList<>(w.length);
        if (target < start) {
            addSlice(out, w, 0, target);
            addSlice(out, w, start, start + length);
            addSlice(out, w, target, start);
            addSlice(out, w, start + length, w.length);
        } else if (target > start + length) {
            addSlice(out, w, 0, start);
            addSlice(out, w, start + length, target);
            addSlice(out, w, start, start + length);
            addSlice(out, w, target, w.length);
        } else {
            addSlice(out, w, 0, start);
            addSlice(out, w, start + length, length + target);
            addSlice(out, w, start, start + length);
            addSlice(out, w, length + target, w.length);
        }
        return out.toArray(String[]::new);
    }

    private static void addSlice(List<String> out, String[] w, int from, int to) {
        from = Math.min(from, w.length);
        to = Math.min(to, w.length);
        for (int i = from; i < to; i++) out.add(w[i]);
    }

    /** Which words are in error, and where each reference position sits in the hypothesis. */
    private static final class Alignment {
        final int[] align;
        final int[] hypErr;
        final int[] refErr;

        /**
         * From the edit trace hypothesis→reference, read backwards as reference→hypothesis (insertions
         * and deletions swap), as sacreBLEU's {@code _flip_trace} + {@code trace_to_alignment} do.
         */
        Alignment(byte[] trace, int hypLen, int refLen) {
            align = new int[refLen];
            hypErr = new int[hypLen];
            refErr = new int[refLen];
            int posHyp = -1, posRef = -1;
            for (byte op : trace) {
                switch (op) {
                    case OP_NOP, OP_SUB -> {
                        int err = op == OP_SUB ? 1 : 0;
                        posHyp++;
                        posRef++;
                        align[posRef] = posHyp;
                        hypErr[posHyp] = err;
                        refErr[posRef] = err;
                    }
                    case OP_DEL -> { // flipped: consumes a hypothesis word
                        posHyp++;
                        hypErr[posHyp] = 1;
                    }
                    case OP_INS -> { // flipped: consumes a reference word
                        posRef++;
                        align[posRef] = posHyp;
                        refErr[posRef] = 1;
                    }
                    default -> throw new IllegalStateException("unknown edit operation " + (char) op);
                }
            }
        }
    }

    /**
     * sacreBLEU's {@code BeamEditDistance}: Levenshtein distance (hypothesis rows, reference columns)
     * computed only in a band around the length-scaled diagonal; the last row is always complete.
     * Rows depend only on the hypothesis prefix, so rows shared with {@code prefixSource} are copied
     * (sacreBLEU caches them in a trie for the same reason; results are identical).
     */
    private static final class Matrix {
        final String[] h;
        final String[] r;
        final int[][] cost;
        final byte[][] op;

        Matrix(String[] h, String[] r, Matrix prefixSource) {
            this.h = h;
            this.r = r;
            int n = h.length, m = r.length;
            cost = new int[n + 1][];
            op = new byte[n + 1][];
            int reuse = prefixSource == null ? 0 : commonPrefix(h, prefixSource.h);
            for (int i = 0; i <= reuse; i++) {
                cost[i] = prefixSource != null ? prefixSource.cost[i] : null;
                op[i] = prefixSource != null ? prefixSource.op[i] : null;
            }
            if (cost[0] == null) {
                // First row: reference words inserted one by one.
                cost[0] = new int[m + 1];
                op[0] = new byte[m + 1];
                for (int j = 0; j <= m; j++) {
                    cost[0][j] = j;
                    op[0][j] = OP_INS;
                }
            }
            double lengthRatio = n > 0 ? (double) m / n : 1;
            // For very different lengths, widen the beam so consecutive rows still overlap.
            int beam = BEAM_WIDTH < lengthRatio / 2 ? (int) Math.ceil(lengthRatio / 2 + BEAM_WIDTH) : BEAM_WIDTH;
            for (int i = reuse + 1; i <= n; i++) {
                int[] c = new int[m + 1];
                byte[] o = new byte[m + 1];
                Arrays.fill(c, INFINITY);
                Arrays.fill(o, OP_UNDEF);
                int diag = (int) Math.floor(i * lengthRatio);
                int minJ = Math.max(0, diag - beam);
                int maxJ = i == n ? m + 1 : Math.min(m + 1, diag + beam);
                int[] above = cost[i - 1];
                for (int j = minJ; j < maxJ; j++) {
                    if (j == 0) {
                        c[0] = above[0] + 1;
                        o[0] = OP_DEL;
                        continue;
                    }
                    boolean same = h[i - 1].equals(r[j - 1]);
                    // Tercom prefers match/substitution, then insertion, then deletion; the trace is
                    // read flipped later, so here deletion comes before insertion.
                    int sub = above[j - 1] + (same ? 0 : 1);
                    if (c[j] > sub) { c[j] = sub; o[j] = same ? OP_NOP : OP_SUB; }
                    int del = above[j] + 1;
                    if (c[j] > del) { c[j] = del; o[j] = OP_DEL; }
                    int ins = c[j - 1] + 1;
                    if (c[j] > ins) { c[j] = ins; o[j] = OP_INS; }
                }
                cost[i] = c;
                op[i] = o;
            }
        }

        private static int commonPrefix(String[] a, String[] b) {
            int k = 0;
            while (k < a.length && k < b.length && a[k].equals(b[k])) k++;
            return k;
        }

        int distance() {
            return cost[h.length][r.length];
        }

        /** Edit operations from (0,0) to (n,m). */
        byte[] trace() {
            byte[] rev = new byte[h.length + r.length];
            int len = 0, i = h.length, j = r.length;
            while (i > 0 || j > 0) {
                byte o = op[i][j];
                rev[len++] = o;
                switch (o) {
                    case OP_SUB, OP_NOP -> { i--; j--; }
                    case OP_INS -> j--;
                    case OP_DEL -> i--;
                    default -> throw new IllegalStateException("unreachable cell in TER edit matrix at " + i + "," + j);
                }
            }
            byte[] trace = new byte[len];
            for (int k = 0; k < len; k++) trace[k] = rev[len - 1 - k];
            return trace;
        }
    }
}
