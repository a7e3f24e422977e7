package dev.ferry.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * selftest_connect4 on a child cgroup of a cgroup2 mount made for the test: it refuses one port
 * for processes inside the cgroup only. The processes run in network namespaces of their own.
 */
class CgroupAttachTest {
    private static final int REFUSED_PORT = 7;
    private static final int ENOENT = 2, EBADF = 9, EINVAL = 22;
    private static final String CONNECT_REFUSED = "exec 3<>/dev/tcp/127.0.0.1/" + REFUSED_PORT;
    private static final String CONNECT_OTHER = "exec 3<>/dev/tcp/127.0.0.1/" + (REFUSED_PORT + 1);

    private PinRoot pins;
    private ScratchCgroup cgroup;

    @BeforeEach
    void setUp() throws Exception {
        Privileged.require();
        pins = new PinRoot();
        cgroup = new ScratchCgroup();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (cgroup != null) cgroup.close();
        } finally {
            if (pins != null) pins.close();
        }
    }

    private BpfObject load() {
        BpfObject object = Selftest.open(pins.path);
        object.setGlobalInt("refused_port", REFUSED_PORT);
        object.load();
        return object;
    }

    @Test
    void attachTypesAreTheKernelsValues() {
        try (Btf vmlinux = Btf.parse(Path.of("/sys/kernel/btf/vmlinux"))) {
            Map<String, Long> kernel = vmlinux.enumValues("bpf_attach_type");
            for (CgroupAttachType type : CgroupAttachType.values()) {
                assertEquals(kernel.get(type.kernelName()), (long) type.value(), type.kernelName());
                assertEquals(type, CgroupAttachType.of(type.value()));
            }
        }
    }

    @Test
    void connectHookActsInsideItsCgroupOnly() throws Exception {
        // Without the hook nothing listens on either port: "Connection refused" both times.
        assertTrue(cgroup.run(true, CONNECT_REFUSED).contains("Connection refused"));
        try (BpfObject object = load();
             BpfLink link = object.program("selftest_connect4").attachCgroup(cgroup.path(), CgroupAttachType.INET4_CONNECT)) {
            assertTrue(cgroup.run(true, CONNECT_REFUSED).contains("Operation not permitted"), "the hook refused");
            assertTrue(cgroup.run(true, CONNECT_OTHER).contains("Connection refused"), "other ports untouched");
            assertTrue(cgroup.run(false, CONNECT_REFUSED).contains("Connection refused"), "outside the cgroup untouched");
        }
        // Closing the only fd of an unpinned link detaches it.
        assertTrue(cgroup.run(true, CONNECT_REFUSED).contains("Connection refused"));
    }

    @Test
    void cgroupLinkReportsItselfPinsReopensUpdatesAndDetaches() throws Exception {
        long cgroupId = (long) Files.getAttribute(cgroup.path(), "unix:ino");
        Path pin = pins.resolve("cgroup_link");
        try (BpfObject first = load(); BpfObject second = load()) {
            try (BpfLink link = first.program("selftest_connect4").attachCgroup(cgroup.path(), CgroupAttachType.INET4_CONNECT)) {
                LinkInfo info = link.info();
                assertEquals(LinkInfo.TYPE_CGROUP, info.type());
                assertEquals(CgroupAttachType.INET4_CONNECT.value(), info.attachType());
                assertEquals(cgroupId, info.cgroupId(), "cgroup id is the cgroup2 directory's inode");
                assertEquals(0, info.ifindex());
                link.pin(pin);
            }
            // fd closed, pin kept: still attached (what an agent restart finds).
            assertTrue(cgroup.run(true, CONNECT_REFUSED).contains("Operation not permitted"));
            try (BpfLink reopened = BpfLink.openPinned(pin)) {
                int before = reopened.info().programId();
                reopened.update(second.program("selftest_connect4"));
                assertNotEquals(before, reopened.info().programId(), "program replaced in place");
                assertEquals(cgroupId, reopened.info().cgroupId());
                assertTrue(cgroup.run(true, CONNECT_REFUSED).contains("Operation not permitted"));
                reopened.unpin();
                assertFalse(Files.exists(pin));
                reopened.detach();
                assertEquals(0, reopened.info().cgroupId(), "a detached cgroup link names no cgroup");
                assertTrue(cgroup.run(true, CONNECT_REFUSED).contains("Connection refused"));
            }
        }
    }

    @Test
    void failuresCarryTheFunctionAndErrno() throws Exception {
        try (BpfObject object = load()) {
            BpfProgram program = object.program("selftest_connect4");
            BpfException missing = assertThrows(BpfException.class,
                    () -> program.attachCgroup(cgroup.path().resolve("missing"), CgroupAttachType.INET4_CONNECT));
            assertEquals("open", missing.function());
            assertEquals(ENOENT, missing.errno());

            Path notCgroup = Files.createTempDirectory("ferry-not-a-cgroup");
            try {
                BpfException plainDir = assertThrows(BpfException.class,
                        () -> program.attachCgroup(notCgroup, CgroupAttachType.INET4_CONNECT));
                assertEquals("bpf_link_create", plainDir.function());
                assertEquals(EBADF, plainDir.errno());
            } finally {
                Files.delete(notCgroup);
            }

            // A connect4 program can not serve another hook.
            BpfException wrongHook = assertThrows(BpfException.class,
                    () -> program.attachCgroup(cgroup.path(), CgroupAttachType.UDP4_SENDMSG));
            assertEquals(EINVAL, wrongHook.errno());
        }
    }
}
