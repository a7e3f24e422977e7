package dev.ferry.sys;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Runs iproute2 for test setup; these tests check the Java side, not ip. */
final class Ip {
    private Ip() {
    }

    static String uniqueNamespace() {
        return "fsys" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
    }

    static void run(String... args) throws IOException, InterruptedException {
        output(args);
    }

    /** Runs ip and returns what it printed (stderr included); throws when it fails. */
    static String output(String... args) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(concat(args)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", concat(args)) + " failed: " + output);
        }
        return output;
    }

    private static List<String> concat(String... args) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of("ip"), java.util.Arrays.stream(args)).toList();
    }
}
