package dev.hymt4j.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.io.AtomicFile;
import dev.hymt4j.io.ConfigFields;
import dev.hymt4j.tokenizer.EncodeOptions;
import dev.hymt4j.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hymt tokenize}: token ids of texts, never adding special tokens. Batch form for programs
 * ({@code --in texts.json --out ids.json}), or TEXT arguments printed with their pieces for people.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Encode texts to token ids (no special tokens added).",
                "Batch: --in texts.json (a JSON array of strings) --out ids.json, written as {\"ids\": [[...], ...]}.",
                "Interactive: TEXT... prints each text's ids and token pieces."})
public final class TokenizeCommand implements Callable<Integer> {

    @Reads(Reads.Kind.FILE_OR_DIRECTORY)
    @Option(names = "--tokenizer", required = true, paramLabel = "PATH",
            description = "A tokenizer.json, a .tiktoken file, or a model directory holding one.")
    Path tokenizerPath;

    @Reads(Reads.Kind.FILE)
    @Option(names = "--in", paramLabel = "texts.json", description = "JSON array of strings to encode.")
    Path in;

    @Writes(Writes.Kind.FILE)
    @Option(names = "--out", paramLabel = "ids.json", description = "Where to write {\"ids\": [[...], ...]}.")
    Path out;

    @CommandLine.Mixin
    ForceOption force;

    @Option(names = "--specials-as-text",
            description = "Encode special-token strings found in the text (e.g. <think>) as plain text instead of their ids.")
    boolean specialsAsText;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to show as ids and pieces.")
    List<String> texts = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        boolean batch = in != null || out != null;
        if (batch && (in == null || out == null))
            throw new CommandLine.ParameterException(spec.commandLine(), "--in and --out go together");
        if (batch && !texts.isEmpty())
            throw new CommandLine.ParameterException(spec.commandLine(), "give either --in/--out or TEXT arguments, not both");
        if (!batch && texts.isEmpty())
            throw new CommandLine.ParameterException(spec.commandLine(), "nothing to tokenize: give --in/--out or TEXT arguments");

        Tokenizer tokenizer = Tokenizer.load(tokenizerPath);
        EncodeOptions options = specialsAsText ? EncodeOptions.PLAIN_TEXT : EncodeOptions.DEFAULT;
        if (batch) encodeFile(tokenizer, options);
        else show(tokenizer, options);
        return 0;
    }

    private void encodeFile(Tokenizer tokenizer, EncodeOptions options) throws IOException {
        List<String> inputs = readTexts(in);
        long[] tokens = {0};
        AtomicFile.write(out, channel -> {
            OutputStream stream = Channels.newOutputStream(channel);
            try (JsonGenerator json = new ObjectMapper().getFactory().createGenerator(stream, JsonEncoding.UTF8)
                    .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
                json.writeStartObject();
                json.writeArrayFieldStart("ids");
                for (String text : inputs) {
                    int[] ids = tokenizer.encode(text, options);
                    tokens[0] += ids.length;
                    json.writeArray(ids, 0, ids.length);
                }
                json.writeEndArray();
                json.writeEndObject();
            }
        });
        spec.commandLine().getOut().printf("%d texts, %d tokens → %s%n", inputs.size(), tokens[0], out);
    }

    private static List<String> readTexts(Path file) throws IOException {
        JsonNode root = ConfigFields.read(file, IOException::new);
        if (root == null || !root.isArray()) throw new IOException(file + ": expected a JSON array of strings");
        List<String> texts = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            if (!root.get(i).isTextual()) throw new IOException(file + ": item " + i + ": expected a string, found " + root.get(i).getNodeType());
            texts.add(root.get(i).asText());
        }
        return texts;
    }

    private void show(Tokenizer tokenizer, EncodeOptions options) {
        PrintWriter w = spec.commandLine().getOut();
        for (String text : texts) {
            int[] ids = tokenizer.encode(text, options);
            w.println(ids.length + " tokens: " + java.util.Arrays.toString(ids));
            for (int id : ids) {
                w.printf("  %8d  %-24s %s%n", id, tokenizer.tokenString(id), quote(tokenizer.decode(new int[] {id}, false, false)));
            }
        }
        w.flush();
    }

    /** The decoded text of one token, quoted with control characters visible. */
    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case '"' -> b.append("\\\"");
                default -> {
                    if (Character.isISOControl(cp)) b.append(String.format("\\u%04x", cp));
                    else b.appendCodePoint(cp);
                }
            }
        });
        return b.append('"').toString();
    }
}
