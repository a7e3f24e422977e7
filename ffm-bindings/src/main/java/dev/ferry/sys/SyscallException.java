package dev.ferry.sys;

/** A failed system call: the function, what it was applied to, and the errno it left behind. */
public final class SyscallException extends RuntimeException {
    private final String function;
    private final int errno;

    public SyscallException(String function, String subject, int errno) {
        super(function + "(" + subject + "): " + Libc.strerror(errno) + " (errno " + errno + ")");
        this.function = function;
        this.errno = errno;
    }

    public String function() {
        return function;
    }

    public int errno() {
        return errno;
    }
}
