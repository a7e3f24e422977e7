package dev.ferry.bench;

import java.util.List;

/**
 * One measured quantity: every trial of one subject in one scenario at one scale. The report
 * pairs results that share group, scenario, services and metric, and divides Ferry by each
 * other subject of that bucket (its peers and its floor).
 *
 * @param group          "packet", "traffic" or "control": the section of the report
 * @param scenario       what was measured, e.g. "XDP NodePort, established" or "pod → ClusterIP"
 * @param subject        {@link #FERRY} or the peer or floor it is compared with, e.g. "iptables"
 * @param services       services programmed while measuring (each of 10 endpoints in traffic and control)
 * @param metric         e.g. "ns/packet", "connections/s", "latency p99", "time"
 * @param unit           e.g. "ns", "1/s", "µs", "Gbit/s", "ms", "MiB"
 * @param higherIsBetter true for rates and throughput, false for times and sizes
 * @param trials         one value per trial, in the order measured
 */
public record Result(String group, String scenario, String subject, int services, String metric, String unit,
                     boolean higherIsBetter, List<Double> trials) {
    public static final String FERRY = "Ferry";

    public Result {
        if (trials.isEmpty()) throw new IllegalArgumentException("a result needs at least one trial: " + scenario);
        trials = List.copyOf(trials);
        for (String field : List.of(group, scenario, subject, metric, unit)) {
            if (field.contains("\t") || field.contains("\n")) throw new IllegalArgumentException("tab or newline in " + field);
        }
    }

    public double median() {
        List<Double> sorted = trials.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    public double min() {
        return trials.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    public double max() {
        return trials.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    /** Half the min-max range relative to the median, the "±" the report prints. */
    public double spread() {
        double median = median();
        return median == 0 ? 0 : (max() - min()) / 2 / median;
    }

    public boolean isFerry() {
        return subject.equals(FERRY);
    }

    /** The bucket this result is compared within. */
    public String bucket() {
        return group + "\t" + scenario + "\t" + services + "\t" + metric;
    }
}
