package dev.ferry.bench.packet;

import dev.ferry.bpf.TestRunResult;

/** BPF_PROG_TEST_RUN of a program on a frame, {@code repeat} times in the kernel's loop, however that program is called. */
@FunctionalInterface
interface Program {
    TestRunResult run(byte[] frame, int repeat);
}
