package dev.ferry.agent.translate;

import java.util.LinkedHashMap;
import java.util.Map;

/** Go's txtar format: a comment, then "-- name --" sections. Enough of it for golden files. */
public record Txtar(String comment, Map<String, String> sections) {
    public static Txtar parse(String text) {
        Map<String, String> sections = new LinkedHashMap<>();
        StringBuilder comment = new StringBuilder();
        StringBuilder current = comment;
        String name = null;
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("-- ") && line.endsWith(" --") && line.length() > 6) {
                if (name != null) sections.put(name, current.toString());
                name = line.substring(3, line.length() - 3);
                current = new StringBuilder();
                continue;
            }
            current.append(line).append('\n');
        }
        if (name != null) sections.put(name, trimLastNewline(current.toString()));
        return new Txtar(name == null ? trimLastNewline(comment.toString()) : comment.toString(), sections);
    }

    /** split(-1) yields one empty string after the final newline; drop the newline it added. */
    private static String trimLastNewline(String s) {
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    public String section(String name) {
        String s = sections.get(name);
        if (s == null) throw new IllegalArgumentException("no section " + name);
        return s;
    }

    Txtar with(String name, String content) {
        Map<String, String> copy = new LinkedHashMap<>(sections);
        copy.put(name, content);
        return new Txtar(comment, copy);
    }

    String format() {
        StringBuilder out = new StringBuilder(comment);
        sections.forEach((name, content) -> out.append("-- ").append(name).append(" --\n").append(content));
        return out.toString();
    }
}
