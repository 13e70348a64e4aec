/**
 * Speech Commands in its folder layout: the dataset and its lists
 * ({@link dev.lmuformer.data.speech.SpeechCommands}, {@link dev.lmuformer.data.speech.Labels}), the
 * reference's augmentations (mixup with {@link dev.lmuformer.data.speech.Beta}, SpecAugment masks,
 * noise: {@link dev.lmuformer.data.speech.Augment}), the clip-to-input
 * {@link dev.lmuformer.data.speech.Pipeline}, the background-thread
 * {@link dev.lmuformer.data.speech.Loader} and the normalisation statistics
 * ({@link dev.lmuformer.data.speech.FeatureStats}).
 */
package dev.lmuformer.data.speech;
