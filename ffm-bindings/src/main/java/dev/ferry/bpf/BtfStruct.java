package dev.ferry.bpf;

import java.util.List;
import java.util.Optional;

/** A struct as BTF describes it: total size in bytes and its members in declaration order. */
public record BtfStruct(String name, int size, List<BtfField> fields) {
    public Optional<BtfField> field(String fieldName) {
        return fields.stream().filter(f -> f.name().equals(fieldName)).findFirst();
    }
}
