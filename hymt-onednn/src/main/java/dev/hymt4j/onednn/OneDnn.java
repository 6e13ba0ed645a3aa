package dev.hymt4j.onednn;

import dev.hymt4j.tensor.Parallel;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_avx512_core_bf16;
import static org.bytedeco.dnnl.global.dnnl.dnnl_get_effective_cpu_isa;
import static org.bytedeco.dnnl.global.dnnl.dnnl_set_max_cpu_isa;

/**
 * The oneDNN library (JavaCPP's {@code org.bytedeco:dnnl} preset), loaded once per JVM, or absent.
 *
 * <p>Before the library loads: its OpenMP runtime is told the thread count of {@link dev.hymt4j.tensor.Parallel}
 * and a passive wait policy ({@code OMP_NUM_THREADS}, {@code OMP_WAIT_POLICY=PASSIVE}, unless the user set them),
 * so that it neither oversubscribes the cores nor spins when a neighbour needs them. Unless the user set
 * {@code OMP_NUM_THREADS}, each product then runs on the calling code's current budget ({@link Parallel#threads()},
 * passed to {@code omp_set_num_threads} when it changes): a process that times 1 and then 2 threads, as
 * {@code hymt bench} does, would otherwise run every oneDNN product on the count of its first.
 *
 * <p>Before any primitive exists: whether AMX may be used. oneDNN trusts cpuid, and some KVM guests of the
 * Sapphire Rapids class advertise AMX (and grant tile permission) while its instructions trap, killing the
 * process. So AMX is allowed only where {@link AmxProbe} — a real AMX product in a child JVM — passes, and the
 * ISA is capped at {@code avx512_core_bf16} otherwise. {@code -Dhymt.onednn.amx=true|false} forces either way
 * (no probe). Nothing is cached across runs.
 */
public final class OneDnn {
    /** Why the library did not load (set before {@link #INSTANCE}, read after). */
    private static String failure = "not loaded";
    private static final Optional<OneDnn> INSTANCE = tryLoad();

    private final engine engine;
    private final ThreadLocal<stream> streams;
    private final boolean amx;
    private final boolean bf16Matmul;
    private final String description;
    /** {@code omp_get_max_threads}: what the calling thread's next parallel region would use; null where not found. */
    private final MethodHandle openMpMaxThreads;
    /** {@code omp_set_num_threads}, or null where the thread count is the user's ({@code OMP_NUM_THREADS}) or either function is missing. */
    private final MethodHandle setOpenMpThreads;

    private OneDnn(engine engine, boolean amx, boolean bf16Matmul, String description, OpenMp openMp) {
        this.engine = engine;
        this.streams = ThreadLocal.withInitial(() -> new stream(engine));
        this.amx = amx;
        this.bf16Matmul = bf16Matmul;
        this.description = description;
        this.openMpMaxThreads = openMp.maxThreads();
        this.setOpenMpThreads = openMp.setThreads();
    }

