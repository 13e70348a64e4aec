/**
 * Sequential MNIST: IDX files ({@link dev.lmuformer.data.mnist.Idx}) and the pixel-by-pixel batches
 * of psMNIST and sMNIST ({@link dev.lmuformer.data.mnist.PermutedMnist}, permuted from the seed).
 */
package dev.lmuformer.data.mnist;
