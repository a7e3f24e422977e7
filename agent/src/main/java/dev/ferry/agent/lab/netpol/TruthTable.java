package dev.ferry.agent.lab.netpol;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * One boolean per ordered pair (from, to), printed as upstream's netpol e2e prints it: rows are
 * the sources, columns the destinations, '.' connected, 'X' blocked, '?' not known. Not
 * thread-safe; the prober fills it from one thread once its probes are in.
 */
public final class TruthTable {
    private final List<String> froms;
    private final List<String> tos;
    private final Map<String, Map<String, Boolean>> values = new LinkedHashMap<>();

    /** A table over froms x tos, every cell {@code initial} (null: unknown). */
    public TruthTable(List<String> froms, List<String> tos, Boolean initial) {
        this.froms = List.copyOf(froms);
        this.tos = List.copyOf(tos);
        for (String from : this.froms) {
            Map<String, Boolean> row = new HashMap<>();
            for (String to : this.tos) row.put(to, initial);
            values.put(from, row);
        }
    }

    public List<String> froms() {
        return froms;
    }

    public List<String> tos() {
        return tos;
    }

    public void set(String from, String to, boolean value) {
        row(from).put(checkTo(to), value);
    }

    public void setAllFrom(String from, boolean value) {
        tos.forEach(to -> set(from, to, value));
    }

    public void setAllTo(String to, boolean value) {
        froms.forEach(from -> set(from, to, value));
    }

    /** The cell's value; null while it is unknown. */
    public Boolean get(String from, String to) {
        return row(from).get(checkTo(to));
    }

    public boolean isComplete() {
        return values.values().stream().noneMatch(row -> row.containsValue(null));
    }

    /** A table of agreement: true where both tables hold the same known value. */
    public TruthTable compare(TruthTable other) {
        if (!froms.equals(other.froms) || !tos.equals(other.tos)) {
            throw new IllegalArgumentException("tables over different pods: " + froms + " x " + tos
                    + " vs " + other.froms + " x " + other.tos);
        }
        TruthTable agreement = new TruthTable(froms, tos, null);
        for (String from : froms) {
            for (String to : tos) {
                Boolean mine = get(from, to), theirs = other.get(from, to);
                agreement.set(from, to, mine != null && mine.equals(theirs));
            }
        }
        return agreement;
    }

    /** Upstream's layout: a header of destinations, then one tab-separated row per source. */
    public String prettyPrint(String indent) {
        return print(indent, (from, to) -> false);
    }

    /**
     * As {@link #prettyPrint}, with every cell where {@code marked} holds followed by '!', so a
     * mismatch stands out in the expected and the observed table alike.
     */
    public String print(String indent, BiPredicate<String, String> marked) {
        StringBuilder out = new StringBuilder(indent).append('-');
        tos.forEach(to -> out.append('\t').append(to));
        for (String from : froms) {
            out.append('\n').append(indent).append(from);
            for (String to : tos) {
                Boolean value = get(from, to);
                out.append('\t').append(value == null ? "?" : value ? "." : "X");
                if (marked.test(from, to)) out.append('!');
            }
        }
        return out.toString();
    }

    private Map<String, Boolean> row(String from) {
        Map<String, Boolean> row = values.get(from);
        if (row == null) throw new IllegalArgumentException("no source '" + from + "' in " + froms);
        return row;
    }

    private String checkTo(String to) {
        if (!tos.contains(to)) throw new IllegalArgumentException("no destination '" + to + "' in " + tos);
        return to;
    }
}
