package dev.ferry.bench.packet;

import dev.ferry.bpf.TestRunResult;

/** One BPF_PROG_TEST_RUN of a program on a frame, however that program is called. */
@FunctionalInterface
interface Program {
    TestRunResult run(byte[] frame);
}
