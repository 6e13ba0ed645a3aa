package dev.hymt4j.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Learns a byte-level BPE vocabulary from text and writes it as a HY-style {@code tokenizer.json} (spec §4: no
 * normalizer, the given pre-tokenizer ending in {@code ByteLevel(use_regex=false)}, byte-level decoder, the
 * special tokens as added tokens with ids right after the learned vocabulary) plus a {@code tokenizer_config.json}.
 *
 * <p>Algorithm: count the distinct pre-tokenized pieces, start every piece as its bytes (ids 0–255 in GPT-2's
 * byte order, so id 0 is {@code !} as in HY), count adjacent symbol pairs weighted by piece frequency, then
 * repeatedly merge the most frequent pair (ties: smallest left id, then smallest right id). Only the pieces that
 * contain the merged pair are rewritten, and their pair counts updated, so a merge costs time proportional to
 * the text it touches; a priority queue with lazy re-checking finds the next best pair.
 */
public final class BpeTrainer {
    private final int vocabSize;
    private PreTokenizer preTokenizer = PreTokenizer.hunyuan();
    private List<String> specialTokens = HunyuanTokens.SPECIAL_TOKENS;
    private int minFrequency = 2;

    /** @param vocabSize size of the learned byte-level vocabulary (256 bytes + merges); special tokens come on top */
    public BpeTrainer(int vocabSize) {
        if (vocabSize < 256) throw new IllegalArgumentException("vocabSize must be at least 256 (the byte alphabet), got " + vocabSize);
        this.vocabSize = vocabSize;
    }

    /** The pre-tokenizer used for training and written to the file (default: {@link PreTokenizer#hunyuan()}). */
    public BpeTrainer preTokenizer(PreTokenizer preTokenizer) {
        this.preTokenizer = preTokenizer;
        return this;
    }

    /** Special tokens, given ids in this order after the learned vocabulary (default {@link HunyuanTokens#SPECIAL_TOKENS}). */
    public BpeTrainer specialTokens(List<String> specialTokens) {
        this.specialTokens = List.copyOf(specialTokens);
        return this;
    }

    /** Pairs seen fewer times than this are never merged, so training may stop below the vocab size (default 2). */
    public BpeTrainer minFrequency(int minFrequency) {
        this.minFrequency = minFrequency;
        return this;
    }

    /** A trained vocabulary: token strings by id (byte-level form) and the merges in rank order. */
    public record Result(List<String> vocab, List<String[]> merges, List<String> specialTokens, PreTokenizer preTokenizer) {

