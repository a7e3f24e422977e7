package dev.ferry.agent.lab;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a lab must undo, registered before it is created so that a half-built lab is
 * undone too. Run by {@link Lab#close()}, a JVM shutdown hook (Ctrl-C in the demo) or the
 * Cleaner, whichever comes first; it must not refer to the Lab itself, or the Cleaner could
 * never run.
 */
final class Cleanup implements Runnable {
    private final List<AutoCloseable> traffic = new ArrayList<>();
    /** Keyed by the namespace they belong to, undone newest first: pods before their nodes. */
    private final Map<String, List<List<String>>> undo = new LinkedHashMap<>();

    synchronized void onClose(AutoCloseable tool) {
        traffic.add(tool);
    }

    synchronized void register(String key, List<List<String>> commands) {
        undo.put(key, commands);
    }

    /** Undoes one resource now (a removed pod) and forgets it. */
    void undo(String key) {
        List<List<String>> commands;
        synchronized (this) {
            commands = undo.remove(key);
        }
        if (commands != null) {
            commands.forEach(Commands::runIgnoringFailure);
        }
    }

    @Override
    public void run() {
        List<AutoCloseable> tools;
        List<String> keys;
        synchronized (this) {
            tools = List.copyOf(traffic).reversed();
            traffic.clear();
            keys = List.copyOf(undo.keySet()).reversed();
        }
        // Open sockets keep a namespace alive after `ip netns del`; close them first.
        for (AutoCloseable tool : tools) {
            try {
                tool.close();
            } catch (Exception ignored) {
                // Cleanup goes on; the namespaces matter more than a socket.
            }
        }
        keys.forEach(this::undo);
    }
}
