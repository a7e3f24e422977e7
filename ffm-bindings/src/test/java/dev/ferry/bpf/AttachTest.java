package dev.ferry.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Attaches the selftest programs to a veth pair made for the test and removed afterwards. */
class AttachTest {
    private VethPair veth;
    private PinRoot pins;

    @BeforeEach
    void setUp() throws Exception {
        Privileged.require();
        pins = new PinRoot();
        veth = new VethPair();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (veth != null) {
                veth.close();
            }
        } finally {
            if (pins != null) {
                pins.close();
            }
        }
    }

    @Test
    void tcxLinkPinsReopensUpdatesAndDetaches() throws Exception {
        int ifindex = veth.ifindex();
        try (BpfObject first = Selftest.open(pins.path); BpfObject second = Selftest.open(pins.path)) {
            first.load();
            second.load();
            BpfProgram original = first.program("selftest_tc");
            BpfProgram replacement = second.program("selftest_tc");
            Path pin = pins.resolve("tc_ingress_link");

            try (TcAttachment attachment = original.attachTc(ifindex, TcDirection.INGRESS, AttachMode.TCX)) {
                BpfLink link = assertInstanceOf(BpfLink.class, attachment);
                LinkInfo info = link.info();
                assertEquals(LinkInfo.TYPE_TCX, info.type());
                assertEquals(ifindex, info.ifindex());
                link.pin(pin);
            }
            // The fd is closed but the pin keeps the program attached (what an agent restart sees).
            try (BpfLink reopened = BpfLink.openPinned(pin)) {
                int originalId = reopened.info().programId();
                reopened.update(replacement);
                assertFalse(originalId == reopened.info().programId(), "program replaced in place");
                assertEquals(ifindex, reopened.ifindex());
                reopened.unpin();
                assertFalse(Files.exists(pin));
                reopened.detach();
                // A detached link is defunct: the kernel reports no interface any more.
                assertEquals(0, reopened.info().ifindex());
            }
        }
    }

    @Test
    void autoModeUsesTcxOnThisKernel() throws Exception {
        try (BpfObject object = Selftest.open(pins.path)) {
            object.load();
            try (TcAttachment attachment = object.program("selftest_tc").attachTc(veth.ifindex(), TcDirection.EGRESS)) {
                assertInstanceOf(BpfLink.class, attachment);
                assertEquals(veth.ifindex(), attachment.ifindex());
                attachment.detach();
            }
        }
    }

    @Test
    void clsactFallbackAttachesAndDetachesAFilter() throws Exception {
        try (BpfObject object = Selftest.open(pins.path)) {
            object.load();
            BpfProgram program = object.program("selftest_tc");
            TcAttachment attachment = program.attachTc(veth.ifindex(), TcDirection.INGRESS, AttachMode.CLSACT);
            ClsactFilter filter = assertInstanceOf(ClsactFilter.class, attachment);
            assertTrue(filter.handle() != 0 && filter.priority() != 0, filter.toString());
            assertTrue(veth.tcFilters("ingress").contains("selftest_tc"), veth.tcFilters("ingress"));

            // A second filter on the same interface shares the existing clsact qdisc (EEXIST is fine).
            ClsactFilter egress = (ClsactFilter) program.attachTc(veth.ifindex(), TcDirection.EGRESS, AttachMode.CLSACT);
            filter.detach();
            assertFalse(veth.tcFilters("ingress").contains("selftest_tc"), veth.tcFilters("ingress"));
            assertTrue(veth.tcFilters("egress").contains("selftest_tc"));
            egress.detach();
            var gone = assertThrows(BpfException.class, filter::detach);
            assertEquals("bpf_tc_detach", gone.function());
        }
    }

    @Test
    void xdpLinkReportsItsInterface() throws Exception {
        try (BpfObject object = Selftest.open(pins.path)) {
            object.load();
            try (BpfLink link = object.program("selftest_xdp").attachXdp(veth.ifindex())) {
                LinkInfo info = link.info();
                assertEquals(LinkInfo.TYPE_XDP, info.type());
                assertEquals(veth.ifindex(), info.ifindex());
            }
        }
    }
}