    /**
     * The functions of the OpenMP runtime oneDNN loaded (GNU's, bundled with the preset: dlopen finds it by its
     * soname); {@code setThreads} only where the count follows the caller ({@link #follows}).
     */
    private record OpenMp(MethodHandle maxThreads, MethodHandle setThreads) {
        static OpenMp find(boolean follow) {
            Optional<SymbolLookup> lookup;
            try {
                lookup = Optional.of(SymbolLookup.libraryLookup("libgomp.so.1", Arena.global()));
            } catch (IllegalArgumentException e) {
                lookup = Optional.empty();
            }
            Linker linker = Linker.nativeLinker();
            MethodHandle max = lookup.flatMap(l -> l.find("omp_get_max_threads"))
                    .map(f -> linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.JAVA_INT))).orElse(null);
            MethodHandle set = follow && max != null ? lookup.flatMap(l -> l.find("omp_set_num_threads"))
                    .map(f -> linker.downcallHandle(f, FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT))).orElse(null) : null;
            return new OpenMp(max, set);
        }

        boolean follows() {
            return setThreads != null;
        }
    }

    /** The threads the calling thread's next oneDNN product would use, or −1 where that cannot be asked. */
    int openMpThreads() {
        try {
            return openMpMaxThreads == null ? -1 : (int) openMpMaxThreads.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException("omp_get_max_threads failed", e);
        }
    }

    /** The library, or empty where it cannot load ({@link #unavailableReason()} says why). */
    public static Optional<OneDnn> get() {
        return INSTANCE;
    }

    /** Why {@link #get()} is empty, e.g. "java.lang.UnsatisfiedLinkError: …"; empty when it loaded. */
    public static String unavailableReason() {
        return INSTANCE.isPresent() ? "" : failure;
    }

    /** Whether cpuid advertises AMX tiles (which says nothing about whether they run: see {@link AmxProbe}). */
    static boolean cpuidHasAmx() {
        try {
            return cpuFlags().contains(" amx_tile");
        } catch (Exception e) {
            return false;
        }
    }

    engine engine() {
        return engine;
    }

    /** This thread's stream (a stream is not for concurrent use). */
    stream stream() {
        return streams.get();
    }

    /**
     * One argument of {@link #execute}: a {@code DNNL_ARG_*} kind, its descriptor and the caller's memory; a pointer
     * made here for a buffer ({@link #buffer}) is freed after the run, one passed in ({@link #pointer}) is not.
     */
    record Arg(int kind, memory.desc desc, BytePointer data, boolean owned) {
        static Arg buffer(int kind, memory.desc desc, ByteBuffer buffer) {
            return new Arg(kind, desc, new BytePointer(buffer), true);
        }

        static Arg pointer(int kind, memory.desc desc, BytePointer pointer) {
            return new Arg(kind, desc, pointer, false);
        }
    }

    /** Runs {@code p} on this thread's stream over the arguments' memory (wrapped, not copied) and waits for it. */
    void execute(primitive p, Arg... args) {
        followThreadBudget();
        IntMemoryMap map = new IntMemoryMap();
        memory[] wrapped = new memory[args.length];
        for (int i = 0; i < args.length; i++) {
            wrapped[i] = new memory(args[i].desc(), engine, args[i].data());
            map.put(args[i].kind(), wrapped[i]);
        }
        p.execute(stream(), map);
        stream()._wait();
        map.close();
        for (int i = 0; i < args.length; i++) {
            wrapped[i].close();
            if (args[i].owned()) args[i].data().close();
        }
    }

    /** Sets this thread's OpenMP count (a per-thread setting) to {@link Parallel#threads()} where it follows it and differs. */
    private void followThreadBudget() {
        if (setOpenMpThreads == null) return;
        int want = Parallel.threads();
        if (openMpThreads() == want) return;
        try {
            setOpenMpThreads.invokeExact(want);
        } catch (Throwable e) {
            throw new IllegalStateException("omp_set_num_threads(" + want + ") failed", e);
        }
    }

    /** Whether oneDNN may use AMX tiles in this JVM (the probe passed, or {@code -Dhymt.onednn.amx=true}). */
    public boolean amx() {
        return amx;
    }

    /**
     * Whether oneDNN has a BF16 matmul on this CPU (AVX-512 BF16, AVX-VNNI-2 or AMX): an AVX2-only CPU (e.g. AMD
     * Zen 3) has none, and a BF16 primitive cannot even be described there; F32 products still run.
     */
    public boolean bf16Matmul() {
        return bf16Matmul;
    }

    /** E.g. "oneDNN avx10_1_512_amx (AMX allowed: probe passed in a child JVM), OpenMP threads as the caller's thread budget". */
    public String description() {
        return description;
    }

    /** Whether AMX may be used, and why: forced by the property, absent from cpuid, or the child probe's outcome. */
    record AmxDecision(boolean allowed, String reason) {
        static AmxDecision make(String forced, boolean cpuidAmx, java.util.function.Supplier<AmxProbe.Result> probe) {
            if ("false".equals(forced)) return new AmxDecision(false, "capped below AMX by -Dhymt.onednn.amx=false");
            if ("true".equals(forced)) return new AmxDecision(true, "AMX allowed by -Dhymt.onednn.amx=true");
            if (forced != null) throw new IllegalArgumentException("-Dhymt.onednn.amx must be true or false, got '" + forced + "'");
            if (!cpuidAmx) return new AmxDecision(false, "no AMX on this CPU");
            AmxProbe.Result r = probe.get();
            return r.passed() ? new AmxDecision(true, "AMX allowed: probe passed in a child JVM (" + r.detail() + ")")
                    : new AmxDecision(false, "capped below AMX: the AMX probe failed (" + r.detail() + ")");
        }
    }

    private static Optional<OneDnn> tryLoad() {
        try {
            String threads = Integer.toString(Parallel.threads());
            boolean userThreads = System.getenv("OMP_NUM_THREADS") != null;
            setenvIfAbsent("OMP_NUM_THREADS", threads);
            setenvIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
            boolean cpuidAmx = cpuidHasAmx();
            AmxDecision decision = AmxDecision.make(System.getProperty("hymt.onednn.amx"), cpuidAmx, AmxProbe::run);
            if (decision.allowed() && cpuidAmx && !tilesPermitted()) {
                decision = new AmxDecision(false, "capped below AMX: Linux refuses AMX tile permission");
            }
            Loader.load(org.bytedeco.dnnl.global.dnnl.class);
            if (!decision.allowed()) {
                int rc = dnnl_set_max_cpu_isa(dnnl_cpu_isa_avx512_core_bf16);
                if (rc != 0) throw new IllegalStateException("dnnl_set_max_cpu_isa failed with status " + rc);
            }
            engine cpu = new engine(org.bytedeco.dnnl.engine.kind.cpu, 0);
            boolean amx = decision.allowed() && isaName(dnnl_get_effective_cpu_isa()).contains("amx");
            boolean bf16 = describesBf16Matmul(cpu);
            OpenMp openMp = OpenMp.find(!userThreads);
            String description = String.format("oneDNN %s (%s%s), %s", isaName(dnnl_get_effective_cpu_isa()),
                    decision.reason(), bf16 ? "" : "; no BF16 matmul on this CPU", openMp.follows() ? "OpenMP threads as the caller's thread budget"
                            : System.getenv().getOrDefault("OMP_NUM_THREADS", threads) + " OpenMP threads" + (userThreads ? " (OMP_NUM_THREADS)" : ""));
            return Optional.of(new OneDnn(cpu, amx, bf16, description, openMp));
        } catch (Throwable e) {
            failure = e.toString();
            return Optional.empty();
        }
    }

    /** Whether oneDNN can describe a small BF16 × BF16 → F32 matmul on this CPU (it refuses where no kernel has BF16). */
    private static boolean describesBf16Matmul(engine cpu) {
        memory.desc src = new memory.desc(new long[]{2, 32}, memory.data_type.bf16, memory.format_tag.ab);
        memory.desc wei = new memory.desc(new long[]{32, 2}, memory.data_type.bf16, memory.format_tag.ba);
        memory.desc dst = new memory.desc(new long[]{2, 2}, memory.data_type.f32, memory.format_tag.ab);
        try (primitive_attr attr = new primitive_attr();
             matmul.primitive_desc ignored = new matmul.primitive_desc(cpu, src, wei, dst, attr, false)) {
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The name of a {@code dnnl_cpu_isa_*} value (the first constant that has it). */
    private static String isaName(int isa) {
        for (java.lang.reflect.Field f : org.bytedeco.dnnl.global.dnnl.class.getFields()) {
            try {
                if (f.getName().startsWith("dnnl_cpu_isa_") && f.getType() == int.class && f.getInt(null) == isa) {
                    return f.getName().substring("dnnl_cpu_isa_".length());
                }
            } catch (IllegalAccessException e) {
                // public static fields: cannot happen
            }
        }
        return "isa " + isa;
    }

    private static String cpuFlags() throws java.io.IOException {
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
