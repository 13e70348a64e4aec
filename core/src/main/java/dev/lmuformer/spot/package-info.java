/**
 * Keyword spotting on long streams, evaluated the way wake-word benchmarks do: a continuous
 * detector's events ({@link dev.lmuformer.spot.Detection}) are matched against labelled keywords
 * ({@link dev.lmuformer.spot.Truth}, read with {@link dev.lmuformer.spot.LabelFile}) by
 * {@link dev.lmuformer.spot.EventMatcher}, which counts hits, substitutions and false alarms; one
 * {@link dev.lmuformer.spot.OperatingPoint} per detector threshold makes a DET curve
 * ({@link dev.lmuformer.spot.DetCurve}: recall against false alarms per hour).
 * {@link dev.lmuformer.spot.StreamMix} builds the long test streams from keyword clips, background
 * noise and distractor speech.
 */
package dev.lmuformer.spot;
