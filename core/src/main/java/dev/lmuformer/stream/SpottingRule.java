package dev.lmuformer.stream;

/**
 * How a {@link KeywordSession} turns the streaming readout into keywords: {@link EarlyDecision}
 * cuts the stream into clip-length windows and decides each one; {@link ContinuousRule} runs one
 * model state for the whole stream with a sliding readout and emits keyword events wherever a
 * keyword falls, and nothing where there is none.
 */
public sealed interface SpottingRule permits EarlyDecision, ContinuousRule {
}
