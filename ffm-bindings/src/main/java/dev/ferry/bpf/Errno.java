package dev.ferry.bpf;

/** The errno values this package reacts to (Linux, all architectures Ferry runs on). */
final class Errno {
    static final int EPERM = 1;
    static final int EINTR = 4;
    static final int ENOENT = 2;
    static final int E2BIG = 7;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int EOPNOTSUPP = 95;
    /** Kernel-internal "not supported" that bpf(2) leaks to user space. */
    static final int ENOTSUPP = 524;

    private Errno() {
    }

    /** True when the kernel says an operation does not exist for this map or program type. */
    static boolean isUnsupported(int errno) {
        return errno == EINVAL || errno == EOPNOTSUPP || errno == ENOTSUPP;
    }
}
