package dev.hymt4j.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A checkpoint whose tensors the config does not all use disagrees with its config (e.g. {@code num_hidden_layers:
 * 2} over four layers of weights would silently run half the model): that is an error naming the tensors.
 * Ignored, as transformers ignores them: {@code lm_head.weight} when the embeddings are tied, and the
 * {@code rotary_emb.inv_freq} buffers older checkpoints saved.
 */
public final class UnusedTensors {
    private static final Pattern LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\..*");
    private static final int SHOWN = 6;

    private UnusedTensors() {}

    /** @param where the model directory or file, for the message */
    public static void check(Path where, Iterable<String> tensorNames, Set<String> used, ModelConfig config) throws ModelException {
        List<String> unused = new ArrayList<>();
        for (String name : tensorNames) {
            if (used.contains(name) || ignorable(name, config)) continue;
            unused.add(name);
        }
        if (unused.isEmpty()) return;
        TreeSet<Integer> extraLayers = new TreeSet<>();
        for (String name : unused) {
            Matcher m = LAYER.matcher(name);
            if (m.matches() && Long.parseLong(m.group(1)) >= config.numLayers()) extraLayers.add(Integer.parseInt(m.group(1)));
        }
        String why = extraLayers.isEmpty() ? ""
                : "; the checkpoint has layers up to " + extraLayers.last() + " but config.json says num_hidden_layers "
                + config.numLayers();
        String shown = String.join(", ", unused.subList(0, Math.min(SHOWN, unused.size())))
                + (unused.size() > SHOWN ? ", ..." : "");
        throw new ModelException(where + ": " + unused.size() + " tensor" + (unused.size() == 1 ? "" : "s")
                + " that config.json does not use (" + shown + ")" + why + "; the config does not match these weights");
    }

    private static boolean ignorable(String name, ModelConfig config) {
        return name.endsWith("rotary_emb.inv_freq") || name.equals("lm_head.weight") && config.tieWordEmbeddings();
    }
}
