package dev.ferry.bpf;

/**
 * One eBPF instruction of a loaded program as the kernel reports it ({@link
 * BpfProgram#translatedInstructions()}); the second half of a 64-bit immediate load is an
 * instruction of its own here, as in the kernel's array.
 *
 * @param imm for a helper call, the helper's address less __bpf_call_base's (0 for callers
 *            without CAP_SYSLOG), which is how bpftool names it
 */
public record BpfInstruction(int code, int dstReg, int srcReg, short offset, int imm) {
    private static final int BPF_JMP_CALL = 0x85;

    /** A call of a kernel helper (src_reg 0); not of a BPF subprogram or kfunc. */
    public boolean isHelperCall() {
        return code == BPF_JMP_CALL && srcReg == 0;
    }
}
