package dev.ferry.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** The selftest.bpf.o object from the ferry-bpf jar and packets for its programs. */
final class Selftest {
    static final String RESOURCE = "/bpf/selftest.bpf.o";

    private Selftest() {
    }

    static byte[] elf() {
        try (InputStream in = Selftest.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " missing: build the bpf module first");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path elfFile(Path dir) throws IOException {
        Path file = dir.resolve("selftest.bpf.o");
        Files.write(file, elf());
        return file;
    }

    /** Never with a null pin root: libbpf would pin st_hash straight into /sys/fs/bpf. */
    static BpfObject open(Path pinRoot) {
        java.util.Objects.requireNonNull(pinRoot, "pinRoot");
        return BpfObject.open(elf(), "selftest", pinRoot);
    }

    /** A 64-byte Ethernet/IPv4 frame; the TC program overwrites bytes 0..7. */
    static byte[] packet() {
        byte[] frame = new byte[64];
        frame[12] = 0x08; // EtherType IPv4
        frame[14] = 0x45; // version 4, IHL 5
        frame[16] = 0;
        frame[17] = 50;   // total length
        frame[22] = 64;   // TTL
        frame[23] = 17;   // UDP
        return frame;
    }

    static byte[] u32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
    }

    static byte[] u64(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array();
    }

    static int readU32(byte[] bytes, int offset) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getInt(offset);
    }

    static long readU64(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getLong(0);
    }
}
