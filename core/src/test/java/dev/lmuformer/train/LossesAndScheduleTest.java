package dev.lmuformer.train;

import dev.lmuformer.nn.Parameter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Loss gradients against finite differences, extreme logits, the schedule, and Adam by hand. */
class LossesAndScheduleTest {

    @Test
    void lossGradientsMatchFiniteDifferences() {
        Random rnd = new Random(1);
        int batch = 3, classes = 5;
        float[] logits = new float[batch * classes];
        float[] targets = new float[batch * classes];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (rnd.nextGaussian() * 3);
        for (int b = 0; b < batch; b++) { // soft rows summing to 1, like mixup targets
            targets[b * classes + rnd.nextInt(classes)] += 0.62f;
            targets[b * classes + rnd.nextInt(classes)] += 0.38f;
        }
        for (Loss loss : List.of(new BceWithLogitsLoss(), new CrossEntropyLoss())) {
            float[] grad = new float[logits.length];
            loss.backward(logits, targets, batch, classes, grad);
            for (int i = 0; i < logits.length; i++) {
                float saved = logits[i];
                double h = 1e-3;
                float up = (float) (saved + h), down = (float) (saved - h); // the steps float can represent
                logits[i] = up;
                double plus = loss.forward(logits, targets, batch, classes);
                logits[i] = down;
                double minus = loss.forward(logits, targets, batch, classes);
                logits[i] = saved;
                assertEquals((plus - minus) / ((double) up - down), grad[i], 2e-5, loss.getClass().getSimpleName() + " element " + i);
            }
        }
    }

    @Test
    void lossesStayFiniteForExtremeLogits() {
        float[] logits = {1e4f, -1e4f, 0f};
        float[] targets = {0f, 1f, 0f};
        double bce = new BceWithLogitsLoss().forward(logits, targets, 1, 3);
        assertEquals((1e4 + 1e4 + Math.log(2)) / 3, bce, 1e-6);
        double ce = new CrossEntropyLoss().forward(logits, new float[] {0f, 1f, 0f}, 1, 3);
        assertEquals(2e4, ce, 1e-3);
    }

    @Test
    void scheduleDecaysEveryTenEpochsFromTen() {
        StepLr s = Recipe.speechCommands().schedule();
        assertEquals(2.5e-3, s.lrAt(0));
        assertEquals(2.5e-3, s.lrAt(9));
        assertEquals(2.5e-3 * 0.85, s.lrAt(10), 1e-15);
        assertEquals(2.5e-3 * 0.85, s.lrAt(19), 1e-15);
        assertEquals(2.5e-3 * 0.85 * 0.85, s.lrAt(20), 1e-15);
        assertEquals(2.5e-3 * Math.pow(0.85, 19), s.lrAt(199), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new StepLr(-1, 10, 10, 0.85));
    }

    @Test
    void adamTwoStepsByHand() {
        Parameter p = new Parameter("w", 1);
        p.data[0] = 1f;
        Adam adam = new Adam(List.of(p), 0.1, 0.9, 0.999, 1e-8, 0);
        p.grad[0] = 2f;
        adam.step(); // m = 0.2, v = 0.004; m̂ = 2, v̂ = 4 → step 0.1·2/(2 + 1e-8)
        assertEquals(0.9, p.data[0], 1e-6);
        p.grad[0] = -1f;
        adam.step(); // m = 0.9·0.2 − 0.1 = 0.08, v = 0.999·0.004 + 0.001 = 0.004996
        double mHat = 0.08 / (1 - 0.9 * 0.9), vHat = 0.004996 / (1 - 0.999 * 0.999);
        assertEquals(0.9 - 0.1 * mHat / (Math.sqrt(vHat) + 1e-8), p.data[0], 1e-6);
        assertEquals(2, adam.steps());
    }
}
