package dev.hymt4j.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code .tiktoken} rank file: one {@code <base64 bytes> <rank>} per line. As in HY's loader, the rank
 * column is ignored, duplicate byte strings are skipped, and ids run from 0 in file order; the special tokens
 * follow. tiktoken merges the adjacent pair whose concatenation has the lowest rank, and emits a piece that is
 * itself a token whole; this is expressed as a merge table (each way of splitting a token into two tokens
 * merges to it, with the token's id as rank) so the shared BPE engine applies.
 */
final class TiktokenLoader {
    private TiktokenLoader() {}

    static Tokenizer load(Path file, TiktokenConfig config) throws IOException {
        Map<String, Integer> vocab = new HashMap<>();
        List<String> byId = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                String[] fields = line.trim().split("\\s+");
                if (fields.length != 2) throw new TokenizerLoadException(file, "line " + lineNo + ": expected \"<base64 token> <rank>\", found \"" + line + "\"");
                byte[] bytes;
                try {
                    bytes = Base64.getDecoder().decode(fields[0]);
                    Integer.parseInt(fields[1]);
                } catch (IllegalArgumentException e) {
                    throw new TokenizerLoadException(file, "line " + lineNo + ": expected \"<base64 token> <rank>\", found \"" + line + "\" (" + e.getMessage() + ")");
                }
                if (bytes.length == 0) throw new TokenizerLoadException(file, "line " + lineNo + ": empty token");
                String token = ByteLevel.encode(bytes);
                if (vocab.putIfAbsent(token, byId.size()) == null) byId.add(token);
            }
        } catch (NoSuchFileException e) {
            throw new TokenizerLoadException(file, "file not found", e);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new TokenizerLoadException(file, "not a text file (invalid UTF-8)", e);
        }
        if (byId.isEmpty()) throw new TokenizerLoadException(file, "no tokens");

        PairTable merges = new PairTable(byId.size() * 2);
        for (int id = 0; id < byId.size(); id++) {
            String token = byId.get(id);
            for (int cut = 1; cut < token.length(); cut++) {
                Integer left = vocab.get(token.substring(0, cut));
                Integer right = left == null ? null : vocab.get(token.substring(cut));
                if (right != null) merges.put(left, right, id, id);
            }
        }
        List<AddedToken> specials = new ArrayList<>();
        for (String s : config.specialTokens()) specials.add(AddedToken.special(byId.size() + specials.size(), s));
        var normalizer = config.nfc() ? (java.util.function.UnaryOperator<String>) s -> Normalizer.isNormalized(s, Normalizer.Form.NFC) ? s : Normalizer.normalize(s, Normalizer.Form.NFC) : null;
        PreTokenizer split = PreTokenizer.splitRegex(config.splitRegex(), PreTokenizer.SplitBehavior.Isolated, false);
        return new Tokenizer(normalizer, split, new BpeModel(vocab, merges, -1, true), specials, PostProcessor.NONE, false);
    }
}
