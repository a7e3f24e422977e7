package dev.ferry.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads libbpf.so.1 and holds the few downcalls the generated bindings can not serve.
 *
 * <p>rawbpf's {@code Lib} resolves symbols with {@code SymbolLookup.loaderLookup()}, so the library
 * must be {@code System.load}ed by our class loader before {@code Lib} is touched. rawbpf's own
 * {@code LibraryLoader} is not used because it calls {@code System.exit} when it fails.
 *
 * <p>Pointer-returning libbpf calls report failure as NULL plus errno; the generated handles do not
 * capture errno, and the JVM may clobber it before Java could read it, hence our own handles with
 * {@code captureCallState("errno")}.
 */
final class LibBpf {
    private static final List<String> LIBRARY_DIRS = List.of(
            "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib/x86_64-linux-gnu", "/lib64",
            "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/lib");

    static {
        loadLibrary();
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup SYMBOLS = SymbolLookup.loaderLookup().or(LINKER.defaultLookup());
    private static final MemoryLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout ADDRESS = ValueLayout.ADDRESS;

    // struct bpf_object *bpf_object__open_mem(const void *buf, size_t sz, const struct bpf_object_open_opts *opts)
    private static final MethodHandle OPEN_MEM = errnoCapturing("bpf_object__open_mem",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ValueLayout.JAVA_LONG, ADDRESS));
    // struct bpf_object *bpf_object__open_file(const char *path, const struct bpf_object_open_opts *opts)
    private static final MethodHandle OPEN_FILE = errnoCapturing("bpf_object__open_file",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    // struct btf *btf__parse(const char *path, struct btf_ext **btf_ext)
    private static final MethodHandle BTF_PARSE = errnoCapturing("btf__parse",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    // struct ring_buffer *ring_buffer__new(int map_fd, ring_buffer_sample_fn sample_cb, void *ctx, const struct ring_buffer_opts *opts)
    private static final MethodHandle RING_BUFFER_NEW = errnoCapturing("ring_buffer__new",
            FunctionDescriptor.of(ADDRESS, ValueLayout.JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    // On x86-64 and aarch64-linux a va_list parameter is passed as a pointer.
    private static final MethodHandle VSNPRINTF = plain("vsnprintf",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ADDRESS, ValueLayout.JAVA_LONG, ADDRESS, ADDRESS));

    private LibBpf() {
    }

    /** Makes sure libbpf is loaded and its log is routed; call before any use of {@code Lib}. */
    static void ensureLoaded() {
        LibbpfLog.install();
    }

    private static void loadLibrary() {
        for (String dir : LIBRARY_DIRS) {
            Path candidate = Path.of(dir, "libbpf.so.1");
            if (Files.isReadable(candidate)) {
                System.load(candidate.toString());
                return;
            }
        }
        try {
            System.loadLibrary("bpf");
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException("libbpf.so.1 not found in " + LIBRARY_DIRS
                    + " nor on java.library.path: apt-get install libbpf1", e);
        }
    }

    static MemorySegment openMem(MemorySegment elf, long size, MemorySegment opts) {
        return pointerCall("bpf_object__open_mem", OPEN_MEM, elf, size, opts);
    }

    static MemorySegment openFile(MemorySegment path, MemorySegment opts) {
        return pointerCall("bpf_object__open_file", OPEN_FILE, path, opts);
    }

    static MemorySegment btfParse(MemorySegment path) {
        return pointerCall("btf__parse", BTF_PARSE, path, MemorySegment.NULL);
    }

    static MemorySegment ringBufferNew(int mapFd, MemorySegment callback) {
        return pointerCall("ring_buffer__new", RING_BUFFER_NEW, mapFd, callback, MemorySegment.NULL, MemorySegment.NULL);
    }

    static int vsnprintf(MemorySegment buffer, MemorySegment format, MemorySegment vaList) {
        try {
            return (int) VSNPRINTF.invokeExact(buffer, buffer.byteSize(), format, vaList);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static MemorySegment pointerCall(String function, MethodHandle handle, Object... args) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            Object[] full = new Object[args.length + 1];
            full[0] = state;
            System.arraycopy(args, 0, full, 1, args.length);
            MemorySegment result = (MemorySegment) handle.invokeWithArguments(full);
            if (result.equals(MemorySegment.NULL)) {
                throw new BpfException(function, (int) ERRNO.get(state, 0L));
            }
            return result;
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static MethodHandle errnoCapturing(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor, Linker.Option.captureCallState("errno"));
    }

    private static MethodHandle plain(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor);
    }

    private static MemorySegment symbol(String name) {
        return SYMBOLS.find(name).orElseThrow(() -> new IllegalStateException("symbol " + name + " not found"));
    }
}
