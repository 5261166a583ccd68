"""A second, independent FLOP count: the matmuls and convolutions of each component written out by hand
from its config, no torch, no diffusers.

`flops.count_flops` runs the real modules on the ``meta`` device under ``FlopCounterMode``; this module
counts multiply-accumulates from the architecture as published (MMDiT blocks for SD3, double- and
single-stream blocks for FLUX, the T5 and CLIP encoders, the VAE decoder) and must agree with it within
2% (issue #16; `reference_check`, ``tests/bench/test_flops_dit.py``, docs/benchmark.md). Disagreement means
one of the two is not the model that runs (a wrong context length, a block type missed, a config value
misread), which is the point of having two.

Conventions (as the counter's): 2 FLOPs per multiply-accumulate; matmuls, convolutions and the two
attention products (QK^T and AV, ``2 * N^2 * D`` MACs per attention) count; norms, activations, softmax,
rotary embeddings and the elementwise parts of modulation do not. Per batch row, one call.
"""

from __future__ import annotations

from artcost.bench.archs import get_arch


def attention_macs(n_q: int, n_kv: int, inner: int) -> float:
    """QK^T and AV of one attention over all heads: ``2 * n_q * n_kv * inner`` multiply-accumulates."""
    return 2.0 * n_q * n_kv * inner


def clip_text_macs(cfg: dict, tokens: int = 77) -> float:
    """CLIP text transformer: per layer q,k,v,out (4 D^2) and the MLP (2 D x intermediate) per token,
    attention over the tokens; a ``...WithProjection`` adds the pooled token's projection."""
    d, inter, layers = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]
    per_layer = tokens * (4 * d * d + 2 * d * inter) + attention_macs(tokens, tokens, d)
    proj = d * cfg.get("projection_dim", d) if "WithProjection" in (cfg.get("architectures") or [""])[0] else 0
    return layers * per_layer + proj


def t5_encoder_macs(cfg: dict, tokens: int) -> float:
    """T5 encoder: per layer q,k,v,o (d_model x heads*d_kv each), gated FFN (two d_model x d_ff input
    projections, one d_ff x d_model output), attention over the tokens."""
    d, inner = cfg["d_model"], cfg["num_heads"] * cfg["d_kv"]
    gated = cfg.get("is_gated_act") or str(cfg.get("feed_forward_proj", "")).startswith("gated")
    ffn = (3 if gated else 2) * d * cfg["d_ff"]
    per_layer = tokens * (4 * d * inner + ffn) + attention_macs(tokens, tokens, inner)
    return cfg["num_layers"] * per_layer


def _embed_mlp(in_dim: int, d: int) -> float:
    """A TimestepEmbedding / PixArt text projection on one vector: in -> D -> D."""
    return in_dim * d + d * d


