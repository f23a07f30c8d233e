import { mx, type MxArray } from './mlx.js';
import type { ModelConfig } from './model-config.js';
import { embed, linear, required, takeLinear, type Linear } from './layers.js';
import { createRope, type Rope } from './rope.js';
import type { KvCache } from './kv-cache.js';

interface Block {
  inputNorm: MxArray;
  postNorm: MxArray;
  q: Linear;
  k: Linear;
  v: Linear;
  o: Linear;
  qNorm: MxArray | undefined;
  kNorm: MxArray | undefined;
  gate: Linear;
  up: Linear;
  down: Linear;
}

/**
 * A Llama-shaped decoder (Llama, Mistral, Qwen2, Qwen3, SmolLM): pre-norm blocks of grouped-query
 * attention with rope and a SwiGLU MLP. The family differences are flags of ModelConfig.
 */
export class Transformer {
  private readonly embedTokens: Linear;
  private readonly lmHead: Linear;
  private readonly norm: MxArray;
  private readonly blocks: Block[];
  private readonly rope: Rope;
  private readonly scale: number;

  constructor(
    readonly config: ModelConfig,
    weights: Map<string, MxArray>,
  ) {
    const q = config.quantization;
    this.embedTokens = takeLinear(weights, 'model.embed_tokens', q);
    this.lmHead = !config.tieWordEmbeddings && weights.has('lm_head.weight') ? takeLinear(weights, 'lm_head', q) : this.embedTokens;
    this.norm = required(weights, 'model.norm.weight');
    this.blocks = Array.from({ length: config.layers }, (_, index) => {
      const p = `model.layers.${index}`;
      return {
        inputNorm: required(weights, `${p}.input_layernorm.weight`),
        postNorm: required(weights, `${p}.post_attention_layernorm.weight`),
        q: takeLinear(weights, `${p}.self_attn.q_proj`, q, config.attentionBias),
        k: takeLinear(weights, `${p}.self_attn.k_proj`, q, config.attentionBias),
        v: takeLinear(weights, `${p}.self_attn.v_proj`, q, config.attentionBias),
        o: takeLinear(weights, `${p}.self_attn.o_proj`, q),
        qNorm: config.qkNorm ? required(weights, `${p}.self_attn.q_norm.weight`) : undefined,
        kNorm: config.qkNorm ? required(weights, `${p}.self_attn.k_norm.weight`) : undefined,
        gate: takeLinear(weights, `${p}.mlp.gate_proj`, q, config.mlpBias),
        up: takeLinear(weights, `${p}.mlp.up_proj`, q, config.mlpBias),
        down: takeLinear(weights, `${p}.mlp.down_proj`, q, config.mlpBias),
      };
    });
    this.rope = createRope(config);
    this.scale = 1 / Math.sqrt(config.headDim);
  }

  /**
   * Runs `tokens` after what the cache holds and returns the logits of the last position
   * ([vocab], float32, evaluated). The cache grows by `tokens.length`.
   */
  forward(tokens: readonly number[], cache: KvCache): MxArray {
    const offset = cache.length;
    const length = tokens.length;
    let h = embed(this.embedTokens, mx.array([tokens as number[]], mx.int32));
    const mask = length > 1 ? causalMask(offset, length) : undefined;
    const eps = this.config.rmsNormEps;
    this.blocks.forEach((block, layer) => {
      const attention = this.attention(mx.fast.rmsNorm(h, block.inputNorm, eps), block, layer, cache, offset, mask);
      h = mx.add(h, attention);
      const x = mx.fast.rmsNorm(h, block.postNorm, eps);
      h = mx.add(h, linear(mx.multiply(silu(linear(x, block.gate)), linear(x, block.up)), block.down));
    });
    const last = mx.fast.rmsNorm(h.index(0, mx.Slice(length - 1, length)), this.norm, eps);
    const logits = linear(last, this.lmHead).reshape([-1]);
    cache.tokens.push(...tokens);
    mx.eval(logits, ...cache.arrays());
    return logits;
  }

  private attention(x: MxArray, block: Block, layer: number, cache: KvCache, offset: number, mask: MxArray | undefined): MxArray {
    const { heads, kvHeads, headDim } = this.config;
    const length = x.shape[1]!;
    let q = linear(x, block.q).reshape([1, length, heads, headDim]);
    let k = linear(x, block.k).reshape([1, length, kvHeads, headDim]);
    const v = linear(x, block.v).reshape([1, length, kvHeads, headDim]).transpose([0, 2, 1, 3]);
    if (block.qNorm && block.kNorm) {
      q = mx.fast.rmsNorm(q, block.qNorm, this.config.rmsNormEps);
      k = mx.fast.rmsNorm(k, block.kNorm, this.config.rmsNormEps);
    }
    q = q.transpose([0, 2, 1, 3]);
    k = k.transpose([0, 2, 1, 3]);
    if (this.config.ropeLayers[layer]) {
      q = this.rope.apply(q, offset);
      k = this.rope.apply(k, offset);
    }
    const [keys, values] = cache.update(layer, k, v);
    const out = mx.fast.scaledDotProductAttention(q, keys, values, this.scale, mask);
    return linear(out.transpose([0, 2, 1, 3]).reshape([1, length, heads * headDim]), block.o);
  }
}

function silu(x: MxArray): MxArray {
  return mx.multiply(x, mx.sigmoid(x));
}

/** Additive mask letting position offset+i see positions 0..offset+i. */
function causalMask(offset: number, length: number): MxArray {
  const rows = mx.expandDims(mx.arange(offset, offset + length, 1, mx.int32), 1);
  const cols = mx.expandDims(mx.arange(0, offset + length, 1, mx.int32), 0);
  return mx.where(mx.less(rows, cols), mx.array(-1e9, mx.float32), mx.array(0, mx.float32));
}
