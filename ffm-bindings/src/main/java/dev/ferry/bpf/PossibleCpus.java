package dev.ferry.bpf;

import me.bechberger.ebpf.bpf.raw.Lib;

/** Per-CPU map value geometry: the kernel copies one 8-byte aligned slot per possible CPU. */
public final class PossibleCpus {
    private static volatile int count;

    private PossibleCpus() {
    }

    /** The kernel's possible CPUs (libbpf_num_possible_cpus), which per-CPU maps hold a value for each of. */
    public static int count() {
        int cached = count;
        if (cached == 0) {
            LibBpf.ensureLoaded();
            cached = BpfException.check("libbpf_num_possible_cpus", Lib.libbpf_num_possible_cpus());
            count = cached;
        }
        return cached;
    }

    static int slotSize(int valueSize) {
        return (valueSize + 7) & ~7;
    }
}
