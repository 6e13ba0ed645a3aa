package dev.hymt4j.onednn;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

/**
 * Whether AMX really executes here: a tiny BF16 product through oneDNN with every ISA allowed, run in a
 * <b>child JVM</b>. cpuid and the kernel's tile permission are not enough: on some KVM guests of the Sapphire
 * Rapids class both say yes and the first tile instruction traps (SIGILL), which would kill the user's process.
 * The child can die instead. It passes only if it exits normally, oneDNN chose an AMX implementation, and the
 * product is exactly right (small integers: every product and sum is exact in FP32). Nothing is cached: each
 * JVM that loads the backend probes once.
 */
public final class AmxProbe {
    /** The line the child prints on success, followed by oneDNN's implementation name. */
    static final String PASSED = "amx-probe: passed";
    private static final long TIMEOUT_SECONDS = 60;

    private AmxProbe() {}

    /** The outcome: whether AMX may be used, and a short reason for the log line. */
    public record Result(boolean passed, String detail) {}

    /** Runs the probe in a child JVM (same Java, same class path); never throws. */
    public static Result run() {
        Process child = null;
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xmx64m", "-XX:TieredStopAtLevel=1",
                    "-cp", classPath(), AmxProbe.class.getName()).redirectErrorStream(true);
            pb.environment().put("OMP_NUM_THREADS", "1");
            pb.environment().remove("ONEDNN_MAX_CPU_ISA");
            pb.environment().remove("DNNL_MAX_CPU_ISA");
            child = pb.start();
            child.getOutputStream().close();
            byte[] output;
            try (InputStream in = child.getInputStream()) {
                output = in.readNBytes(1 << 16);
            }
            if (!child.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                return new Result(false, "the probe did not finish in " + TIMEOUT_SECONDS + " s");
            }
            String text = new String(output, StandardCharsets.UTF_8);
            int exit = child.exitValue();
            String last = text.lines().filter(l -> l.startsWith("amx-probe")).reduce((a, b) -> b).orElse("");
            if (exit == 0 && last.startsWith(PASSED)) return new Result(true, last.substring(PASSED.length()).trim());
            String why = exit > 128 ? "killed by signal " + (exit - 128) + (exit - 128 == 4 ? " (SIGILL: AMX traps here)" : "")
                    : last.isEmpty() ? "exit status " + exit : last.replace("amx-probe: ", "");
            return new Result(false, why);
        } catch (IOException | RuntimeException e) {
            return new Result(false, "the probe could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, "interrupted");
        } finally {
            if (child != null && child.isAlive()) child.destroyForcibly();
        }
    }

    /** This JVM's class path plus the jars of the classes the child needs (for callers with their own class loader). */
    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>(List.of(System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)));
        for (Class<?> c : List.of(AmxProbe.class, Loader.class, org.bytedeco.dnnl.global.dnnl.class)) {
            CodeSource source = c.getProtectionDomain().getCodeSource();
            if (source == null) continue;
            try {
                entries.add(Path.of(source.getLocation().toURI()).toString());
            } catch (URISyntaxException | IllegalArgumentException e) {
                // not a file location: the class path above has to do
            }
        }
        entries.remove("");
        return String.join(java.io.File.pathSeparator, entries);
    }

    /**
     * The child: {@code C [m, n] = A [m, k] · B [k, n]} in BF16 with FP32 accumulation, every ISA allowed. Prints
     * {@link #PASSED} and the implementation name, or why not, and exits 0 only on success.
     */
    public static void main(String[] args) {
        try {
            Loader.load(org.bytedeco.dnnl.global.dnnl.class);
            int m = 32, k = 64, n = 48;
            engine cpu = new engine(engine.kind.cpu, 0);
            stream stream = new stream(cpu);
            memory.desc a = new memory.desc(new long[]{m, k}, memory.data_type.bf16, memory.format_tag.ab);
            memory.desc b = new memory.desc(new long[]{k, n}, memory.data_type.bf16, memory.format_tag.ab);
            memory.desc c = new memory.desc(new long[]{m, n}, memory.data_type.f32, memory.format_tag.ab);
            matmul.primitive_desc pd = new matmul.primitive_desc(cpu, a, b, c);
            String impl = pd.impl_info_str().getString();
            if (!impl.contains("amx")) {
                System.out.println("amx-probe: oneDNN chose " + impl + ", not an AMX kernel");
                System.exit(3);
            }
            ByteBuffer ab = bf16Values(m * k, 3), bb = bf16Values(k * n, 5);
            ByteBuffer cb = ByteBuffer.allocateDirect(4 * m * n).order(ByteOrder.LITTLE_ENDIAN);
            IntMemoryMap argsMap = new IntMemoryMap();
            argsMap.put(DNNL_ARG_SRC, new memory(a, cpu, new BytePointer(ab)));
            argsMap.put(DNNL_ARG_WEIGHTS, new memory(b, cpu, new BytePointer(bb)));
            argsMap.put(DNNL_ARG_DST, new memory(c, cpu, new BytePointer(cb)));
            new matmul(pd).execute(stream, argsMap);
            stream._wait();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float expected = 0;
                    for (int p = 0; p < k; p++) expected += value(i * k + p, 3) * value(p * n + j, 5);
                    float got = cb.getFloat(4 * (i * n + j));
                    if (got != expected) {
                        System.out.println("amx-probe: wrong result at [" + i + ", " + j + "]: " + got + ", expected " + expected);
                        System.exit(4);
                    }
                }
            }
            System.out.println(PASSED + " " + impl);
            System.exit(0);
        } catch (Throwable e) {
            System.out.println("amx-probe: " + e);
            System.exit(5);
        }
    }

    /** Small integers −4…4 (exact in BF16; their products and sums of 64 are exact in FP32). */
    private static float value(int i, int salt) {
        return (i * salt + i / 7) % 9 - 4;
    }

    private static ByteBuffer bf16Values(int count, int salt) {
        ByteBuffer b = ByteBuffer.allocateDirect(2 * count).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) b.putShort(2 * i, (short) (Float.floatToRawIntBits(value(i, salt)) >>> 16));
        return b;
    }
}
