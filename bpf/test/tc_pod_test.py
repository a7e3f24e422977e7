#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""
Table of BPF_PROG_TEST_RUN cases for bpf/src/tc_pod.bpf.c, driven through bpftool.

Usage (root): python3 bpf/test/tc_pod_test.py [OBJECT]   (default: builds into a temp dir)

The object pins its maps by name under /sys/fs/bpf, so the script re-executes itself in a
private mount namespace with its own bpffs: nothing is pinned on the host, and everything
vanishes when the script exits, even on failure.

Each case sends hand-built frames and compares whole output frames (bytes and checksums) with
frames built independently here, plus the verdict, the conntrack entries and the counters.
"""
import ipaddress
import json
import os
import struct
import subprocess
import sys
import tempfile

TC_ACT_OK, TC_ACT_SHOT, TC_ACT_REDIRECT = 0, 2, 7
REASONS = ["PASS", "DNAT", "REVNAT", "REJECT_NO_BACKEND", "DROP_MALFORMED", "DROP_NO_SLOT",
           "DROP_CT_FULL", "FRAG_UNKNOWN", "DROP_REJECT_FAILED", "DROP_REWRITE_FAILED",
           "DROP_NO_LOCAL_BACKEND", "REJECT_NO_PORT", "DROP_UNALLOCATED_VIP", "DROP_SOURCE_RANGE",
           "DROP_NO_SNAT_PORT", "DROP_NO_ROUTE", "DROP_TTL_EXCEEDED", "DROP_POLICY_EGRESS",
           "DROP_POLICY_INGRESS"]
BPFFS = "/sys/fs/bpf"
PROGS = BPFFS + "/progs"
TCP, UDP, ICMP = 6, 17, 1
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
CT_FORWARD, CT_REPLY = 0, 1
CT_F_HAIRPIN, CT_F_CLOSING = 1, 2

POD_MAC = bytes.fromhex("0a0000000002")
HOST_MAC = bytes.fromhex("eeeeeeeeeeee")
CLIENT = "10.244.0.2"
HAIRPIN = "169.254.42.1"


# ---------------------------------------------------------------- packet building

def ip4(a):
    return ipaddress.IPv4Address(a).packed


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def pseudo(src, dst, proto, length):
    return ip4(src) + ip4(dst) + struct.pack("!BBH", 0, proto, length)


def tcp(src, dst, sport, dport, flags, seq=1000, ack=0, payload=b"", doff=5, opts=b"",
        window=65535):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags, window, 0, 0) + opts
    seg = hdr + payload
    c = csum(pseudo(src, dst, TCP, len(seg)) + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def udp(src, dst, sport, dport, payload=b"", zero_csum=False, length=None):
    length = 8 + len(payload) if length is None else length
    seg = struct.pack("!HHHH", sport, dport, length, 0) + payload
    if zero_csum:
        return seg
    c = csum(pseudo(src, dst, UDP, len(seg)) + seg) or 0xffff
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def ipv4(src, dst, proto, payload, ttl=63, ident=0x1234, frag=0, opts=b"", tos=0,
         tot_len=None, ihl=None, version=4):
    ihl = (20 + len(opts)) // 4 if ihl is None else ihl
    tot_len = 20 + len(opts) + len(payload) if tot_len is None else tot_len
    hdr = struct.pack("!BBHHHBBH4s4s", version << 4 | ihl, tos, tot_len, ident, frag, ttl, proto,
                      0, ip4(src), ip4(dst)) + opts
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def eth(payload, ethertype=0x0800, dst=HOST_MAC, src=POD_MAC):
    return dst + src + struct.pack("!H", ethertype) + payload


def tcp_frame(src, sport, dst, dport, flags, opts=b"", macs=(HOST_MAC, POD_MAC), **kw):
    return eth(ipv4(src, dst, TCP, tcp(src, dst, sport, dport, flags, **kw), opts=opts),
               dst=macs[0], src=macs[1])


def udp_frame(src, sport, dst, dport, payload=b"hello", zero_csum=False, opts=b"",
              macs=(HOST_MAC, POD_MAC)):
    return eth(ipv4(src, dst, UDP, udp(src, dst, sport, dport, payload, zero_csum), opts=opts),
               dst=macs[0], src=macs[1])


# ---------------------------------------------------------------- bpftool plumbing

def bpftool(*args):
    out = subprocess.run(["bpftool", "-j", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout) if out.stdout.strip() else None


def hexargs(b):
    return ["%02x" % x for x in b]


def map_update(name, key, value):
    subprocess.run(["bpftool", "map", "update", "pinned", f"{BPFFS}/{name}", "key", "hex",
                    *hexargs(key), "value", "hex", *hexargs(value)], check=True)


def map_lookup(name, key):
    r = subprocess.run(["bpftool", "-j", "map", "lookup", "pinned", f"{BPFFS}/{name}", "key",
                        "hex", *hexargs(key)], capture_output=True, text=True)
    if r.returncode != 0:
        return None
    return bytes(int(x, 16) for x in json.loads(r.stdout)["value"])


def map_keys(name):
    return [bytes(int(x, 16) for x in e["key"]) for e in bpftool("map", "dump", "pinned",
                                                                  f"{BPFFS}/{name}")]


def counters(field=0):
    """Sum over CPUs of counters_v1 by reason: field 0 = packets, 1 = bytes."""
    total = [0] * len(REASONS)
    for e in bpftool("map", "dump", "pinned", f"{BPFFS}/counters_v1"):
        idx = struct.unpack("<I", bytes(int(x, 16) for x in e["key"]))[0]
        for cpu in e["values"]:
            total[idx] += struct.unpack("<QQ", bytes(int(x, 16) for x in cpu["value"]))[field]
    return total


def run(prog, frame):
    with tempfile.TemporaryDirectory() as d:
        fin, fout = os.path.join(d, "in"), os.path.join(d, "out")
        with open(fin, "wb") as f:
            f.write(frame)
        r = subprocess.run(["bpftool", "prog", "run", "pinned", f"{PROGS}/{prog}", "data_in",
                            fin, "data_out", fout, "repeat", "1"], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"test run of {frame.hex()} failed: {r.stderr.strip()}")
        out = r.stdout
        ret = int(out.split("Return value:")[1].split(",")[0])
        with open(fout, "rb") as f:
            return ret, f.read()


# ---------------------------------------------------------------- map contents (ferry_abi.h)

def svc_key(vip, port, proto):
    return ip4(vip) + struct.pack("!H", port) + bytes([proto, 0])


BACKEND_SLOTS = 262144


def backend_slot(bid, addr, bport, present=True):
    """backends_v2: slot bid % BACKEND_SLOTS -> id (0 once removed), addr, port, flags."""
    map_update("backends_v2", struct.pack("<I", bid % BACKEND_SLOTS),
               struct.pack("<I", bid if present else 0) + ip4(addr) + struct.pack("!HH", bport, 0))


def add_service(vip, port, proto, svc_id, backends):
    """backends: list of (backend_id, addr, port)"""
    for slot, (bid, addr, bport) in enumerate(backends):
        backend_slot(bid, addr, bport)
        map_update("slots_v1", struct.pack("<II", svc_id, slot), struct.pack("<I", bid))
    map_update("services_v2", svc_key(vip, port, proto), struct.pack("<IHHII", svc_id,
                                                                     len(backends), 0, 0, 0))


def ct_key(saddr, daddr, sport, dport, proto, direction):
    return ip4(saddr) + ip4(daddr) + struct.pack("!HH", sport, dport) + bytes([proto, direction,
                                                                               0, 0])


def ct_get(*key):
    v = map_lookup("ct_v1", ct_key(*key))
    if v is None:
        return None
    nat, nport, flags, svc, bid, client, _, exp = struct.unpack("<4sHHII4sIQ", v)
    return dict(nat=str(ipaddress.IPv4Address(nat)), nat_port=struct.unpack("!H",
                struct.pack("<H", nport))[0], flags=flags, svc_id=svc, backend_id=bid,
                client=str(ipaddress.IPv4Address(client)), expires=exp)


# ---------------------------------------------------------------- the table

FAILS = []


def check(name, cond, detail=""):
    print(("ok    " if cond else "FAIL  ") + name + ("" if cond else "  " + detail))
    if not cond:
        FAILS.append(name)


def expect(name, prog, frame, verdict, out, reason):
    before, bytes_before = counters(), counters(1)
    ret, got = run(prog, frame)
    delta = [a - b for a, b in zip(counters(), before)]
    byte_delta = [a - b for a, b in zip(counters(1), bytes_before)]
    want_delta = [0] * len(REASONS)
    want_delta[REASONS.index(reason)] = 1
    want_bytes = [n * len(frame) for n in want_delta]
    check(name + ": verdict", ret == verdict, f"got {ret}, want {verdict}")
    check(name + ": packet", got == out, f"\n  got  {got.hex()}\n  want {out.hex()}")
    check(name + ": counted once as " + reason, delta == want_delta and byte_delta == want_bytes,
          f"delta {delta} bytes {byte_delta}")
    return got


def main():
    vip, rej_vip, hp_vip, noslot_vip, multi_vip = ("10.96.0.10", "10.96.0.20", "10.96.0.30",
                                                   "10.96.0.40", "10.96.0.50")
    be_tcp, be_udp = ("10.244.1.5", 8080), ("10.244.1.6", 5353)
    add_service(vip, 80, TCP, 1, [(7, *be_tcp)])
    add_service(vip, 53, UDP, 2, [(8, *be_udp)])
    add_service(rej_vip, 80, TCP, 3, [])
    add_service(rej_vip, 53, UDP, 4, [])
    add_service(hp_vip, 80, TCP, 5, [(9, CLIENT, 8080)])
    map_update("services_v2", svc_key(noslot_vip, 80, TCP), struct.pack("<IHHII", 6, 2, 0, 0, 0))
    add_service(multi_vip, 80, TCP, 7, [(20 + i, f"10.244.2.{i}", 8080) for i in range(4)])

    # --- TCP DNAT, conntrack, reverse NAT
    syn = tcp_frame(CLIENT, 40000, vip, 80, SYN)
    expect("tcp syn dnat", "from_pod", syn, TC_ACT_OK,
           tcp_frame(CLIENT, 40000, be_tcp[0], be_tcp[1], SYN), "DNAT")
    fwd = ct_get(CLIENT, vip, 40000, 80, TCP, CT_FORWARD)
    rep = ct_get(be_tcp[0], CLIENT, be_tcp[1], 40000, TCP, CT_REPLY)
    check("ct forward entry", fwd is not None and fwd["nat"] == be_tcp[0] and
          fwd["nat_port"] == 8080 and fwd["backend_id"] == 7 and fwd["svc_id"] == 1 and
          fwd["flags"] == 0, str(fwd))
    check("ct reply entry", rep is not None and rep["nat"] == vip and rep["nat_port"] == 80 and
          rep["client"] == CLIENT and rep["flags"] == 0, str(rep))
    expect("tcp established dnat", "from_pod",
           tcp_frame(CLIENT, 40000, vip, 80, ACK | PSH, payload=b"GET / HTTP/1.0\r\n\r\n"),
           TC_ACT_OK, tcp_frame(CLIENT, 40000, be_tcp[0], be_tcp[1], ACK | PSH,
                                payload=b"GET / HTTP/1.0\r\n\r\n"), "DNAT")
    synack = tcp_frame(be_tcp[0], 8080, CLIENT, 40000, SYN | ACK, seq=5, ack=1001)
    # Replies leave the backend untouched; the source turns back into the VIP as they enter the
    # client pod, after routing (a VIP that is a node address would be a martian before it).
    expect("reply leaves a local backend untouched (from_pod)", "from_pod", synack, TC_ACT_OK,
           synack, "PASS")
    expect("reply revnat from remote backend (to_pod)", "to_pod", synack, TC_ACT_OK,
           tcp_frame(vip, 80, CLIENT, 40000, SYN | ACK, seq=5, ack=1001), "REVNAT")
    expect("to_pod does not dnat", "to_pod", syn, TC_ACT_OK, syn, "PASS")

    # --- stickiness across backends
    picks = set()
    for i in range(8):
        run("from_pod", tcp_frame(CLIENT, 41000, multi_vip, 80, ACK))
        picks.add(ct_get(CLIENT, multi_vip, 41000, 80, TCP, CT_FORWARD)["backend_id"])
    check("established flow keeps its backend", len(picks) == 1, str(picks))
    spread = set()
    for port in range(42000, 42040):
        run("from_pod", tcp_frame(CLIENT, port, multi_vip, 80, SYN))
        spread.add(ct_get(CLIENT, multi_vip, port, 80, TCP, CT_FORWARD)["backend_id"])
    check("new flows spread over backends", spread == {20, 21, 22, 23}, str(spread))

    # --- FIN -> closing; SYN on a closing entry is a new flow
    run("from_pod", tcp_frame(CLIENT, 40000, vip, 80, FIN | ACK))
    f = ct_get(CLIENT, vip, 40000, 80, TCP, CT_FORWARD)
    r = ct_get(be_tcp[0], CLIENT, be_tcp[1], 40000, TCP, CT_REPLY)
    check("fin marks both entries closing", f["flags"] & CT_F_CLOSING and r["flags"] & CT_F_CLOSING,
          f"{f} {r}")
    check("closing shortens expiry", f["expires"] - fwd["expires"] < 3600 * 10**9, str(f))
    expect("syn reuses a closing tuple as a new flow", "from_pod", syn, TC_ACT_OK,
           tcp_frame(CLIENT, 40000, be_tcp[0], be_tcp[1], SYN), "DNAT")
    f = ct_get(CLIENT, vip, 40000, 80, TCP, CT_FORWARD)
    check("new flow is not closing", f["flags"] == 0, str(f))

    # --- removed backend ends the flow; expired entry is a new flow
    backend_slot(7, *be_tcp, present=False)
    expect("removed backend: new flow, slot's backend missing", "from_pod",
           tcp_frame(CLIENT, 40000, vip, 80, ACK), TC_ACT_SHOT,
           tcp_frame(CLIENT, 40000, vip, 80, ACK), "DROP_NO_SLOT")
    check("stale forward entry deleted", ct_get(CLIENT, vip, 40000, 80, TCP, CT_FORWARD) is None)
    add_service(vip, 80, TCP, 1, [(7, *be_tcp)])
    run("from_pod", syn)
    k = ct_key(CLIENT, vip, 40000, 80, TCP, CT_FORWARD)
    v = map_lookup("ct_v1", k)
    map_update("ct_v1", k, ip4("10.244.9.9") + v[4:24] + struct.pack("<Q", 1))
    expect("expired entry is a new flow", "from_pod", syn, TC_ACT_OK,
           tcp_frame(CLIENT, 40000, be_tcp[0], be_tcp[1], SYN), "DNAT")

    # --- a slot that holds a newer id is no longer the flow's backend
    backend_slot(7 + BACKEND_SLOTS, "10.244.9.7", 8080)
    expect("slot reused by a newer id: the old id's flow ends", "from_pod",
           tcp_frame(CLIENT, 40000, vip, 80, ACK), TC_ACT_SHOT,
           tcp_frame(CLIENT, 40000, vip, 80, ACK), "DROP_NO_SLOT")
    check("its forward entry deleted", ct_get(CLIENT, vip, 40000, 80, TCP, CT_FORWARD) is None)
    add_service(vip, 80, TCP, 1, [(7, *be_tcp)])

    # --- UDP
    expect("udp dnat", "from_pod", udp_frame(CLIENT, 33000, vip, 53), TC_ACT_OK,
           udp_frame(CLIENT, 33000, *be_udp), "DNAT")
    expect("udp dnat, zero checksum stays zero", "from_pod",
           udp_frame(CLIENT, 33001, vip, 53, zero_csum=True), TC_ACT_OK,
           udp_frame(CLIENT, 33001, *be_udp, zero_csum=True), "DNAT")
    expect("udp reply revnat entering the client (to_pod)", "to_pod",
           udp_frame(be_udp[0], 5353, CLIENT, 33000), TC_ACT_OK, udp_frame(vip, 53, CLIENT, 33000), "REVNAT")

    # --- IP options
    ra = bytes([0x94, 0x04, 0, 0])  # router alert: one 4-byte option, ihl 6
    nop_eol = bytes([1, 1, 1, 0])  # NOP NOP NOP EOL
    expect("tcp dnat with ip options", "from_pod",
           tcp_frame(CLIENT, 40100, vip, 80, SYN, opts=ra + nop_eol), TC_ACT_OK,
           tcp_frame(CLIENT, 40100, be_tcp[0], be_tcp[1], SYN, opts=ra + nop_eol), "DNAT")
    expect("udp dnat with ip options", "from_pod",
           udp_frame(CLIENT, 33100, vip, 53, opts=ra), TC_ACT_OK,
           udp_frame(CLIENT, 33100, *be_udp, opts=ra), "DNAT")

    # --- rejects
    rst = tcp(rej_vip, CLIENT, 80, 40200, RST | ACK, seq=0, ack=1001, window=0)
    rst_want = eth(ipv4(rej_vip, CLIENT, TCP, rst, ttl=64, ident=0, frag=0x4000),
                   dst=POD_MAC, src=HOST_MAC)
    expect("tcp syn without backends gets rst+ack", "from_pod",
           tcp_frame(CLIENT, 40200, rej_vip, 80, SYN, payload=b"", opts=ra), TC_ACT_REDIRECT,
           rst_want, "REJECT_NO_BACKEND")
    rst_want = eth(ipv4(rej_vip, CLIENT, TCP, tcp(rej_vip, CLIENT, 80, 40201, RST, seq=777,
                                                  ack=0, window=0), ttl=64, ident=0, frag=0x4000),
                   dst=POD_MAC, src=HOST_MAC)
    expect("tcp ack without backends gets rst seq=ack", "from_pod",
           tcp_frame(CLIENT, 40201, rej_vip, 80, ACK | PSH, ack=777, payload=b"x" * 100),
           TC_ACT_REDIRECT, rst_want, "REJECT_NO_BACKEND")
    rst_in = tcp_frame(CLIENT, 40202, rej_vip, 80, RST)
    expect("rst without backends is dropped, never answered", "from_pod", rst_in, TC_ACT_SHOT,
           rst_in, "REJECT_NO_BACKEND")
    for name, opts in (("", b""), (" with ip options", ra)):
        req = udp_frame(CLIENT, 33200, rej_vip, 53, payload=b"q" * 40, opts=opts)
        quote = req[14:14 + 20 + len(opts) + 8]
        icmp = struct.pack("!BBHI", 3, 3, 0, 0) + quote
        icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
        want = eth(ipv4(rej_vip, CLIENT, ICMP, icmp, ttl=64, ident=0, tos=0xc0),
                   dst=POD_MAC, src=HOST_MAC)
        expect("udp without backends gets icmp port unreachable" + name, "from_pod", req,
               TC_ACT_REDIRECT, want, "REJECT_NO_BACKEND")
    small = udp_frame(CLIENT, 33201, rej_vip, 53, payload=b"")
    quote = small[14:14 + 28]
    icmp = struct.pack("!BBHI", 3, 3, 0, 0) + quote
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    expect("empty udp without backends (frame grows)", "from_pod", small, TC_ACT_REDIRECT,
           eth(ipv4(rej_vip, CLIENT, ICMP, icmp, ttl=64, ident=0, tos=0xc0), dst=POD_MAC,
               src=HOST_MAC), "REJECT_NO_BACKEND")

    # --- fragments (UDP datagram of 8 + 40 bytes split at 24 bytes of L4)
    payload = bytes(range(40))
    dgram = udp(CLIENT, vip, 34000, 53, payload)
    dgram_nat = udp(CLIENT, be_udp[0], 34000, be_udp[1], payload)
    first = eth(ipv4(CLIENT, vip, UDP, dgram[:24], ident=0x4242, frag=0x2000))
    later = eth(ipv4(CLIENT, vip, UDP, dgram[24:], ident=0x4242, frag=3))
    expect("first fragment: full dnat", "from_pod", first, TC_ACT_OK,
           eth(ipv4(CLIENT, be_udp[0], UDP, dgram_nat[:24], ident=0x4242, frag=0x2000)), "DNAT")
    expect("later fragment: l3-only dnat", "from_pod", later, TC_ACT_OK,
           eth(ipv4(CLIENT, be_udp[0], UDP, dgram[24:], ident=0x4242, frag=3)), "DNAT")
    check("reassembled datagram checksum valid after nat",
          csum(pseudo(CLIENT, be_udp[0], UDP, len(dgram_nat)) + dgram_nat) == 0)
    orphan = eth(ipv4(CLIENT, vip, UDP, dgram[24:], ident=0x4343, frag=3))
    expect("later fragment of unknown datagram passes", "from_pod", orphan, TC_ACT_OK, orphan,
           "FRAG_UNKNOWN")
    rfirst = eth(ipv4(be_udp[0], CLIENT, UDP, udp(be_udp[0], CLIENT, 5353, 34000, payload)[:24],
                      ident=0x5151, frag=0x2000))
    rlater = eth(ipv4(be_udp[0], CLIENT, UDP, b"z" * 16, ident=0x5151, frag=3))
    run("to_pod", rfirst)
    expect("later reply fragment: l3-only revnat (to_pod)", "to_pod", rlater, TC_ACT_OK,
           eth(ipv4(vip, CLIENT, UDP, b"z" * 16, ident=0x5151, frag=3)), "REVNAT")
    rej_later = eth(ipv4(CLIENT, rej_vip, UDP, b"z" * 16, ident=0x6161, frag=3))
    run("from_pod", eth(ipv4(CLIENT, rej_vip, UDP, udp(CLIENT, rej_vip, 34001, 53, payload)[:24],
                             ident=0x6161, frag=0x2000)))
    expect("later fragment without backends is dropped", "from_pod", rej_later, TC_ACT_SHOT,
           rej_later, "REJECT_NO_BACKEND")

    # --- malformed
    good_l4 = tcp(CLIENT, vip, 40300, 80, SYN)
    bad = {
        "ip version 6 in an IPv4 frame": eth(ipv4(CLIENT, vip, TCP, good_l4, version=6)),
        "ihl 4": eth(ipv4(CLIENT, vip, TCP, good_l4, ihl=4)),
        "ihl beyond the frame": eth(ipv4(CLIENT, vip, TCP, b"", ihl=15)),
        "tot_len below ihl": eth(ipv4(CLIENT, vip, TCP, good_l4, tot_len=16)),
        # (a frame shorter than 14 + 20 bytes is refused by BPF_PROG_TEST_RUN itself on 6.18)
        "ihl 6, frame ends after 20 bytes": eth(ipv4(CLIENT, vip, TCP, b"", ihl=6)),
        "tcp doff 4": eth(ipv4(CLIENT, vip, TCP, tcp(CLIENT, vip, 40300, 80, SYN, doff=4))),
        "tcp header of 12 bytes": eth(ipv4(CLIENT, vip, TCP, good_l4[:12])),
        "tcp cut by tot_len": eth(ipv4(CLIENT, vip, TCP, good_l4, tot_len=30)),
        "udp header of 6 bytes": eth(ipv4(CLIENT, vip, UDP, udp(CLIENT, vip, 1, 53)[:6])),
        "tcp first fragment of 8 bytes": eth(ipv4(CLIENT, vip, TCP, good_l4[:8], frag=0x2000)),
    }
    for name, frame in bad.items():
        expect("malformed dropped: " + name, "from_pod", frame, TC_ACT_SHOT, frame,
               "DROP_MALFORMED")

    # --- untouched
    untouched = {
        "arp": eth(bytes(28), ethertype=0x0806),
        "ipv6": eth(bytes([0x60]) + bytes(39), ethertype=0x86dd),
        "vlan-tagged ipv4": eth(struct.pack("!HH", 5, 0x0800) + ipv4(CLIENT, vip, TCP, good_l4),
                                ethertype=0x8100),
        "icmp echo to a vip": eth(ipv4(CLIENT, vip, ICMP, bytes([8, 0, 0xf7, 0xff]) + bytes(4))),
        "tcp to a non-service": tcp_frame(CLIENT, 40400, "10.244.3.3", 80, SYN),
        "tcp to a vip's other port": tcp_frame(CLIENT, 40400, vip, 81, SYN),
        "udp to a tcp frontend": udp_frame(CLIENT, 40400, vip, 80),
    }
    for name, frame in untouched.items():
        expect("passes untouched: " + name, "from_pod", frame, TC_ACT_OK, frame, "PASS")
    expect("to_pod passes arp", "to_pod", untouched["arp"], TC_ACT_OK, untouched["arp"], "PASS")

    # --- missing slot
    ns = tcp_frame(CLIENT, 40500, noslot_vip, 80, SYN)
    expect("missing slot dropped", "from_pod", ns, TC_ACT_SHOT, ns, "DROP_NO_SLOT")

    # --- hairpin: the client is the chosen backend
    expect("hairpin syn: dnat + snat to hairpin_addr, back into the pod", "from_pod",
           tcp_frame(CLIENT, 40600, hp_vip, 80, SYN), TC_ACT_REDIRECT,
           tcp_frame(HAIRPIN, 40600, CLIENT, 8080, SYN, macs=(POD_MAC, HOST_MAC)), "DNAT")
    f = ct_get(CLIENT, hp_vip, 40600, 80, TCP, CT_FORWARD)
    r = ct_get(CLIENT, HAIRPIN, 8080, 40600, TCP, CT_REPLY)
    check("hairpin ct entries", f and r and f["flags"] == CT_F_HAIRPIN and
          r["flags"] == CT_F_HAIRPIN and r["client"] == CLIENT and r["nat"] == hp_vip, f"{f} {r}")
    expect("hairpin reply: VIP -> client, back into the pod", "from_pod",
           tcp_frame(CLIENT, 8080, HAIRPIN, 40600, SYN | ACK, seq=9, ack=1001), TC_ACT_REDIRECT,
           tcp_frame(hp_vip, 80, CLIENT, 40600, SYN | ACK, seq=9, ack=1001,
                     macs=(POD_MAC, HOST_MAC)), "REVNAT")
    expect("hairpin established", "from_pod", tcp_frame(CLIENT, 40600, hp_vip, 80, ACK),
           TC_ACT_REDIRECT, tcp_frame(HAIRPIN, 40600, CLIENT, 8080, ACK,
                                      macs=(POD_MAC, HOST_MAC)), "DNAT")

    print(f"\n{len(FAILS)} failed" if FAILS else "\nall passed")
    return 1 if FAILS else 0


def enter_private_bpffs():
    """Re-executes the script in a private mount namespace with its own bpffs (and /run/netns):
    pins by name land there, not on the host, and vanish with the process."""
    if os.environ.get("FERRY_TEST_NS") != "1":
        os.environ["FERRY_TEST_NS"] = "1"
        os.execvp("unshare", ["unshare", "-m", "--propagation", "private", sys.executable,
                              *sys.argv])
    subprocess.run(["mount", "-t", "bpf", "bpf", BPFFS], check=True)


def load_object(argv):
    """Loads the object named on the command line, or builds it into a temp dir first."""
    if len(argv) > 1:
        obj = argv[1]
    else:
        global _BUILD_DIR  # removed when the interpreter exits, also on failure
        _BUILD_DIR = tempfile.TemporaryDirectory(prefix="ferry-bpf-")
        out = _BUILD_DIR.name
        subprocess.run(["bash", os.path.join(os.path.dirname(__file__), "..", "build.sh"), out],
                       check=True, stdout=subprocess.DEVNULL)
        obj = os.path.join(out, "tc_pod.bpf.o")
    subprocess.run(["bpftool", "prog", "loadall", obj, PROGS], check=True)


if __name__ == "__main__":
    enter_private_bpffs()
    load_object(sys.argv)
    sys.exit(main())
