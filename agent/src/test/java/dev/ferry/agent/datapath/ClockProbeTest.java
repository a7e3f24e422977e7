package dev.ferry.agent.datapath;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.testing.Privileged;
import dev.ferry.agent.testing.TempBpffs;
import dev.ferry.bpf.BpfInstruction;
import dev.ferry.bpf.BpfObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The clock probe on this kernel (bpf/src/clock_probe.bpf.c, DatapathClock): it finds the tick
 * the kernel was built with, and the datapath it configured reads jiffies, not a helper. That
 * this clock is CLOCK_MONOTONIC is seen in the deadlines it writes (ConntrackRefreshTest).
 */
class ClockProbeTest {
    @RegisterExtension
    final TempBpffs bpffs = new TempBpffs();

    @BeforeEach
    void privileged() {
        Privileged.require();
    }

    @Test
    void theProbeFindsThisKernelsTick() throws IOException {
        DatapathClock clock = DatapathClock.probe();
        assertNotEquals(0, clock.tickNs(), "the probe fell back to bpf_ktime_get_coarse_ns()");
        Optional<Integer> configured = configHz();
        if (configured.isPresent()) assertEquals(configured.get(), clock.hz(), "CONFIG_HZ in /proc/config.gz");
        assertEquals(DatapathClock.tickNs(clock.hz()), clock.tickNs());
    }

    /**
     * What the clock is for: no helper call left where the datapath reads it, in its own programs
     * and in objects loaded alike (bench/'s wrappers, which would otherwise time the fallback).
     * Helper calls are named as bpftool names them, by address from /proc/kallsyms; one that must
     * be there (bpf_ktime_get_ns, the time of drop events) shows that the naming works.
     */
    @Test
    void theDatapathReadsJiffiesWithoutAHelperCall() throws IOException {
        Map<String, Integer> helpers = helperCallImmediates(List.of("bpf_ktime_get_coarse_ns", "bpf_jiffies64", "bpf_ktime_get_ns"));
        Map<String, List<BpfInstruction>> programs = new LinkedHashMap<>();
        try (Datapath datapath = Datapath.load(bpffs.root(), new Datapath.Settings(Ipv4.parse("169.254.42.1")));
             BpfObject xdp = datapath.loadAlike("/bpf/bench_xdp_node.bpf.o", "bench_xdp_node");
             BpfObject tc = datapath.loadAlike("/bpf/bench_tc_pod.bpf.o", "bench_tc_pod")) {
            programs.put(Datapath.FROM_POD, datapath.fromPod().translatedInstructions());
            programs.put(Datapath.TO_POD, datapath.toPod().translatedInstructions());
            programs.put(Datapath.FROM_NODE, datapath.fromNode().translatedInstructions());
            programs.put("bench_from_node", xdp.program("bench_from_node").translatedInstructions());
            programs.put("bench_from_pod", tc.program("bench_from_pod").translatedInstructions());
        }
        programs.forEach((name, instructions) -> {
            Set<String> called = instructions.stream().filter(BpfInstruction::isHelperCall)
                    .flatMap(i -> helpers.entrySet().stream().filter(h -> h.getValue() == i.imm()).map(Map.Entry::getKey))
                    .collect(Collectors.toSet());
            assertEquals(Set.of("bpf_ktime_get_ns"), called, name + " calls");
        });
    }

    /** Each helper's address less __bpf_call_base's: the immediate of a call to it, as the kernel reports it. */
    private static Map<String, Integer> helperCallImmediates(List<String> helpers) throws IOException {
        Map<String, Long> addresses = new HashMap<>();
        try (Stream<String> lines = Files.lines(Path.of("/proc/kallsyms"))) {
            lines.map(l -> l.split(" ")).filter(f -> f.length >= 3 && (f[2].equals("__bpf_call_base") || helpers.contains(f[2])))
                    .forEach(f -> addresses.putIfAbsent(f[2], Long.parseUnsignedLong(f[0], 16)));
        }
        long base = addresses.getOrDefault("__bpf_call_base", 0L);
        assertNotEquals(0L, base, "/proc/kallsyms shows no address of __bpf_call_base (kptr_restrict?)");
        Map<String, Integer> immediates = new LinkedHashMap<>();
        for (String helper : helpers) {
            assertTrue(addresses.containsKey(helper), helper + " not in /proc/kallsyms");
            immediates.put(helper, (int) (addresses.get(helper) - base));
        }
        return immediates;
    }

    /** CONFIG_HZ of the running kernel, where it ships its configuration. */
    private static Optional<Integer> configHz() throws IOException {
        Path config = Path.of("/proc/config.gz");
        if (!Files.exists(config)) return Optional.empty();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(config))))) {
            return in.lines().filter(l -> l.startsWith("CONFIG_HZ=")).map(l -> Integer.parseInt(l.substring(10))).findFirst();
        }
    }
}
