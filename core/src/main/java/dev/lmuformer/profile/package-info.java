/**
 * What a model costs, derived from its composition: parameters per module, operation counts,
 * memory traffic, spiking neurons' firing rates and the energy estimate of the paper
 * ({@link dev.lmuformer.profile.ModelProfiler} builds a {@link dev.lmuformer.profile.Profile}).
 */
package dev.lmuformer.profile;
