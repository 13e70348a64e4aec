/**
 * Training: the losses, Adam, the learning-rate schedule, one optimisation step, the epoch loop
 * ({@link dev.lmuformer.train.Trainer}, with resumable state), evaluation metrics, and the recipe in
 * one place: {@link dev.lmuformer.train.Recipe} per task, {@link dev.lmuformer.train.TrainConfig}
 * (the reference's {@code gsc.yml} keys over it) and {@link dev.lmuformer.train.Training}, a
 * configuration run on a task's data.
 */
package dev.lmuformer.train;
