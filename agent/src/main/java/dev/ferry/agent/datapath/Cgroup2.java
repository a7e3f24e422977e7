package dev.ferry.agent.datapath;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the cgroup v2 hierarchy is mounted: /sys/fs/cgroup on a unified host,
 * /sys/fs/cgroup/unified on a hybrid one (systemd's v1 controllers beside it). The sock_addr
 * hooks attach to its root so that every process of the node passes them.
 *
 * <p>`ip netns exec` remounts /sys, so an agent started that way (a lab node) sees no cgroup2
 * mount there: it needs one of its own elsewhere ({@code mount -t cgroup2 none DIR} shows the
 * same hierarchy), passed to it explicitly.
 */
public final class Cgroup2 {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final Pattern ESCAPE = Pattern.compile("\\\\([0-7]{3})");

    private Cgroup2() {
    }

    /** The first cgroup2 mount of the whole hierarchy (its root, not a subtree bind-mounted elsewhere). */
    public static Optional<Path> findMount() {
        try {
            return findMount(Files.readAllLines(MOUNTINFO));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + MOUNTINFO, e);
        }
    }

    /**
     * The same from mountinfo lines: "ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [TAGS...] - TYPE
     * SOURCE SUPER-OPTIONS", with spaces and the like in paths escaped as octal (\040).
     */
    static Optional<Path> findMount(List<String> mountinfo) {
        for (String line : mountinfo) {
            String[] fields = line.split(" ");
            int separator = List.of(fields).indexOf("-");
            if (separator < 5 || separator + 1 >= fields.length) continue;
            if (fields[separator + 1].equals("cgroup2") && fields[3].equals("/")) {
                return Optional.of(Path.of(unescape(fields[4])));
            }
        }
        return Optional.empty();
    }

    private static String unescape(String field) {
        Matcher m = ESCAPE.matcher(field);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(m.group(1), 8))));
        }
        return m.appendTail(out).toString();
    }

    /** True when {@code dir} is on a cgroup2 filesystem: what attaching there needs. */
    public static boolean isCgroup2(Path dir) {
        try {
            return "cgroup2".equals(Files.getFileStore(dir).type());
        } catch (IOException e) {
            return false;
        }
    }
}
