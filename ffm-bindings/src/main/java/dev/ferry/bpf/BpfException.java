package dev.ferry.bpf;

import dev.ferry.sys.Libc;

/**
 * A libbpf or bpf(2) call failed. Carries the libbpf function and the errno so callers can react
 * to specific failures (ENOENT, EEXIST, EPERM) without parsing messages.
 */
public class BpfException extends RuntimeException {
    private final String function;
    private final int errno;

    public BpfException(String function, int errno) {
        this(function, errno, null);
    }

    /** {@code detail}, when not null, is appended on its own lines (e.g. the verifier log tail). */
    public BpfException(String function, int errno, String detail) {
        super(function + ": " + Libc.strerror(errno) + " (errno " + errno + ")"
                + (detail == null || detail.isBlank() ? "" : "\n" + detail));
        this.function = function;
        this.errno = errno;
    }

    /** Turns a libbpf 1.x int result (negative errno on failure) into a value or an exception. */
    static int check(String function, int result) {
        if (result < 0) {
            throw new BpfException(function, -result);
        }
        return result;
    }

    public String function() {
        return function;
    }

    public int errno() {
        return errno;
    }
}
