package dev.ferry.bpf;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import me.bechberger.ebpf.bpf.raw.Lib;
import me.bechberger.ebpf.bpf.raw.libbpf_print_fn_t;

/**
 * Routes libbpf's own log to the {@code System.Logger} "libbpf" and keeps the last lines in a ring,
 * so a failed {@code bpf_object__load} can quote the verifier's verdict in its exception.
 */
final class LibbpfLog {
    static final int RING_LINES = 50;
    // enum libbpf_print_level
    private static final int LIBBPF_WARN = 0;
    private static final int LIBBPF_INFO = 1;
    // The verifier log arrives as one message; 256 KiB holds the tail that matters.
    private static final int FORMAT_BUFFER = 256 * 1024;

    private static final System.Logger LOGGER = System.getLogger("libbpf");
    private static final Deque<String> RING = new ArrayDeque<>();
    private static long linesSeen;
    private static boolean installed;

    private LibbpfLog() {
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        // The upcall stub lives as long as the JVM: libbpf may call it from any thread at any time.
        MemorySegment callback = libbpf_print_fn_t.allocate(LibbpfLog::print, Arena.global());
        Lib.libbpf_set_print(callback);
        installed = true;
    }

    /** A position in the log; {@link #since(long)} returns what was logged after it. */
    static synchronized long mark() {
        return linesSeen;
    }

    /** Lines logged after {@code mark}, at most the last {@link #RING_LINES}. */
    static synchronized String since(long mark) {
        long fresh = Math.min(linesSeen - mark, RING.size());
        List<String> lines = new ArrayList<>(RING);
        return String.join("\n", lines.subList(lines.size() - (int) fresh, lines.size()));
    }

    // Runs inside a native upcall: an exception escaping here would crash the JVM.
    private static int print(int level, MemorySegment format, MemorySegment vaList) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(FORMAT_BUFFER);
            int length = LibBpf.vsnprintf(buffer, format.reinterpret(Long.MAX_VALUE), vaList);
            String text = buffer.getString(0);
            if (length >= FORMAT_BUFFER) {
                text += "[truncated]";
            }
            record(toLevel(level), text);
            return length;
        } catch (Throwable t) {
            return 0;
        }
    }

    private static Level toLevel(int libbpfLevel) {
        return switch (libbpfLevel) {
            case LIBBPF_WARN -> Level.WARNING;
            case LIBBPF_INFO -> Level.INFO;
            default -> Level.DEBUG;
        };
    }

    private static void record(Level level, String text) {
        String trimmed = text.stripTrailing();
        if (trimmed.isEmpty()) {
            return;
        }
        synchronized (LibbpfLog.class) {
            for (String line : trimmed.split("\n")) {
                RING.addLast(line);
                linesSeen++;
                if (RING.size() > RING_LINES) {
                    RING.removeFirst();
                }
            }
        }
        LOGGER.log(level, trimmed);
    }
}
