package dev.ferry.agent.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * kube-proxy style flags: {@code --name=value} or {@code --name value}. Unknown flags are an
 * error naming the flag, so a typo never silently falls back to a default.
 */
public final class Options {
    private final Map<String, String> values = new LinkedHashMap<>();

    private Options() {
    }

    public static Options parse(List<String> args, Set<String> known) {
        Options options = new Options();
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String arg = rest.removeFirst();
            if (!arg.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (rest.isEmpty()) throw new IllegalArgumentException("--" + name + " needs a value");
                value = rest.removeFirst();
            }
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown flag --" + name + " (known: --" + String.join(", --", known) + ")");
            }
            options.values.put(name, value);
        }
        return options;
    }

    public String get(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    public List<String> list(String name, String defaultValue) {
        return List.of(get(name, defaultValue).split(",")).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
