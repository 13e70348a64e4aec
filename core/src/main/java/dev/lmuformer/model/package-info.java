/**
 * The models of the paper, named after the reference registry ({@link dev.lmuformer.model.Models}):
 * LMUFormer, the Spiking LMUFormer and its variants, the psMNIST models and the Long Range Arena
 * model. Each is composed once from layers as an {@link dev.lmuformer.model.Op} composition; its
 * forward, backward, state_dict ({@link dev.lmuformer.model.StateDict}, names equal to the reference
 * keys), profile steps and per-frame form are all derived from it. Sizes are a
 * {@link dev.lmuformer.model.ModelConfig}, one record per family.
 */
package dev.lmuformer.model;
