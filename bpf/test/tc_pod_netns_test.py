#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""
Real traffic through from_pod/to_pod: a "node" namespace with two "pods" on veths.

Usage (root): python3 bpf/test/tc_pod_netns_test.py [OBJECT]

    client pod 10.244.0.2 (ns fc) --veth-- node (ns fn) --veth-- backend pod 10.244.1.5 (ns fb)

The programs are attached with clsact (tc 6.1 can not make tcx links; the programs behave the
same) on the node side of both veths, maps are filled with bpftool. Each scenario runs twice:
with veth checksum offload (CHECKSUM_PARTIAL skbs, the normal pod case) and with tx offload off
in the pods, so that receivers verify every checksum the datapath rewrote.
Everything lives in a private mount namespace and private netns names; namespaces are deleted
at the end, also on failure.
"""
import os
import subprocess
import sys
import time

from tc_pod_test import (PROGS, REASONS, TCP, UDP, add_service, check, counters,
                         enter_private_bpffs, load_object, map_keys, FAILS)

CLIENT, BACKEND = "10.244.0.2", "10.244.1.5"
VIP, REJECT_VIP, HAIRPIN_VIP = "10.96.0.10", "10.96.0.20", "10.96.0.30"
GW = "169.254.1.1"
NODE, POD_C, POD_B = "fn", "fc", "fb"

SERVER = r"""
import socket, sys, threading
def tcp():
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", 8080)); s.listen(16)
    while True:
        c, a = s.accept(); d = c.recv(100)
        c.sendall(b"pong " + d + b" from " + a[0].encode()); c.close()
def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 5353))
    while True:
        d, a = s.recvfrom(65535); s.sendto(b"pong %d" % len(d), a)
threading.Thread(target=udp, daemon=True).start()
tcp()
"""

CLIENT_PROG = r"""
import socket, sys
kind, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    if kind == "tcp":
        s = socket.create_connection((addr, port), timeout=3); s.sendall(b"ping")
        print(s.recv(100).decode())
    else:
        size = int(sys.argv[4])
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
        s.connect((addr, port)); s.send(b"x" * size); print(s.recv(100).decode())
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")
"""


def sh(*cmd, ns=None, check_rc=True):
    # nsenter --net keeps our mount namespace (and its private bpffs), unlike ip netns exec
    prefix = ["nsenter", "--net=/run/netns/" + ns] if ns else []
    r = subprocess.run(prefix + list(cmd), capture_output=True, text=True)
    if check_rc and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} in {ns}: {r.stderr.strip()}")
    return r.stdout.strip()


def topology():
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/run/netns"], check=True)
    for ns in (NODE, POD_C, POD_B):
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "set", "lo", "up", ns=ns)
    sh("sysctl", "-qw", "net.ipv4.ip_forward=1", ns=NODE)
    for pod, addr, host_if in ((POD_C, CLIENT, "vc"), (POD_B, BACKEND, "vb")):
        sh("ip", "link", "add", host_if, "type", "veth", "peer", "name", "eth0", "netns", pod,
           ns=NODE)
        sh("ip", "link", "set", host_if, "up", ns=NODE)
        sh("ip", "route", "add", addr + "/32", "dev", host_if, ns=NODE)
        host_mac = sh("ip", "-br", "link", "show", host_if, ns=NODE).split()[2]
        sh("ip", "addr", "add", addr + "/32", "dev", "eth0", ns=pod)
        sh("ip", "link", "set", "eth0", "up", ns=pod)
        sh("ip", "route", "add", GW, "dev", "eth0", "scope", "link", ns=pod)
        sh("ip", "route", "add", "default", "via", GW, "dev", "eth0", ns=pod)
        sh("ip", "neigh", "add", GW, "lladdr", host_mac, "dev", "eth0", "nud", "permanent",
           ns=pod)
        sh("tc", "qdisc", "add", "dev", host_if, "clsact", ns=NODE)
        sh("tc", "filter", "add", "dev", host_if, "ingress", "bpf", "direct-action",
           "object-pinned", PROGS + "/from_pod", ns=NODE)
        sh("tc", "filter", "add", "dev", host_if, "egress", "bpf", "direct-action",
           "object-pinned", PROGS + "/to_pod", ns=NODE)


def client(*args):
    return sh("python3", "-c", CLIENT_PROG, *map(str, args), ns=POD_C)


def scenarios(label):
    got = client("tcp", VIP, 80)
    check(f"{label}: tcp through the VIP reaches the backend with the client's address",
          got == f"pong ping from {CLIENT}", got)
    got = client("udp", VIP, 53, 100)
    check(f"{label}: udp through the VIP", got == "pong 100", got)
    got = client("udp", VIP, 53, 3000)
    check(f"{label}: fragmented udp (3000 bytes) through the VIP", got == "pong 3000", got)
    got = client("tcp", REJECT_VIP, 80)
    check(f"{label}: tcp to a service without backends is refused (RST)", got == "refused", got)
    got = client("udp", REJECT_VIP, 53, 10)
    check(f"{label}: udp to a service without backends is refused (ICMP)", got == "refused", got)
    got = client("tcp", HAIRPIN_VIP, 80)
    check(f"{label}: hairpin tcp (pod reaches itself through its service)",
          got == "pong ping from 169.254.42.1", got)
    got = client("udp", HAIRPIN_VIP, 53, 100)
    check(f"{label}: hairpin udp", got == "pong 100", got)


def main():
    servers = []
    try:
        topology()
        add_service(VIP, 80, TCP, 1, [(7, BACKEND, 8080)])
        add_service(VIP, 53, UDP, 2, [(8, BACKEND, 5353)])
        add_service(REJECT_VIP, 80, TCP, 3, [])
        add_service(REJECT_VIP, 53, UDP, 4, [])
        add_service(HAIRPIN_VIP, 80, TCP, 5, [(9, CLIENT, 8080)])
        add_service(HAIRPIN_VIP, 53, UDP, 6, [(10, CLIENT, 5353)])
        for pod in (POD_B, POD_C):
            servers.append(subprocess.Popen(["nsenter", "--net=/run/netns/" + pod, "python3",
                                             "-c", SERVER]))
        time.sleep(0.5)
        scenarios("offload on")
        for pod in (POD_B, POD_C):
            sh("ethtool", "-K", "eth0", "tx", "off", ns=pod)
        scenarios("offload off")
        seen = dict(zip(REASONS, counters()))
        print("counters:", seen)
        check("fragments were seen and all placed",
              len(map_keys("frag_v1")) > 0 and seen["FRAG_UNKNOWN"] == 0, str(seen))
        check("nothing dropped", all(n == 0 for r, n in seen.items() if r.startswith("DROP")),
              str(seen))
    finally:
        for p in servers:
            p.kill()
            p.wait()
        for ns in (NODE, POD_C, POD_B):
            sh("ip", "netns", "del", ns, check_rc=False)
    print(f"\n{len(FAILS)} failed" if FAILS else "\nall passed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    enter_private_bpffs()
    load_object(sys.argv)
    sys.exit(main())
