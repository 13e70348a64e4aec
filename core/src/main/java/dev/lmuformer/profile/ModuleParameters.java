package dev.lmuformer.profile;

/**
 * The values a module holds: trainable parameters and buffers (running statistics, LMU matrices).
 *
 * @param module    the state_dict prefix ({@code patch_embed.proj_conv}, {@code block.0.attn.lmu}, …)
 * @param trainable trainable values
 * @param buffers   buffer values
 */
public record ModuleParameters(String module, long trainable, long buffers) {
}
