package dev.hymt4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.quant.GptqConfig;
import dev.hymt4j.quant.GptqLinears;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.safetensors.SafetensorsException;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.safetensors.TensorInfo;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.weights.MatrixFormats;
import dev.hymt4j.weights.WeightSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face model directory: {@code config.json} plus {@code model.safetensors} or the shards listed in
 * {@code model.safetensors.index.json}, all memory-mapped. Lookups name the tensor, the file and the fault.
 * The safetensors {@link WeightSource}: matrices are {@link MatrixFormats} of the tensor's dtype over the mapping.
 */
public final class Checkpoint implements WeightSource {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path dir;
    private final ModelConfig config;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byTensor;
    private GptqLinears gptq;

    private Checkpoint(Path dir, ModelConfig config, List<SafetensorsFile> files, Map<String, SafetensorsFile> byTensor) {
        this.dir = dir;
        this.config = config;
        this.files = files;
        this.byTensor = byTensor;
    }

    public static Checkpoint open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new ModelException(dir + ": model directory not found");
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) throw new ModelException(configFile + ": missing file (every model directory needs config.json)");
        ModelConfig config = ModelConfig.load(configFile);
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        try {
            Path index = dir.resolve(INDEX_FILE);
            if (Files.isRegularFile(index)) {
                openShards(index, files, byTensor);
            } else if (Files.isRegularFile(dir.resolve(SINGLE_FILE))) {
                SafetensorsFile f = SafetensorsFile.open(dir.resolve(SINGLE_FILE));
                files.add(f);
                for (String name : f.tensors().keySet()) byTensor.put(name, f);
            } else {
                throw new ModelException(dir + ": missing file: neither " + SINGLE_FILE + " nor " + INDEX_FILE + " is present");
            }
        } catch (IOException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
        Checkpoint ckpt = new Checkpoint(dir, config, List.copyOf(files), byTensor);
        GptqConfig gptq = GptqConfig.find(dir);
        if (gptq != null) ckpt.gptq = new GptqLinears(ckpt, gptq);
        return ckpt;
    }

    /** The GPTQ linears of a GPTQ checkpoint (its {@code quantization_config} says so), else null. */
    public GptqLinears gptq() {
        return gptq;
    }

    private static void openShards(Path index, List<SafetensorsFile> files, Map<String, SafetensorsFile> byTensor)
            throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new ModelException(index + ": not valid JSON (" + e.getMessage() + ")");
        }
        JsonNode map = root.path("weight_map");
        if (!map.isObject() || map.isEmpty()) throw new ModelException(index + ": missing field \"weight_map\"");
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String shardName = e.getValue().asText();
            SafetensorsFile shard = shards.get(shardName);
            if (shard == null) {
                Path shardPath = index.resolveSibling(shardName);
                if (!Files.isRegularFile(shardPath)) {
                    throw new ModelException(index + ": weight_map names shard " + shardName + " which does not exist");
                }
                shard = SafetensorsFile.open(shardPath);
                shards.put(shardName, shard);
                files.add(shard);
            }
            if (!shard.contains(e.getKey())) {
                throw new ModelException(index + ": weight_map puts tensor '" + e.getKey() + "' in " + shardName
                        + " but that file does not hold it");
            }
            byTensor.put(e.getKey(), shard);
        }
    }

    public Path dir() {
        return dir;
    }

    @Override
    public Path path() {
        return dir;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    public List<SafetensorsFile> files() {
        return files;
    }

    /** Every tensor name, in file then header order. */
    @Override
    public Set<String> tensorNames() {
        return Collections.unmodifiableSet(byTensor.keySet());
    }

    @Override
    public boolean has(String name) {
        return byTensor.containsKey(name);
    }

    public TensorInfo info(String name) throws ModelException {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) {
            throw new ModelException(dir + ": missing tensor '" + name + "' (looked in "
                    + files.stream().map(x -> x.path().getFileName().toString()).toList() + ")");
        }
        try {
            return f.info(name);
        } catch (SafetensorsException e) {
            throw new ModelException(e.getMessage(), e);
        }
    }

    public MemorySegment data(String name) throws ModelException {
        info(name);
        try {
            return byTensor.get(name).data(name);
        } catch (SafetensorsException e) {
            throw new ModelException(e.getMessage(), e);
        }
    }

    public Path fileOf(String name) throws ModelException {
        info(name);
        return byTensor.get(name).path();
    }

    /** A weight matrix of the expected shape in its dtype's format, mapped (never copied). */
    @Override
    public Matrix matrix(String name, int rows, int cols) throws ModelException {
        // A GPTQ checkpoint stores linear P as P.qweight/qzeros/scales(/g_idx) instead of P.weight.
        if (gptq != null && name.endsWith(".weight") && !byTensor.containsKey(name)) {
            String prefix = name.substring(0, name.length() - ".weight".length());
            if (gptq.isQuantized(prefix)) return gptq.matrix(prefix, rows, cols);
        }
        TensorInfo t = checked(name, rows, cols);
        return MatrixFormats.create(t.dtype().name(), data(name), rows, cols);
    }

    @Override
    public Set<String> storedTensors(String name) {
        if (gptq != null && name.endsWith(".weight") && !byTensor.containsKey(name)) {
            String prefix = name.substring(0, name.length() - ".weight".length());
            if (gptq.isQuantized(prefix)) return gptq.storedTensors(prefix);
        }
        return Set.of(name);
    }

    /** A small float tensor (norm weights) copied to the heap after its shape is checked. */
    @Override
    public float[] vector(String name, int length) throws ModelException {
        checked(name, length);
        try {
            return byTensor.get(name).readFloats(name);
        } catch (SafetensorsException e) {
            throw new ModelException(e.getMessage(), e);
        }
    }

    private TensorInfo checked(String name, long... shape) throws ModelException {
        TensorInfo t = info(name);
        Path file = byTensor.get(name).path();
        if (!t.hasShape(shape)) {
            throw new ModelException(file + ": tensor '" + name + "' has shape " + t.shapeString() + " but config.json implies "
                    + Arrays.toString(shape));
        }
        if (t.dtype() != DType.F32 && t.dtype() != DType.BF16 && t.dtype() != DType.F16) {
            throw new ModelException(file + ": tensor '" + name + "' has dtype " + t.dtype() + " (expected F32, BF16 or F16)");
        }
        return t;
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
