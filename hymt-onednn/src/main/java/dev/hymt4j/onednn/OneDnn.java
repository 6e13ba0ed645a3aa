package dev.hymt4j.onednn;

import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Loader;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_avx512_core_amx;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_avx512_core_bf16;
import static org.bytedeco.dnnl.global.dnnl.dnnl_get_effective_cpu_isa;
import static org.bytedeco.dnnl.global.dnnl.dnnl_set_max_cpu_isa;

/**
 * The oneDNN library (JavaCPP's {@code org.bytedeco:dnnl} preset), loaded once per JVM, or absent.
 *
 * <p>Before the library loads: its OpenMP runtime is told the thread count of {@link dev.hymt4j.tensor.Parallel}
 * and a passive wait policy ({@code OMP_NUM_THREADS}, {@code OMP_WAIT_POLICY=PASSIVE}, unless the user set them),
 * so that it neither oversubscribes the cores nor spins when a neighbour needs them. Before any primitive exists:
 * its ISA is capped at {@code avx512_core_bf16}, below AMX. oneDNN trusts cpuid, and the KVM guests this project
 * runs on advertise AMX whose instructions trap; {@code -Dhymt.onednn.amx=true} lifts the cap where the kernel
 * grants tile permission ({@code arch_prctl(ARCH_REQ_XCOMP_PERM)}, probed here).
 */
public final class OneDnn {
    private static final Optional<OneDnn> INSTANCE = tryLoad();

    private final engine engine;
    private final ThreadLocal<stream> streams;
    private final String description;

    private OneDnn(engine engine, String description) {
        this.engine = engine;
        this.streams = ThreadLocal.withInitial(() -> new stream(engine));
        this.description = description;
    }

    /** The library, or empty (with one line on stderr saying why) where it cannot load. */
    public static Optional<OneDnn> get() {
        return INSTANCE;
    }

    engine engine() {
        return engine;
    }

    /** This thread's stream (a stream is not for concurrent use). */
    stream stream() {
        return streams.get();
    }

    /** E.g. "oneDNN avx512_core_bf16 (AMX in cpuid: yes, tiles permitted: yes, capped), 2 OpenMP threads". */
    public String description() {
        return description;
    }

    private static Optional<OneDnn> tryLoad() {
        try {
            String threads = Integer.toString(dev.hymt4j.tensor.Parallel.threads());
            setenvIfAbsent("OMP_NUM_THREADS", threads);
            setenvIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
            boolean cpuidAmx = cpuFlags().contains(" amx_tile");
            boolean permitted = cpuidAmx && tilesPermitted();
            boolean allowAmx = Boolean.getBoolean("hymt.onednn.amx") && permitted;
            Loader.load(org.bytedeco.dnnl.global.dnnl.class);
            int rc = dnnl_set_max_cpu_isa(allowAmx ? dnnl_cpu_isa_avx512_core_amx : dnnl_cpu_isa_avx512_core_bf16);
            if (rc != 0) throw new IllegalStateException("dnnl_set_max_cpu_isa failed with status " + rc);
            engine cpu = new engine(org.bytedeco.dnnl.engine.kind.cpu, 0);
            int isa = dnnl_get_effective_cpu_isa();
            String description = String.format("oneDNN %s (AMX in cpuid: %s, tiles permitted: %s, %s), %s OpenMP threads",
                    isaName(isa), cpuidAmx ? "yes" : "no", permitted ? "yes" : "no", allowAmx ? "allowed" : "capped below AMX",
                    System.getenv().getOrDefault("OMP_NUM_THREADS", threads));
            return Optional.of(new OneDnn(cpu, description));
        } catch (Throwable e) {
            System.err.println("oneDNN backend unavailable, using the Java kernels: " + e);
            return Optional.empty();
        }
    }

    private static String isaName(int isa) {
        if (isa == dnnl_cpu_isa_avx512_core_amx) return "avx512_core_amx";
        if (isa == dnnl_cpu_isa_avx512_core_bf16) return "avx512_core_bf16";
        return "isa " + isa;
    }

    private static String cpuFlags() throws Exception {
        Path info = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(info)) return "";
        return Files.readAllLines(info).stream().filter(l -> l.startsWith("flags")).findFirst().orElse("") + " ";
    }

    /** {@code arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA)}: whether Linux lets this process use AMX tiles. */
    private static boolean tilesPermitted() throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle syscall = linker.downcallHandle(linker.defaultLookup().find("syscall").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(1));
        long sysArchPrctl = 158, archReqXcompPerm = 0x1023, xfeatureXtiledata = 18;
        return (long) syscall.invokeExact(sysArchPrctl, archReqXcompPerm, xfeatureXtiledata) == 0;
    }

    /** libc {@code setenv(name, value, 0)}: native code loaded later (OpenMP) reads it; Java's own copy does not change. */
    private static void setenvIfAbsent(String name, String value) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle setenv = linker.downcallHandle(linker.defaultLookup().find("setenv").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = arena.allocateFrom(name), v = arena.allocateFrom(value);
            int rc = (int) setenv.invokeExact(n, v, 0);
            if (rc != 0) throw new IllegalStateException("setenv " + name + " failed");
        }
    }
}
