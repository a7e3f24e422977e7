package dev.ferry.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** What the numbers were measured on, as the report prints it. */
public record Machine(String cpu, int cores, long memoryMiB, String kernel, String os, String jdk, List<String> tools) {

    public static Machine current() {
        String cpu = grep(Path.of("/proc/cpuinfo"), "model name").orElse("unknown CPU");
        long memKiB = grep(Path.of("/proc/meminfo"), "MemTotal").map(v -> Long.parseLong(v.replace("kB", "").trim()))
                .orElse(0L);
        String os = read(Path.of("/etc/os-release")).lines().filter(l -> l.startsWith("PRETTY_NAME="))
                .map(l -> l.substring("PRETTY_NAME=".length()).replace("\"", "")).findFirst().orElse("unknown OS");
        List<String> tools = new ArrayList<>();
        for (List<String> command : List.of(List.of("iptables", "--version"), List.of("nft", "--version"),
                List.of("clang", "--version"))) {
            run(command).map(out -> out.lines().findFirst().orElse("").trim()).ifPresent(tools::add);
        }
        return new Machine(cpu, Runtime.getRuntime().availableProcessors(), memKiB / 1024,
                run(List.of("uname", "-r")).orElse("unknown").trim(), os,
                System.getProperty("java.vm.name") + " " + Runtime.version(), tools);
    }

    public String markdown() {
        return "- CPU: " + cpu + ", " + cores + " cores visible, " + memoryMiB / 1024 + " GiB\n"
                + "- Kernel: " + kernel + " (" + os + ")\n"
                + "- JDK: " + jdk + "\n"
                + "- Peers and tools: " + String.join("; ", tools) + "\n";
    }

    private static Optional<String> grep(Path file, String key) {
        return read(file).lines().filter(l -> l.startsWith(key)).map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static Optional<String> run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
