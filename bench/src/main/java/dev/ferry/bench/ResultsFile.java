package dev.ferry.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Results as tab-separated lines, one file per benchmark, so the report can be rebuilt from the
 * last runs of each section without measuring again.
 */
public final class ResultsFile {
    private static final String HEADER = "group\tscenario\tsubject\tservices\tmetric\tunit\thigher_is_better\ttrials";

    private ResultsFile() {
    }

    public static void write(Path file, List<Result> results) {
        List<String> lines = new ArrayList<>(List.of(HEADER));
        for (Result r : results) {
            lines.add(String.join("\t", r.group(), r.scenario(), r.subject(), Integer.toString(r.services()), r.metric(),
                    r.unit(), Boolean.toString(r.higherIsBetter()),
                    String.join(",", r.trials().stream().map(d -> Double.toString(d)).toList())));
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }

    public static List<Result> read(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            if (lines.isEmpty() || !lines.getFirst().equals(HEADER)) {
                throw new IllegalArgumentException(file + " is not a results file (header " + HEADER + ")");
            }
            return lines.stream().skip(1).filter(l -> !l.isBlank()).map(ResultsFile::parse).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    private static Result parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 8) throw new IllegalArgumentException("expected 8 tab-separated fields: " + line);
        return new Result(f[0], f[1], f[2], Integer.parseInt(f[3]), f[4], f[5], Boolean.parseBoolean(f[6]),
                Arrays.stream(f[7].split(",")).map(Double::parseDouble).toList());
    }
}
