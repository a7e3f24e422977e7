package dev.ferry.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ResultsFileTest {
    @Test
    void keepsEveryFieldAndTrial(@TempDir Path dir) {
        List<Result> results = List.of(
                new Result("traffic", "external → NodePort", "nftables", 1000, "latency p99", "µs", false, List.of(81.5, 79.25, 90.0)),
                new Result("control", "agent memory", "Ferry", 10_000, "RSS", "MiB", false, List.of(201.0)));
        Path file = dir.resolve("x/traffic.tsv");
        ResultsFile.write(file, results);
        assertEquals(results, ResultsFile.read(file));
    }

    @Test
    void refusesAFileThatIsNotOurs(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("other.tsv"), "a\tb\n");
        assertThrows(IllegalArgumentException.class, () -> ResultsFile.read(file));
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwoAndTheSpreadHalfTheRange() {
        Result r = new Result("g", "s", "Ferry", 1, "m", "u", true, List.of(4.0, 1.0, 3.0, 2.0));
        assertEquals(2.5, r.median());
        assertEquals(0.6, r.spread(), 1e-9);
    }
}
