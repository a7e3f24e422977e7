package dev.ferry.agent.datapath.abi;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct sock_revnat_value: the VIP and port a host socket asked for; sock_revnat_v1 is written by the datapath only. */
public record SockRevnatValue(Inet4Address vip, int vipPort) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            BE_U32.withName("vip"), BE_U16.withName("vip_port"), U16.withName("pad")).withName("sock_revnat_value");
    private static final long VIP = offset(LAYOUT, "vip"), PORT = offset(LAYOUT, "vip_port");

    public static final Codec<SockRevnatValue> CODEC = codec(LAYOUT,
            s -> new SockRevnatValue(Ipv4.of(s.get(BE_U32, VIP)), u16(s.get(BE_U16, PORT))),
            (v, s) -> {
                s.set(BE_U32, VIP, Ipv4.toInt(v.vip));
                s.set(BE_U16, PORT, (short) v.vipPort);
            });
}
