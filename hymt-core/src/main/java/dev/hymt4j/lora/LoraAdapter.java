package dev.hymt4j.lora;

import dev.hymt4j.io.AtomicFile;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.safetensors.SafetensorsException;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.safetensors.SafetensorsWriter;
import dev.hymt4j.safetensors.TensorInfo;
import dev.hymt4j.tensor.Parameter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A LoRA adapter for a HunYuan dense model: one {@link LoraModule} per adapted (layer, projection), and the
 * PEFT directory format (formats spec §2): {@code adapter_config.json} + {@code adapter_model.safetensors} with
 * keys {@code base_model.model.<module path>.lora_A.weight} / {@code .lora_B.weight}, F32.
 */
public final class LoraAdapter {
    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";

    private final ModelConfig model;
    private final LoraConfig config;
    private final LoraModule[][] modules; // [layer][target ordinal], null where not adapted
    private final List<LoraModule> list;
    private final long instance = INSTANCES.incrementAndGet();
    private static final java.util.concurrent.atomic.AtomicLong INSTANCES = new java.util.concurrent.atomic.AtomicLong();

    private LoraAdapter(ModelConfig model, LoraConfig config, LoraModule[][] modules) {
        this.model = model;
        this.config = config;
        this.modules = modules;
        List<LoraModule> l = new ArrayList<>();
        for (LoraModule[] layer : modules) for (LoraModule m : layer) if (m != null) l.add(m);
        this.list = List.copyOf(l);
    }

