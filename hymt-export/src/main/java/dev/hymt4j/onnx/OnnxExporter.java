package dev.hymt4j.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.gguf.GgufCheckpoint;
import dev.hymt4j.gguf.GgufFile;
import dev.hymt4j.gguf.GgufMetadata;
import dev.hymt4j.io.AtomicFile;
import dev.hymt4j.tokenizer.GgufTokenizerFiles;
import dev.hymt4j.tokenizer.TokenizerLoadException;
import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.onnx.proto.OnnxProto.ModelProto;
import dev.hymt4j.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.hymt4j.quant.GptqConfig;
import dev.hymt4j.weights.WeightSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code hymt export onnx}: a model directory (float, or a GPTQ checkpoint) or a GGUF file → {@code model.onnx} (+
 * {@code model.onnx.data} when the weights exceed what one protobuf holds), {@code genai_config.json} for
 * onnxruntime-genai, and the tokenizer files beside it (formats spec §6).
 *
 * <p>Precisions: {@code fp32}; {@code fp16} (float16 weights cast to float32 in the graph: half the file, float32
 * compute and I/O, what ORT's CPU provider runs well); {@code int4} — every decoder linear as
 * {@code MatMulNBits}: a GPTQ checkpoint's codes, scales and zeros carried over losslessly (block = its group
 * size), a GGUF's Q4_0 blocks carried over losslessly (block 32: MatMulNBits' default zero point 8 is Q4_0's),
 * a float model — or a GGUF matrix in another block format, dequantized first — quantized round-to-nearest,
 * symmetric, in blocks of {@code --block-size}; embedding and LM head stay float32 (dequantized from a GGUF).
 */
public final class OnnxExporter {
    public enum Precision { FP32, FP16, INT4 }

    /**
     * @param blockSize     MatMulNBits block for int4 from a float model (a GPTQ checkpoint keeps its group size)
     * @param accuracyLevel MatMulNBits' lowest compute precision: 0 unset, 1 fp32, 2 fp16, 3 bf16, 4 int8
     * @param external      force external data on (true) or off (false); null: only when over the protobuf limit
     */
    public record Options(Precision precision, int blockSize, int accuracyLevel, Boolean external) {
        public Options {
            if (blockSize < 16 || blockSize > 4096 || Integer.bitCount(blockSize) != 1) {
                throw new IllegalArgumentException("--block-size " + blockSize + ": MatMulNBits needs a power of two from 16 to 4096");
            }
            if (accuracyLevel < 0 || accuracyLevel > 4) {
                throw new IllegalArgumentException("--accuracy-level " + accuracyLevel + ": expected 0 (unset), 1 (fp32), 2 (fp16), 3 (bf16) or 4 (int8)");
            }
        }
    }

    /**
     * @param requantized for int4 from a quantized GGUF: each matrix whose blocks were not Q4_0 (so were dequantized
     *                    and re-quantized round-to-nearest), with its relative L2 error against the GGUF weights
     * @param notes       what a user should know about the export (e.g. files a GGUF source cannot provide)
     */
    public record Result(Path model, boolean externalData, long weightBytes, int blockSize, int carriedOver,
                         Map<String, Double> requantized, List<String> notes) {}

