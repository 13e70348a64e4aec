package dev.lmuformer.profile;

/**
 * A neuron layer's measured activity.
 *
 * @param name       module name ({@code patch_embed.proj_lif}, {@code block.0.attn.lmu.f_u}, …)
 * @param channels   neurons per frame
 * @param threshold  firing threshold v_th
 * @param firingRate fraction of neuron-frames that spiked over the measured inputs; null when no input was given
 */
public record NeuronRate(String name, int channels, double threshold, Double firingRate) {
}
