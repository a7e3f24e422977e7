package dev.ferry.agent.datapath.abi;

import dev.ferry.agent.datapath.ClockProbe;
import dev.ferry.agent.datapath.Datapath;
import dev.ferry.agent.datapath.HostSocketHooks;
import dev.ferry.bpf.Btf;
import dev.ferry.bpf.BtfField;
import dev.ferry.bpf.BtfStruct;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.InputStream;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * bpf/src/ferry_abi.h is the single source of truth: every Java layout must equal the BTF that
 * clang wrote into the compiled object, field by field (name, offset, size) and in total size.
 * Change a C struct without its Java codec and this fails.
 */
class AbiLayoutTest {
    private static Path object;
    private static Btf btf;

    @BeforeAll
    static void parseBtf() throws Exception {
        object = Files.createTempFile("tc_pod", ".bpf.o");
        try (InputStream in = Datapath.class.getResourceAsStream(Datapath.POD_OBJECT)) {
            assertNotNull(in, Datapath.POD_OBJECT + " missing: bpf module not built");
            Files.write(object, in.readAllBytes());
        }
        btf = Btf.parse(object); // reading an ELF needs no privileges
    }

    @AfterAll
    static void cleanup() throws Exception {
        if (btf != null) btf.close();
        Files.deleteIfExists(object);
    }

    // ---- host sockets: sock_host.bpf.o declares the same maps, plus sock_revnat_v1 ----

    /** The layouts only the host socket hooks use; tc_pod.bpf.o declares their map too. */
    static final List<StructLayout> HOST_SOCKET_STRUCTS = List.of(SockRevnatKey.LAYOUT, SockRevnatValue.LAYOUT);

    @TestFactory
    Stream<DynamicTest> everyJavaLayoutEqualsTheBtfOfSockHost() throws Exception {
        Path sockObject = Files.createTempFile("sock_host", ".bpf.o");
        try (InputStream in = Datapath.class.getResourceAsStream(HostSocketHooks.OBJECT)) {
            assertNotNull(in, HostSocketHooks.OBJECT + " missing: bpf module not built");
            Files.write(sockObject, in.readAllBytes());
        }
        Map<String, List<String>> results = new LinkedHashMap<>();
        try (Btf sockBtf = Btf.parse(sockObject)) {
            for (StructLayout layout : Stream.concat(Abi.structs().stream(), HOST_SOCKET_STRUCTS.stream()).toList()) {
                String name = layout.name().orElseThrow();
                results.put(name, sockBtf.struct(name).map(c -> differences(layout, c))
                        .orElse(List.of("struct " + name + " is not in the BTF")));
            }
        } finally {
            Files.deleteIfExists(sockObject);
        }
        return results.entrySet().stream().map(e -> DynamicTest.dynamicTest("sock_host struct " + e.getKey(),
                () -> assertEquals(List.of(), e.getValue())));
    }

    /** struct clock_sample is only in the clock probe's object. */
    @Test
    void clockSampleEqualsTheBtfOfTheClockProbe() throws Exception {
        Path probeObject = Files.createTempFile("clock_probe", ".bpf.o");
        try (InputStream in = Datapath.class.getResourceAsStream(ClockProbe.OBJECT)) {
            assertNotNull(in, ClockProbe.OBJECT + " missing: bpf module not built");
            Files.write(probeObject, in.readAllBytes());
            try (Btf probeBtf = Btf.parse(probeObject)) {
                BtfStruct c = probeBtf.struct("clock_sample").orElseThrow(() -> new AssertionError("no struct clock_sample"));
                assertEquals(List.of(), differences(ClockSample.LAYOUT, c));
            }
        } finally {
            Files.deleteIfExists(probeObject);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyJavaLayoutEqualsTheBtfStruct() {
        return Abi.structs().stream().map(layout -> DynamicTest.dynamicTest("struct " + layout.name().orElseThrow(), () -> {
            BtfStruct c = btf.struct(layout.name().orElseThrow())
                    .orElseThrow(() -> new AssertionError("struct " + layout.name().get() + " is not in the BTF"));
            assertEquals(List.of(), differences(layout, c));
        }));
    }

    @Test
    void reasonEnumEqualsTheCEnum() {
        Map<String, Long> c = btf.enumValues("ferry_reason");
        Map<String, Long> java = new LinkedHashMap<>();
        for (Reason r : Reason.values()) java.put(r.cName(), (long) r.ordinal());
        java.put("REASON_MAX", (long) Reason.values().length);
        assertEquals(java, c);
    }

    @Test
    void theCheckItselfCatchesAFieldThatMoved() {
        // What a C-only edit looks like: a field shifted and the struct grown.
        BtfStruct drifted = new BtfStruct("svc_key", 12, List.of(new BtfField("vip", 0, 4),
                new BtfField("port", 4, 2), new BtfField("proto", 8, 1), new BtfField("pad", 9, 1)));
        List<String> diffs = differences(SvcKey.LAYOUT, drifted);
        assertTrue(diffs.contains("size: java 8, C 12"), diffs.toString());
        assertTrue(diffs.contains("proto: java offset 6 size 1, C offset 8 size 1"), diffs.toString());
    }

    /** Human-readable differences between a Java struct layout and its C counterpart. */
    static List<String> differences(StructLayout java, BtfStruct c) {
        List<String> out = new ArrayList<>();
        if (java.byteSize() != c.size()) out.add("size: java " + java.byteSize() + ", C " + c.size());
        Map<String, long[]> javaFields = new LinkedHashMap<>();
        long offset = 0;
        for (MemoryLayout member : java.memberLayouts()) {
            if (!(member instanceof PaddingLayout)) {
                javaFields.put(member.name().orElse("?"), new long[]{offset, member.byteSize()});
            }
            offset += member.byteSize();
        }
        for (BtfField f : c.fields()) {
            long[] j = javaFields.remove(f.name());
            if (j == null) {
                out.add(f.name() + ": in C (offset " + f.offset() + "), not in java");
            } else if (j[0] != f.offset() || j[1] != f.size()) {
                out.add(f.name() + ": java offset " + j[0] + " size " + j[1] + ", C offset " + f.offset() + " size " + f.size());
            }
        }
        javaFields.keySet().forEach(name -> out.add(name + ": in java, not in C"));
        return out;
    }
}