    public static final String MODEL_FILE = "model.onnx";
    static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
            "generation_config.json", "chat_template.jinja", "hy.tiktoken");

    private OnnxExporter() {}

    public static Result export(Path model, Path outDir, Options o) throws IOException {
        boolean gguf = GgufFile.isGguf(model);
        if (!gguf && Files.exists(outDir) && Files.isSameFile(outDir, model)) {
            throw new IllegalArgumentException(outDir + ": the output directory must differ from the model directory");
        }
        try (WeightSource source = gguf ? GgufCheckpoint.open(model) : Checkpoint.open(model)) {
            ModelConfig c = source.config();
            ModelWeights w = ModelWeights.load(source);
            GptqConfig gptq = gguf ? null : GptqConfig.find(model);
            OnnxGraph graph = new OnnxGraph("hymt4j_hunyuan_dense");
            OnnxInitializers weights = new OnnxInitializers();
            DecoderGraph decoder = new DecoderGraph(c, graph, weights, o, gptq == null ? -1 : gptq.groupSize());
            decoder.build(w);
            Files.createDirectories(outDir);
            boolean external = o.external() != null ? o.external() : weights.totalBytes() > OnnxInitializers.INLINE_LIMIT;
            weights.emit(graph.graph, outDir, external);
            ModelProto proto = ModelProto.newBuilder().setIrVersion(10).setProducerName("hymt4j").setProducerVersion("0.1.0")
                    .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(18))
                    .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(OnnxGraph.MICROSOFT).setVersion(1))
                    .setGraph(graph.graph).build();
            Path file = outDir.resolve(MODEL_FILE);
            AtomicFile.write(file, proto.toByteArray());
            // A GGUF carries its tokenizer and generation settings as metadata, not as the files genai reads.
            Path sideFiles = gguf ? null : model;
            writeGenaiConfig(sideFiles, outDir, c);
            List<String> notes = new ArrayList<>();
            if (sideFiles != null) {
                for (String name : TOKENIZER_FILES) {
                    Path f = model.resolve(name);
                    if (Files.isRegularFile(f)) Files.copy(f, outDir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            } else {
                notes.addAll(tokenizerFromGguf(((GgufCheckpoint) source).file().metadata(), model, outDir));
            }
            int blockSize = o.precision() == Precision.INT4 ? decoder.blockSize() : 0;
            return new Result(file, external, weights.totalBytes(), blockSize, decoder.carriedOver(), decoder.requantized(), notes);
        }
    }

    /**
     * tokenizer.json and tokenizer_config.json written from the GGUF's tokenizer metadata (genai and transformers
     * read files, not metadata); what a user must know when the GGUF's tokenizer cannot be written.
     */
    private static List<String> tokenizerFromGguf(GgufMetadata metadata, Path gguf, Path outDir) throws IOException {
        try {
            GgufTokenizerFiles.write(metadata, gguf, outDir);
            return List.of("tokenizer.json and tokenizer_config.json were written from the GGUF's tokenizer metadata (the chat "
                    + "template and special tokens it holds; clean_up_tokenization_spaces false, as llama.cpp decodes)");
        } catch (TokenizerLoadException e) {
            return List.of("no tokenizer files: " + e.getMessage() + "; copy tokenizer.json and tokenizer_config.json from the "
                    + "model's Hugging Face directory into " + outDir.getFileName() + " for onnxruntime-genai");
        }
    }

    /**
     * {@code genai_config.json} with only the keys onnxruntime-genai's config reader knows (spec §6.3); search
     * settings from {@code model}'s generation_config.json ({@code model} null: the defaults).
     */
    static void writeGenaiConfig(Path model, Path outDir, ModelConfig c) throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode gen = model != null && Files.isRegularFile(model.resolve("generation_config.json"))
                ? json.readTree(model.resolve("generation_config.json").toFile()) : json.createObjectNode();
        ObjectNode root = json.createObjectNode();
        ObjectNode m = root.putObject("model");
        m.put("bos_token_id", c.bosTokenId() >= 0 ? c.bosTokenId() : 1);
        m.put("context_length", c.maxPositionEmbeddings());
        ObjectNode decoder = m.putObject("decoder");
        decoder.putObject("session_options").put("log_id", "onnxruntime-genai").putArray("provider_options");
        decoder.put("filename", MODEL_FILE).put("head_size", c.headDim()).put("hidden_size", c.hiddenSize());
        decoder.putObject("inputs").put("input_ids", "input_ids").put("attention_mask", "attention_mask")
                .put("position_ids", "position_ids").put("past_key_names", "past_key_values.%d.key")
                .put("past_value_names", "past_key_values.%d.value");
        decoder.putObject("outputs").put("logits", "logits").put("present_key_names", "present.%d.key")
                .put("present_value_names", "present.%d.value");
        decoder.put("num_attention_heads", c.numHeads()).put("num_hidden_layers", c.numLayers()).put("num_key_value_heads", c.numKvHeads());
        if (c.eosTokenIds().size() == 1) m.put("eos_token_id", c.eosTokenIds().getFirst());
        else c.eosTokenIds().forEach(m.putArray("eos_token_id")::add);
        int pad = c.padTokenId() >= 0 ? c.padTokenId() : c.eosTokenIds().isEmpty() ? 0 : c.eosTokenIds().getFirst();
        m.put("pad_token_id", pad).put("type", "hunyuandensev1").put("vocab_size", c.vocabSize());
        ObjectNode search = root.putObject("search");
        search.put("diversity_penalty", 0.0).put("do_sample", gen.path("do_sample").asBoolean(false)).put("early_stopping", true)
                .put("length_penalty", 1.0).put("max_length", c.maxPositionEmbeddings()).put("min_length", 0)
                .put("no_repeat_ngram_size", 0).put("num_beams", 1).put("num_return_sequences", 1)
                .put("past_present_share_buffer", false).put("repetition_penalty", gen.path("repetition_penalty").asDouble(1.0))
                .put("temperature", gen.path("temperature").asDouble(1.0)).put("top_k", gen.path("top_k").asInt(50))
                .put("top_p", gen.path("top_p").asDouble(1.0));
        AtomicFile.writeString(outDir.resolve("genai_config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
    }
}
