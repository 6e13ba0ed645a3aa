package dev.hymt4j.tokenizer;

/**
 * What {@code add_special_tokens=True} adds around a single sequence: fixed ids before and after it. Covers
 * {@code TemplateProcessing} (single template), {@code RobertaProcessing}, {@code BertProcessing}, and the
 * id-neutral {@code ByteLevel}, alone or in a {@code Sequence}.
 */
record PostProcessor(int[] before, int[] after) {
    static final PostProcessor NONE = new PostProcessor(new int[0], new int[0]);

    int[] apply(int[] ids) {
        int[] out = new int[before.length + ids.length + after.length];
        System.arraycopy(before, 0, out, 0, before.length);
        System.arraycopy(ids, 0, out, before.length, ids.length);
        System.arraycopy(after, 0, out, before.length + ids.length, after.length);
        return out;
    }

    /** This template applied inside {@code outer} (a Sequence runs its processors in order). */
    PostProcessor then(PostProcessor outer) {
        return new PostProcessor(concat(outer.before, before), concat(after, outer.after));
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
