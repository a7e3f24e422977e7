package dev.ferry.bpf;

/** How an update treats an existing key (BPF_ANY, BPF_NOEXIST, BPF_EXIST). */
public enum UpdateFlag {
    /** Create or replace. */
    ANY(0),
    /** Create only; EEXIST if the key is there. */
    NOEXIST(1),
    /** Replace only; ENOENT if the key is missing. */
    EXIST(2);

    final long bits;

    UpdateFlag(long bits) {
        this.bits = bits;
    }
}