    /**
     * A fresh adapter as PEFT initializes it ({@code init_lora_weights=true}): {@code A ~ U(−1/√in, 1/√in)}
     * (torch's kaiming-uniform with a = √5 for a Linear of fan-in {@code in}), {@code B = 0}, so the adapted
     * model starts exactly equal to the base. The values come from {@code seed}, not torch's generator.
     */
    public static LoraAdapter create(ModelConfig model, LoraConfig config, long seed) {
        try {
            config.validateAgainst(model, "LoRA config");
        } catch (AdapterException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        SplittableRandom rng = new SplittableRandom(seed);
        LoraModule[][] modules = new LoraModule[model.numLayers()][LoraTarget.values().length];
        for (int l = 0; l < model.numLayers(); l++) {
            for (LoraTarget t : LoraTarget.values()) {
                if (!config.targets(t.modulePath(l), l)) continue;
                int in = t.inFeatures(model), out = t.outFeatures(model), r = config.r();
                float[] a = new float[r * in];
                double bound = 1.0 / Math.sqrt(in);
                for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextDouble(-bound, bound);
                modules[l][t.ordinal()] = new LoraModule(l, t, r, in, out, config.scaling(), a, new float[out * r]);
            }
        }
        return new LoraAdapter(model, config, modules);
    }

    /** Loads a PEFT adapter directory and checks it against {@code model}; every fault names the file. */
    public static LoraAdapter load(Path dir, ModelConfig model) throws IOException {
        if (!Files.isDirectory(dir)) throw new AdapterException(dir + ": adapter directory not found");
        Path configFile = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(configFile)) throw new AdapterException(dir + ": missing file " + CONFIG_FILE);
        Path weightsFile = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(weightsFile)) {
            throw new AdapterException(dir + ": missing file " + WEIGHTS_FILE
                    + (Files.exists(dir.resolve("adapter_model.bin")) ? " (adapter_model.bin, the legacy pickle format, is not supported)" : ""));
        }
        LoraConfig config = LoraConfig.load(configFile);
        config.validateAgainst(model, configFile.toString());
        LoraModule[][] modules = new LoraModule[model.numLayers()][LoraTarget.values().length];
        try (SafetensorsFile f = SafetensorsFile.open(weightsFile)) {
            Set<String> used = new HashSet<>();
            for (int l = 0; l < model.numLayers(); l++) {
                for (LoraTarget t : LoraTarget.values()) {
                    if (!config.targets(t.modulePath(l), l)) continue;
                    int in = t.inFeatures(model), out = t.outFeatures(model), r = config.r();
                    String prefix = "base_model.model." + t.modulePath(l);
                    float[] a = read(f, prefix + ".lora_A.weight", new long[]{r, in}, "r=" + r + " × in_features=" + in);
                    float[] b = read(f, prefix + ".lora_B.weight", new long[]{out, r}, "out_features=" + out + " × r=" + r);
                    used.add(prefix + ".lora_A.weight");
                    used.add(prefix + ".lora_B.weight");
                    modules[l][t.ordinal()] = new LoraModule(l, t, r, in, out, config.scaling(), a, b);
                }
            }
            for (String name : f.tensors().keySet()) {
                if (!used.contains(name)) {
                    throw new AdapterException(weightsFile + ": unexpected tensor '" + name + "' (not a LoRA matrix of a module "
                            + CONFIG_FILE + " targets)");
                }
            }
        }
        return new LoraAdapter(model, config, modules);
    }

    private static float[] read(SafetensorsFile f, String name, long[] shape, String why) throws AdapterException {
        if (!f.contains(name)) {
            throw new AdapterException(f.path() + ": missing tensor '" + name + "' (" + CONFIG_FILE + " targets this module)");
        }
        try {
            TensorInfo t = f.info(name);
            if (!t.hasShape(shape)) {
                throw new AdapterException(f.path() + ": tensor '" + name + "' has shape " + t.shapeString() + " but the model and "
                        + CONFIG_FILE + " need " + Arrays.toString(shape) + " (" + why + ")");
            }
            if (!t.dtype().isFloating()) throw new AdapterException(f.path() + ": tensor '" + name + "' has dtype " + t.dtype());
            return f.readFloats(name);
        } catch (SafetensorsException e) {
            throw new AdapterException(e.getMessage());
        }
    }

    /** Writes {@code adapter_config.json} and {@code adapter_model.safetensors} (F32, atomic) into {@code dir}. */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        saveWeights(dir.resolve(WEIGHTS_FILE));
        saveConfig(dir.resolve(CONFIG_FILE));
    }

    /** Writes the {@value #WEIGHTS_FILE} part alone (e.g. one file of a training checkpoint); atomic. */
    public void saveWeights(Path file) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        for (LoraModule m : list) {
            w.addF32(m.savedNameA(), m.a().shape(), m.a().value());
            w.addF32(m.savedNameB(), m.b().shape(), m.b().value());
        }
        w.write(file);
    }

    /** Writes the {@value #CONFIG_FILE} part alone; atomic. */
    public void saveConfig(Path file) throws IOException {
        AtomicFile.writeString(file, config.toJson());
    }

    /**
     * Identifies this adapter with its current weights, for caches of what it computed (the engine's prefix
     * cache): differs between adapters, and changes whenever an optimizer step updates a parameter.
     */
    public long cacheKey() {
        long version = 0;
        for (LoraModule m : list) version += m.a().version() + m.b().version();
        return instance * 0x9E3779B97F4A7C15L + version + 1;
    }

    public ModelConfig modelConfig() {
        return model;
    }

    public LoraConfig config() {
        return config;
    }

    /** The adapter of {@code target} in {@code layer}, or null when that projection is not adapted. */
    public LoraModule module(int layer, LoraTarget target) {
        return modules[layer][target.ordinal()];
    }

    public List<LoraModule> modules() {
        return list;
    }

    /** Every trainable tensor (A then B per module, layer-major), for the optimizer. */
    public List<Parameter> parameters() {
        List<Parameter> p = new ArrayList<>();
        for (LoraModule m : list) {
            p.add(m.a());
            p.add(m.b());
        }
        return p;
    }

    public void zeroGrad() {
        for (LoraModule m : list) {
            m.a().zeroGrad();
            m.b().zeroGrad();
        }
    }
}
