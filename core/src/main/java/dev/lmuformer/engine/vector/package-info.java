/**
 * The hot kernels written with the incubating Vector API ({@code jdk.incubator.vector}); loaded only
 * where that module is present, else the engine uses its scalar kernels. Every kernel gives the bits
 * of its scalar twin.
 */
package dev.lmuformer.engine.vector;
