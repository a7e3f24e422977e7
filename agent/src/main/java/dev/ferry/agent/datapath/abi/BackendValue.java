package dev.ferry.agent.datapath.abi;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct backend: a backends_v2 slot, holding the backend with {@code id} (0: none). */
public record BackendValue(int id, Inet4Address address, int port, int flags) {
    /** BACKEND_F_LOCAL: the endpoint runs on this node. */
    public static final int F_LOCAL = 0x1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("id"), BE_U32.withName("addr"), BE_U16.withName("port"), U16.withName("flags"))
            .withName("backend");
    private static final long ID = offset(LAYOUT, "id"), ADDR = offset(LAYOUT, "addr"), PORT = offset(LAYOUT, "port"),
            FLAGS = offset(LAYOUT, "flags");

    public static final Codec<BackendValue> CODEC = codec(LAYOUT,
            s -> new BackendValue(s.get(U32, ID), Ipv4.of(s.get(BE_U32, ADDR)), u16(s.get(BE_U16, PORT)),
                    u16(s.get(U16, FLAGS))),
            (v, s) -> {
                s.set(U32, ID, v.id);
                s.set(BE_U32, ADDR, Ipv4.toInt(v.address));
                s.set(BE_U16, PORT, (short) v.port);
                s.set(U16, FLAGS, (short) v.flags);
            });

    /**
     * The value of backends_v1 (a hash map keyed by id), struct backend before it held its id:
     * addr (be), port (be), flags (host). Frozen: read only to carry a node's backends over to
     * backends_v2 (the key supplies the id; decoded values have id 0).
     */
    public static final StructLayout V1_LAYOUT = MemoryLayout.structLayout(
            BE_U32.withName("addr"), BE_U16.withName("port"), U16.withName("flags")).withName("backend");
    private static final long V1_ADDR = offset(V1_LAYOUT, "addr"), V1_PORT = offset(V1_LAYOUT, "port"),
            V1_FLAGS = offset(V1_LAYOUT, "flags");

    public static final Codec<BackendValue> V1_CODEC = codec(V1_LAYOUT,
            s -> new BackendValue(0, Ipv4.of(s.get(BE_U32, V1_ADDR)), u16(s.get(BE_U16, V1_PORT)), u16(s.get(U16, V1_FLAGS))),
            (v, s) -> {
                s.set(BE_U32, V1_ADDR, Ipv4.toInt(v.address));
                s.set(BE_U16, V1_PORT, (short) v.port);
                s.set(U16, V1_FLAGS, (short) v.flags);
            });

    public BackendValue withId(int newId) {
        return new BackendValue(newId, address, port, flags);
    }
}
