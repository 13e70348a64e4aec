package dev.lmuformer.train;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A configuration's keys rebuild it: how it travels to Spark's executors. */
class TrainConfigKeysTest {
    @Test
    void theKeysRebuildTheConfiguration() {
        for (String task : List.of("speechcommands", "psmnist", "listops")) {
            TrainConfig c = TrainConfig.forTask(task);
            c.set("dim", 48).set("lr", 0.004).set("seed", 12345).set("loss", "CE").set("n_epochs", 7).set("lrscheduler_decay", 0.5);
            if (task.equals("speechcommands")) c.set("background_share", 0.2).set("background_context", true).set("mixup", 0);
            TrainConfig copy = TrainConfig.forTask(c.task());
            c.keys().forEach((k, v) -> copy.set("keys", k, v));
            assertEquals(c.fingerprint(), copy.fingerprint(), task);
            assertEquals(c.recipe(), copy.recipe(), task);
            assertTrue(copy.warnings().isEmpty(), "every key is one set() knows: " + copy.warnings());
            assertNotEquals(TrainConfig.forTask(task).fingerprint(), copy.fingerprint(), "the test changed something");
        }
    }
}
