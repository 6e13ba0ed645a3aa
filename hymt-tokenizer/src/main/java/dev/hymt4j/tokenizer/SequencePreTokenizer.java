package dev.hymt4j.tokenizer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** The {@code Sequence} pre-tokenizer: each stage splits every piece the stage before produced. */
final class SequencePreTokenizer implements PreTokenizer {
    private final List<PreTokenizer> stages;

    SequencePreTokenizer(List<PreTokenizer> stages) {
        this.stages = List.copyOf(stages);
    }

    @Override
    public void split(String text, List<String> out) {
        List<String> current = new ArrayList<>();
        current.add(text);
        for (PreTokenizer stage : stages) {
            List<String> next = new ArrayList<>(current.size() * 2);
            for (String piece : current) stage.split(piece, next);
            current = next;
        }
        out.addAll(current);
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("type", "Sequence");
        var array = node.putArray("pretokenizers");
        for (PreTokenizer stage : stages) array.add(stage.toJson());
        return node;
    }
}
