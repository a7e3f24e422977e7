package dev.ferry.bpf;

/** One raw key/value pair of a map dump. */
public record MapEntry(byte[] key, byte[] value) {
}
