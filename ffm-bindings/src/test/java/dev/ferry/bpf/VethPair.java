package dev.ferry.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** A veth pair with unique names (fbtNNNNa/fbtNNNNb), deleted on close even after failures. */
final class VethPair implements AutoCloseable {
    final String name;
    final String peer;

    VethPair() throws IOException, InterruptedException {
        int tag = ThreadLocalRandom.current().nextInt(10000, 99999);
        name = "fbt" + tag + "a";
        peer = "fbt" + tag + "b";
        ip("link", "add", name, "type", "veth", "peer", "name", peer);
        ip("link", "set", name, "up");
        ip("link", "set", peer, "up");
    }

    int ifindex() throws IOException {
        return Integer.parseInt(Files.readString(Path.of("/sys/class/net", name, "ifindex")).strip());
    }

    /** The output of `tc filter show dev NAME DIRECTION`, to see clsact filters from outside. */
    String tcFilters(String direction) throws IOException, InterruptedException {
        return run(List.of("tc", "filter", "show", "dev", name, direction));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        ip("link", "del", name); // removes the peer, qdiscs and attached programs too
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        run(command);
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }
}
