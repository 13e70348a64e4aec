/**
 * Streaming inference, one frame at a time at constant cost: {@link dev.lmuformer.stream.ModelStream}
 * steps any model's derived per-frame form over groups of streams; {@link dev.lmuformer.stream.KeywordSpotter}
 * (a checkpoint with its metadata) opens {@link dev.lmuformer.stream.KeywordSession}s that turn live
 * audio into keyword events by a {@link dev.lmuformer.stream.SpottingRule} (continuous or windowed
 * early decisions); {@link dev.lmuformer.stream.StreamingReadout} measures the per-frame readout.
 */
package dev.lmuformer.stream;
