package dev.ferry.bpf;

/** One struct member: byte offset from the start of the struct and size in bytes. */
public record BtfField(String name, int offset, int size) {
}
