package dev.ferry.agent.datapath;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class Cgroup2Test {
    private static final String V1_CPU = "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu";
    private static final String TMPFS = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755";

    @Test
    void hybridHostHasItUnderUnified() {
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/unified")), Cgroup2.findMount(List.of(TMPFS, V1_CPU,
                "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw")));
    }

    @Test
    void unifiedHostHasItAtSysFsCgroup() {
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup")), Cgroup2.findMount(List.of(
                "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate")));
    }

    @Test
    void aSubtreeMountedElsewhereIsNotTheRootAndPathsAreUnescaped() {
        assertEquals(Optional.of(Path.of("/run/my cgroup")), Cgroup2.findMount(List.of(
                "50 24 0:30 /kubepods /var/lib/x rw - cgroup2 cgroup2 rw",
                "51 24 0:30 / /run/my\\040cgroup rw - cgroup2 none rw")));
    }

    @Test
    void noCgroup2IsEmpty() {
        assertEquals(Optional.empty(), Cgroup2.findMount(List.of(TMPFS, V1_CPU, "garbage")));
    }

    @Test
    void thisMachineHasOne() {
        Path mount = Cgroup2.findMount().orElseThrow(() -> new AssertionError("no cgroup2 in /proc/self/mountinfo"));
        assertTrue(Cgroup2.isCgroup2(mount), mount.toString());
        assertFalse(Cgroup2.isCgroup2(Path.of("/proc")));
    }
}
