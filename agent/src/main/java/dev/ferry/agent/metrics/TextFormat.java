package dev.ferry.agent.metrics;

/** The few rules of Prometheus' text format that every metric type shares. */
final class TextFormat {
    private TextFormat() {
    }

    static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ')
                .append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** {@code name{label="value"} number}; a null label name means no labels. */
    static void sample(StringBuilder out, String name, String labelName, String labelValue, double value) {
        out.append(name);
        if (labelName != null) {
            out.append('{').append(labelName).append("=\"")
                    .append(labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                    .append("\"}");
        }
        out.append(' ').append(number(value)).append('\n');
    }

    /** Whole numbers without ".0" (as Go's client prints them), infinities as Prometheus spells them. */
    static String number(double v) {
        if (v == Double.POSITIVE_INFINITY) return "+Inf";
        if (v == Double.NEGATIVE_INFINITY) return "-Inf";
        if (Double.isNaN(v)) return "NaN";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }
}
