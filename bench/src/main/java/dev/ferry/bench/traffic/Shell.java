package dev.ferry.bench.traffic;

import dev.ferry.agent.lab.Commands;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The command lines the traffic benchmark runs (ip netns exec, taskset, iptables-restore, nft, cc), run by the lab's {@link Commands}. */
final class Shell {
    /** Installing 10,000 services' rules takes seconds; anything slower than this is stuck. */
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private Shell() {
    }

    /** argv run inside a network namespace. */
    static List<String> inNs(String netns, String... argv) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        command.addAll(List.of(argv));
        return command;
    }

    /** argv pinned to one CPU (taskset's affinity survives the exec of `ip netns exec`). */
    static List<String> pinned(int cpu, List<String> argv) {
        List<String> command = new ArrayList<>(List.of("taskset", "-c", Integer.toString(cpu)));
        command.addAll(argv);
        return command;
    }

    /** Runs argv and returns its stdout; throws with its stderr when it fails. */
    static String run(List<String> argv) {
        return run(argv, null);
    }

    /** As {@link #run(List)}, with a file as standard input (iptables-restore, nft -f -). */
    static String run(List<String> argv, Path stdin) {
        return Commands.run(argv, stdin, TIMEOUT);
    }
}
