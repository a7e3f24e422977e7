package dev.ferry.bpf;

/**
 * Outcome of BPF_PROG_TEST_RUN: the program's return value (XDP_* or TC_ACT_*), the packet as the
 * program left it, and the kernel-measured average run time per repetition.
 */
public record TestRunResult(int retval, byte[] packetOut, long durationNs) {
}