        /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir} (each via a temp file and rename). */
        public void writeTo(Path dir) throws IOException {
            Files.createDirectories(dir);
            ObjectMapper json = new ObjectMapper();
            writeAtomically(dir.resolve("tokenizer.json"), json.writeValueAsBytes(tokenizerJson()));
            writeAtomically(dir.resolve("tokenizer_config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(tokenizerConfig()));
        }

        /** The Hugging Face {@code tokenizer.json} content. */
        public ObjectNode tokenizerJson() {
            ObjectNode byteLevel = TokenizerJsonSkeleton.byteLevel(false, false, false);
            ObjectNode root = TokenizerJsonSkeleton.root(preTokenizer.toJson(), byteLevel, byteLevel.deepCopy());
            for (int i = 0; i < specialTokens.size(); i++) TokenizerJsonSkeleton.addToken(root, vocab.size() + i, specialTokens.get(i), true);
            ObjectNode vocabNode = TokenizerJsonSkeleton.vocab(root);
            for (int id = 0; id < vocab.size(); id++) vocabNode.put(vocab.get(id), id);
            ArrayNode mergesNode = TokenizerJsonSkeleton.merges(root);
            for (String[] m : merges) mergesNode.addArray().add(m[0]).add(m[1]);
            return root;
        }

        /** A {@code tokenizer_config.json} like HY's: fast tokenizer class, BOS/EOS/PAD when present, space clean-up on. */
        public ObjectNode tokenizerConfig() {
            ObjectNode config = JsonNodeFactory.instance.objectNode();
            config.put("tokenizer_class", "PreTrainedTokenizerFast");
            if (specialTokens.contains(HunyuanTokens.BOS)) config.put("bos_token", HunyuanTokens.BOS);
            if (specialTokens.contains(HunyuanTokens.EOS)) config.put("eos_token", HunyuanTokens.EOS);
            if (specialTokens.contains(HunyuanTokens.PAD)) config.put("pad_token", HunyuanTokens.PAD);
            config.put("add_bos_token", false);
            config.put("add_eos_token", false);
            config.put("clean_up_tokenization_spaces", true);
            ObjectNode decoder = config.putObject("added_tokens_decoder");
            for (int i = 0; i < specialTokens.size(); i++) {
                ObjectNode t = decoder.putObject(Integer.toString(vocab.size() + i));
                t.put("content", specialTokens.get(i));
                t.put("lstrip", false);
                t.put("normalized", false);
                t.put("rstrip", false);
                t.put("single_word", false);
                t.put("special", true);
            }
            return config;
        }


        private static void writeAtomically(Path target, byte[] content) throws IOException {
            Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), target.getFileName().toString(), ".tmp");
            try {
                Files.write(tmp, content);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** A distinct pre-tokenized piece: its current symbols and how often it occurs. */
    private static final class Word {
        int[] symbols;
        final long count;

        Word(int[] symbols, long count) {
            this.symbols = symbols;
            this.count = count;
        }
    }

    private record Candidate(long count, long pair) {}

    public Result train(Iterable<String> texts) {
        PreTokenizer splitter = endingInByteLevel(preTokenizer);
        List<Word> words = countWords(texts, splitter);

        List<String> vocab = new ArrayList<>(vocabSize);
        Map<String, Integer> ids = new HashMap<>();
        for (int rank = 0; rank < 256; rank++) {
            String symbol = String.valueOf(ByteLevel.charOf(ByteLevel.byteAtRank(rank)));
            ids.put(symbol, vocab.size());
            vocab.add(symbol);
        }

        Map<Long, long[]> pairCounts = new HashMap<>();
        Map<Long, IntList> pairWords = new HashMap<>();
        for (int w = 0; w < words.size(); w++) {
            int[] s = words.get(w).symbols;
            for (int i = 0; i + 1 < s.length; i++) {
                long pair = pairKey(s[i], s[i + 1]);
                pairCounts.computeIfAbsent(pair, k -> new long[1])[0] += words.get(w).count;
                pairWords.computeIfAbsent(pair, k -> new IntList()).add(w);
            }
        }
        PriorityQueue<Candidate> queue = new PriorityQueue<>(
                (x, y) -> x.count != y.count ? Long.compare(y.count, x.count) : Long.compare(x.pair, y.pair));
        pairCounts.forEach((pair, count) -> queue.add(new Candidate(count[0], pair)));

        List<String[]> merges = new ArrayList<>();
        int[] touched = new int[words.size()];
        while (vocab.size() < vocabSize && !queue.isEmpty()) {
            Candidate best = queue.poll();
            long[] current = pairCounts.get(best.pair);
            long count = current == null ? 0 : current[0];
            if (count != best.count) { // stale entry: re-queue with the up-to-date count
                if (count > 0) queue.add(new Candidate(count, best.pair));
                continue;
            }
            if (count < minFrequency) break;
            int left = (int) (best.pair >>> 32), right = (int) best.pair;
            String merged = vocab.get(left) + vocab.get(right);
            Integer newId = ids.get(merged);
            if (newId == null) {
                newId = vocab.size();
                ids.put(merged, newId);
                vocab.add(merged);
            }
            merges.add(new String[] {vocab.get(left), vocab.get(right)});
            applyMerge(best.pair, newId, words, pairCounts, pairWords, touched, merges.size(), queue);
        }
        return new Result(List.copyOf(vocab), List.copyOf(merges), specialTokens, splitter);
    }

    private static PreTokenizer endingInByteLevel(PreTokenizer p) {
        ObjectNode json = p.toJson();
        boolean endsInByteLevel = "ByteLevel".equals(json.path("type").asText())
                || ("Sequence".equals(json.path("type").asText())
                    && "ByteLevel".equals(json.path("pretokenizers").path(json.path("pretokenizers").size() - 1).path("type").asText()));
        return endsInByteLevel ? p : PreTokenizer.sequence(List.of(p, PreTokenizer.byteLevel(false, false)));
    }

    private static List<Word> countWords(Iterable<String> texts, PreTokenizer splitter) {
        Map<String, long[]> counts = new HashMap<>();
        List<String> pieces = new ArrayList<>();
        for (String text : texts) {
            pieces.clear();
            splitter.split(text, pieces);
            for (String piece : pieces) counts.computeIfAbsent(piece, k -> new long[1])[0]++;
        }
        int[] idOfByte = new int[256];
        for (int rank = 0; rank < 256; rank++) idOfByte[ByteLevel.byteAtRank(rank)] = rank;
        List<Word> words = new ArrayList<>(counts.size());
        counts.forEach((piece, count) -> {
            byte[] bytes = piece.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int[] symbols = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) symbols[i] = idOfByte[bytes[i] & 0xFF];
            words.add(new Word(symbols, count[0]));
        });
        return words;
    }

    /**
     * Rewrites every word containing {@code pair}, moving its pair counts from the old symbols to the new ones,
     * and queues the pairs that now involve the merged symbol.
     */
    private static void applyMerge(long pair, int newId, List<Word> words, Map<Long, long[]> pairCounts,
                                   Map<Long, IntList> pairWords, int[] touched, int stamp, PriorityQueue<Candidate> queue) {
        int left = (int) (pair >>> 32), right = (int) pair;
        IntList candidates = pairWords.remove(pair);
        if (candidates == null) return;
        java.util.Set<Long> grown = new java.util.HashSet<>();
        for (int w : candidates.toArray()) {
            if (touched[w] == stamp) continue; // listed twice
            touched[w] = stamp;
            Word word = words.get(w);
            int[] s = word.symbols;
            int[] merged = new int[s.length];
            int n = 0;
            for (int i = 0; i < s.length; i++) {
                if (i + 1 < s.length && s[i] == left && s[i + 1] == right) {
                    merged[n++] = newId;
                    i++;
                } else {
                    merged[n++] = s[i];
                }
            }
            if (n == s.length) continue; // the pair no longer occurs in this word
            for (int i = 0; i + 1 < s.length; i++) pairCounts.get(pairKey(s[i], s[i + 1]))[0] -= word.count;
            word.symbols = java.util.Arrays.copyOf(merged, n);
            for (int i = 0; i + 1 < n; i++) {
                long p = pairKey(merged[i], merged[i + 1]);
                pairCounts.computeIfAbsent(p, k -> new long[1])[0] += word.count;
                if (merged[i] == newId || merged[i + 1] == newId) {
                    pairWords.computeIfAbsent(p, k -> new IntList()).add(w);
                    grown.add(p);
                }
            }
        }
        pairCounts.remove(pair);
        for (long p : grown) queue.add(new Candidate(pairCounts.get(p)[0], p));
    }

    private static long pairKey(int left, int right) {
        return ((long) left << 32) | right;
    }
}