def flux_transformer_macs(cfg: dict, latent_side: int, txt: int) -> float:
    """FLUX.1 transformer, one row: the latent packed into 2x2 patches ((side/2)^2 image tokens), ``txt``
    T5 tokens. Double-stream blocks keep separate weights per stream (q,k,v,out 4 D^2 and MLP 8 D^2 per
    token of each), joint attention over both; single-stream blocks run q,k,v (3 D^2), the MLP input
    (4 D^2) and one output projection from [attention; MLP] (5 D^2) on every token; each block's AdaLN
    modulation is one D x 6D (double, per stream) or D x 3D (single) product on the conditioning vector."""
    d = cfg["num_attention_heads"] * cfg["attention_head_dim"]
    n_img = (latent_side // 2) ** 2
    n = n_img + txt
    out_ch = cfg.get("out_channels") or cfg["in_channels"]
    embed = n_img * cfg["in_channels"] * d + txt * cfg["joint_attention_dim"] * d
    cond = _embed_mlp(256, d) + _embed_mlp(cfg["pooled_projection_dim"], d)
    if cfg.get("guidance_embeds"):
        cond += _embed_mlp(256, d)
    double = n * (4 * d * d + 8 * d * d) + attention_macs(n, n, d) + 2 * (d * 6 * d)
    single = n * (3 * d * d + 4 * d * d + 5 * d * d) + attention_macs(n, n, d) + d * 3 * d
    head = d * 2 * d + n_img * d * cfg["patch_size"] ** 2 * out_ch
    return embed + cond + cfg["num_layers"] * double + cfg["num_single_layers"] * single + head


def sd3_transformer_macs(cfg: dict, latent_side: int, txt: int) -> float:
    """SD3 / SD3.5 MMDiT, one row: ``(side/patch)^2`` image tokens, ``txt`` text tokens (CLIP 77 + T5).
    Per block: image stream q,k,v,out (4 D^2) and MLP (8 D^2) per image token; context stream q,k,v
    (3 D^2) per text token, plus its output projection and MLP (9 D^2) except in the last block
    (``context_pre_only``); joint attention over all tokens. MMDiT-X blocks (``dual_attention_layers``,
    SD3.5 Medium) add a second attention over the image tokens alone. AdaLN: D x 6D (9D in dual blocks)
    for the image stream, D x 6D for the context (D x 2D in the last block)."""
    d = cfg["num_attention_heads"] * cfg["attention_head_dim"]
    p = cfg["patch_size"]
    n_img = (latent_side // p) ** 2
    n = n_img + txt
    dual = set(cfg.get("dual_attention_layers") or ())
    embed = n_img * cfg["in_channels"] * p * p * d + txt * cfg["joint_attention_dim"] * cfg["caption_projection_dim"]
    cond = _embed_mlp(256, d) + _embed_mlp(cfg["pooled_projection_dim"], d)
    total = embed + cond
    layers = cfg["num_layers"]
    for i in range(layers):
        last = i == layers - 1
        block = n_img * 12 * d * d + txt * 3 * d * d + attention_macs(n, n, d)
        block += 0 if last else txt * 9 * d * d
        block += d * (9 if i in dual else 6) * d + d * (2 if last else 6) * d
        if i in dual:
            block += n_img * 4 * d * d + attention_macs(n_img, n_img, d)
        total += block
    out_ch = cfg.get("out_channels") or cfg["in_channels"]
    return total + d * 2 * d + n_img * d * p * p * out_ch


def vae_decoder_macs(cfg: dict, latent_side: int) -> float:
    """AutoencoderKL decode, one row: (post-quant 1x1 conv), conv_in 3x3, the mid block (two ResNets and
    one attention over the latent grid), then per up block ``layers_per_block + 1`` ResNets (two 3x3
    convs each, a 1x1 shortcut where channels change) and a 3x3 conv after each 2x upsampling but the
    last, and conv_out 3x3."""
    ch = list(reversed(cfg["block_out_channels"]))
    z = cfg.get("latent_channels", 4)
    h = latent_side
    macs = 0.0
    if cfg.get("use_post_quant_conv", True):
        macs += h * h * z * z
    conv3 = lambda cin, cout, side: side * side * cin * cout * 9  # noqa: E731

    def resnet(cin, cout, side):
        m = conv3(cin, cout, side) + conv3(cout, cout, side)
        return m + (side * side * cin * cout if cin != cout else 0)

    macs += conv3(z, ch[0], h)
    c = ch[0]
    macs += 2 * resnet(c, c, h)
    if cfg.get("mid_block_add_attention", True):
        macs += h * h * 4 * c * c + attention_macs(h * h, h * h, c)
    side = h
    for i, cout in enumerate(ch):
        for j in range(cfg.get("layers_per_block", 2) + 1):
            macs += resnet(c if j == 0 else cout, cout, side)
        c = cout
        if i < len(ch) - 1:
            side *= 2
            macs += conv3(c, c, side)
    return macs + conv3(c, cfg.get("out_channels", 3), side)


def analytic_per_row(arch_name: str, resolution: int) -> dict:
    """FLOPs per batch row of one call of each component of ``arch_name``'s shipped template at
    ``resolution`` px: ``{"text": {component: flops}, "denoiser": flops, "vae_decode": flops}``."""
    arch = get_arch(arch_name)
    side = arch.latent_side(resolution)
    t5 = int(arch.max_sequence_length or 0)
    text = {}
    for name in arch.text_encoders:
        cfg = arch.component_config(name)
        text[name] = 2 * (t5_encoder_macs(cfg, t5) if cfg.get("model_type") == "t5" else clip_text_macs(cfg))
    tcfg = arch.component_config("transformer")
    if arch.family == "flux":
        den = flux_transformer_macs(tcfg, side, t5)
    elif arch.family == "sd3":
        den = sd3_transformer_macs(tcfg, side, 77 + t5)
    else:
        raise ValueError(f"{arch_name}: the analytic count covers the transformer architectures (FLUX, SD3)")
    return {"text": text, "denoiser": 2 * den, "vae_decode": 2 * vae_decoder_macs(arch.component_config("vae"), side)}


def analytic_per_image(arch_name: str, resolution: int, steps: int, guidance: float,
                       without: tuple[str, ...] = ()) -> float:
    """Per-image FLOPs by the same rule as `flops.FlopBreakdown.nominal_per_image`, from the analytic counts."""
    arch = get_arch(arch_name)
    rows = analytic_per_row(arch_name, resolution)
    mult = 2 if arch.cfg_on(guidance) else 1
    text_passes = mult if arch.negative_prompt_encoded else 1
    text = sum(v for k, v in rows["text"].items() if k not in without) * text_passes
    return text + steps * mult * rows["denoiser"] + rows["vae_decode"]
