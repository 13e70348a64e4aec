package dev.lmuformer.model;

/** A residual block ({@code block.k}): {@code x = x + attn(x); x = x + mlp(x)} (REFERENCE §4). */
final class Block<A extends Op, M extends Op> extends Op.Composite {
    final A attn;
    final M mlp;
    private final Op body;

    Block(String prefix, A attn, M mlp) {
        this.attn = attn;
        this.mlp = mlp;
        body = Op.seq(Op.residual(prefix + ".attn_residual", attn), Op.residual(prefix + ".mlp_residual", mlp));
    }

    @Override
    Op body() {
        return body;
    }
}
