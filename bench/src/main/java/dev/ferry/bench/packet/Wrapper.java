package dev.ferry.bench.packet;

import dev.ferry.agent.datapath.Datapath;
import dev.ferry.bpf.BpfObject;
import dev.ferry.bpf.BpfProgram;
import dev.ferry.bpf.TestRunResult;

import java.util.function.Function;

/**
 * A benchmark wrapper object (bpf/src/bench_xdp_node.bpf.c, bench_tc_pod.bpf.c), loaded as the
 * datapath's own objects are, so its copy of the production code reads and writes the maps the
 * agent programmed: the production path with the frame restored before every repetition, and
 * the restore alone. Both are given their frames through the object's bench_frame map.
 */
final class Wrapper implements AutoCloseable {
    private final BpfObject object;
    private final Program path, restoreOnly;

    private Wrapper(BpfObject object, Program path, Program restoreOnly) {
        this.object = object;
        this.path = path;
        this.restoreOnly = restoreOnly;
    }

    /** {@code caller} says how a program of this type is run (XDP: as if arrived on an interface). */
    static Wrapper load(Datapath datapath, String resource, String name, String pathProgram, String restoreProgram,
                        Function<BpfProgram, Program> caller) {
        BpfObject object = datapath.loadAlike(resource, name);
        return new Wrapper(object, caller.apply(object.program(pathProgram)), caller.apply(object.program(restoreProgram)));
    }

    /** The production path on {@code repeat} frames of the batch; the result holds the last one's verdict and frame. */
    TestRunResult path(Flows.Batch batch, int repeat) {
        return run(path, batch, repeat);
    }

    /** The restore alone, on the same frames. */
    TestRunResult restoreOnly(Flows.Batch batch, int repeat) {
        return run(restoreOnly, batch, repeat);
    }

    private TestRunResult run(Program program, Flows.Batch batch, int repeat) {
        BenchFrame.write(object.map("bench_frame"), batch);
        return program.run(batch.frame(), repeat);
    }

    @Override
    public void close() {
        object.close();
    }
}
