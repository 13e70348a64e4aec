package dev.lmuformer.cli;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.lmuformer.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The search behind {@code bench --mode stream --find-max}, and its option errors. */
class StreamBenchTest {

    @Test
    void findsTheLargestSustainedCountToWithinTheResolution() {
        for (int limit : new int[] {64, 100, 1000, 4095, 70_000}) {
            List<Integer> probed = new ArrayList<>();
            int found = StreamBench.largestSustained(64, 16, n -> {
                probed.add(n);
                return n <= limit;
            });
            assertTrue(found <= limit && limit - found <= 16, "limit " + limit + ": found " + found + " after " + probed);
            assertTrue(probed.size() <= 2 * (32 - Integer.numberOfLeadingZeros(limit)), "limit " + limit + ": " + probed.size() + " probes");
        }
    }

    @Test
    void zeroWhenEvenTheFirstCountFailsAndNoEndlessDoubling() {
        assertEquals(0, StreamBench.largestSustained(64, 16, n -> false));
        List<Integer> probed = new ArrayList<>();
        int found = StreamBench.largestSustained(64, 16, n -> probed.add(n));
        assertTrue(found <= StreamBench.MOST_STREAMS && found >= StreamBench.MOST_STREAMS / 2, "found " + found);
        assertTrue(probed.size() < 20, probed.toString());
    }

    @Test
    void findMaxRefusesWhatDoesNotApply() {
        run("bench", "--mode", "stream", "--find-max", "--streams", "3").assertOneLineError("--find-max", "--streams");
        run("bench", "--mode", "stream", "--model", "slmu_rnn_ms_conv1d", "--audio").assertOneLineError("--audio", "slmu_rnn_ms_conv1d");
        run("bench", "--mode", "stream", "--audio", "--group", "8").assertOneLineError("--group", "--audio");
    }
}
