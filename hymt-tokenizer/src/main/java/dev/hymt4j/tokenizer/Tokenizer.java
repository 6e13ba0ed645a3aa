package dev.hymt4j.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A byte-level BPE tokenizer loaded from a Hugging Face {@code tokenizer.json} or a tiktoken rank file, producing
 * the same ids as the {@code tokenizers} library. Encoding runs: added-token split of the raw text → normalizer
 * → added-token split of the normalized text (tokens flagged {@code normalized}) → pre-tokenizer → BPE per piece
 * (cached) → optional post-processor template. Instances are immutable and thread-safe.
 *
 * <p>Special-token text inside the input (e.g. a literal {@code <｜hy_User｜>} in a sentence to translate) becomes
 * the special id by default, as in Hugging Face; pass {@link EncodeOptions#PLAIN_TEXT} to encode it as ordinary
 * text instead, which is the safer choice for untrusted translation input.
 */
public final class Tokenizer {
    private final UnaryOperator<String> normalizer;
    private final AddedTokenMatcher rawAddedTokens;
    private final AddedTokenMatcher normalizedAddedTokens;
    private final PreTokenizer preTokenizer;
    private final BpeModel model;
    private final PostProcessor postProcessor;
    private final boolean cleanUpSpacesByDefault;
    private final Map<String, Integer> tokenToId;
    private final String[] idToToken;
    private final byte[][] idToBytes;
    private final boolean[] special;
    private final int[] specialIds;

    Tokenizer(UnaryOperator<String> normalizer, PreTokenizer preTokenizer, BpeModel model,
              List<AddedToken> addedTokens, PostProcessor postProcessor, boolean cleanUpSpacesByDefault) {
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.model = model;
        this.postProcessor = postProcessor;
        this.cleanUpSpacesByDefault = cleanUpSpacesByDefault;

        List<AddedToken> raw = new ArrayList<>(), normalized = new ArrayList<>();
        List<String> rawKeys = new ArrayList<>(), normalizedKeys = new ArrayList<>();
        for (AddedToken t : addedTokens) {
            if (t.normalized() && normalizer != null) {
                normalized.add(t);
                normalizedKeys.add(normalizer.apply(t.content()));
            } else {
                raw.add(t);
                rawKeys.add(t.content());
            }
        }
        this.rawAddedTokens = new AddedTokenMatcher(raw, rawKeys);
        this.normalizedAddedTokens = new AddedTokenMatcher(normalized, normalizedKeys);

        int size = 0;
        for (int id : model.vocab().values()) size = Math.max(size, id + 1);
        for (AddedToken t : addedTokens) size = Math.max(size, t.id() + 1);
        idToToken = new String[size];
        model.vocab().forEach((token, id) -> idToToken[id] = token);
        tokenToId = new HashMap<>(model.vocab());
        special = new boolean[size];
        for (AddedToken t : addedTokens) {
            idToToken[t.id()] = t.content(); // as in tokenizers, an added token overrides a model entry
            tokenToId.put(t.content(), t.id());
            special[t.id()] = t.special();
        }
        idToBytes = new byte[size][];
        for (int id = 0; id < size; id++) if (idToToken[id] != null) idToBytes[id] = ByteLevel.decodeToken(idToToken[id]);
        specialIds = java.util.stream.IntStream.range(0, size).filter(id -> special[id]).toArray();
    }

    /**
     * Loads a tokenizer from a {@code tokenizer.json}, a GGUF model file (its {@code tokenizer.ggml.*} metadata), a
     * {@code .tiktoken} rank file (HY 7B conventions, see
     * {@link TiktokenConfig#hunyuan7b()}), or a model directory holding {@code tokenizer.json} or exactly one
     * {@code *.tiktoken} file. {@code clean_up_tokenization_spaces} is read from a {@code tokenizer_config.json}
     * beside the file (default false).
     *
     * @throws TokenizerLoadException naming the file and what is wrong with it
     */
    public static Tokenizer load(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Path json = path.resolve("tokenizer.json");
            if (Files.isRegularFile(json)) return TokenizerJsonLoader.load(json);
            List<Path> tiktoken;
            try (var files = Files.list(path)) {
                tiktoken = files.filter(p -> p.getFileName().toString().endsWith(".tiktoken")).sorted().toList();
            }
            if (tiktoken.size() == 1) return TiktokenLoader.load(tiktoken.get(0), TiktokenConfig.hunyuan7b());
            throw new TokenizerLoadException(path, tiktoken.isEmpty()
                    ? "no tokenizer.json or *.tiktoken file in this directory"
                    : "no tokenizer.json and several *.tiktoken files " + tiktoken + "; name the one to use");
        }
        if (!Files.exists(path)) throw new TokenizerLoadException(path, "file not found");
        if (dev.hymt4j.gguf.GgufFile.isGguf(path)) return GgufTokenizerLoader.load(path);
        if (path.getFileName().toString().endsWith(".tiktoken")) return TiktokenLoader.load(path, TiktokenConfig.hunyuan7b());
        return TokenizerJsonLoader.load(path);
    }

    /** The tokenizer in the metadata of an open GGUF file; {@code file} names it in errors. */
    public static Tokenizer fromGguf(dev.hymt4j.gguf.GgufMetadata metadata, Path file) throws TokenizerLoadException {
        return GgufTokenizerLoader.load(metadata, file);
    }

    /**
     * Loads a {@code .tiktoken} rank file with explicit conventions (special tokens, split regex, NFC), for
     * models other than HY 7B.
     */
    public static Tokenizer loadTiktoken(Path file, TiktokenConfig config) throws IOException {
        return TiktokenLoader.load(file, config);
    }

    /** Ids of {@code text} with no special tokens added; special-token text in it is matched (HF default). */
    public int[] encode(String text) {
        return encode(text, EncodeOptions.DEFAULT);
    }

    public int[] encode(String text, EncodeOptions options) {
        IntList ids = new IntList();
        List<AddedTokenMatcher.Segment> segments = new ArrayList<>();
        List<String> pieces = new ArrayList<>();
        rawAddedTokens.split(text, options.allowSpecial(), segments);
        for (AddedTokenMatcher.Segment segment : segments) {
            if (segment.token() != null) {
                ids.add(segment.token().id());
                continue;
            }
            String part = text.substring(segment.start(), segment.end());
            if (normalizer != null) part = normalizer.apply(part);
            if (normalizedAddedTokens.isEmpty()) {
                encodePlain(part, pieces, ids);
                continue;
            }
            List<AddedTokenMatcher.Segment> inner = new ArrayList<>();
            normalizedAddedTokens.split(part, options.allowSpecial(), inner);
            for (AddedTokenMatcher.Segment s : inner) {
                if (s.token() != null) ids.add(s.token().id());
                else encodePlain(part.substring(s.start(), s.end()), pieces, ids);
            }
        }
        int[] result = ids.toArray();
        return options.addSpecialTokens() ? postProcessor.apply(result) : result;
    }

    private void encodePlain(String text, List<String> pieces, IntList ids) {
        pieces.clear();
        preTokenizer.split(text, pieces);
        for (String piece : pieces) model.encodePiece(piece, ids);
    }

    /** Text of {@code ids}, with {@code clean_up_tokenization_spaces} as configured for this tokenizer. */
    public String decode(int[] ids, boolean skipSpecial) {
        return decode(ids, skipSpecial, cleanUpSpacesByDefault);
    }

    /**
     * Text of {@code ids}: token bytes concatenated and decoded as UTF-8, invalid sequences becoming U+FFFD.
     *
     * @param cleanUpSpaces apply transformers' {@code clean_up_tokenization_spaces} replacements (e.g.
     *                      {@code " ."} → {@code "."}); needed for parity with Hugging Face {@code decode} on
     *                      tokenizers that enable it, usually unwanted for translation output
     */
    public String decode(int[] ids, boolean skipSpecial, boolean cleanUpSpaces) {
        var bytes = new java.io.ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            if (skipSpecial && isSpecial(id)) continue;
            bytes.writeBytes(tokenBytes(id));
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        return cleanUpSpaces ? cleanUpTokenizationSpaces(text) : text;
    }

    /** transformers' {@code clean_up_tokenization}: these literal replacements, in this order. */
    static String cleanUpTokenizationSpaces(String text) {
        return text.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s")
                .replace(" 've", "'ve").replace(" 're", "'re");
    }

    /** A decoder for ids arriving one at a time. */
    public StreamDecoder streamDecoder(boolean skipSpecial) {
        return new StreamDecoder(this, skipSpecial);
    }

    /** Id of a token string (byte-level form for ordinary tokens, e.g. {@code "Ġthe"}; content for added tokens). */
    public int tokenId(String token) {
        Integer id = tokenToId.get(token);
        if (id == null) throw new IllegalArgumentException("no token \"" + token + "\" in the vocabulary");
        return id;
    }

    /** Id of a token string, or −1 when the vocabulary has no such token. */
    public int findTokenId(String token) {
        Integer id = tokenToId.get(token);
        return id == null ? -1 : id;
    }

    /** The token string of an id (byte-level form, e.g. {@code "Ġthe"}; content for added tokens). */
    public String tokenString(int id) {
        checkId(id);
        return idToToken[id];
    }

    /** Number of ids, i.e. one more than the highest id (model vocabulary plus added tokens). */
    public int vocabSize() {
        return idToToken.length;
    }

    /** Ids of the added tokens flagged special, ascending. */
    public int[] specialTokenIds() {
        return specialIds.clone();
    }

    public boolean isSpecial(int id) {
        return id >= 0 && id < special.length && special[id];
    }

    /** Whether decoding applies {@code clean_up_tokenization_spaces} unless told otherwise. */
    public boolean cleansUpSpacesByDefault() {
        return cleanUpSpacesByDefault;
    }

    /**
     * The bytes an id decodes to; none for an id outside the vocabulary, which decoding skips as Hugging Face
     * does (a model's embedding may be padded past the tokenizer, and a sampled padding id must not crash).
     */
    byte[] tokenBytes(int id) {
        if (id < 0 || id >= idToBytes.length || idToBytes[id] == null) return NO_BYTES;
        return idToBytes[id];
    }

    private static final byte[] NO_BYTES = new byte[0];

    private void checkId(int id) {
        if (id < 0 || id >= idToToken.length || idToToken[id] == null)
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary (size " + idToToken.length + ")");
    }

    @Override
    public String toString() {
        return "Tokenizer[vocabSize=" + vocabSize() + ", specialTokens=" + specialIds.length + "]";
    }
}
