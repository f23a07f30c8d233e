import { describe, expect, it } from 'vitest';
import { mx } from './mlx.js';
import { parseModelConfig } from './model-config.js';
import { createRope, llama3InverseFrequencies } from './rope.js';

const config = (ropeScaling?: Record<string, unknown>) =>
  parseModelConfig({
    model_type: 'llama',
    hidden_size: 64,
    num_hidden_layers: 1,
    intermediate_size: 128,
    num_attention_heads: 2,
    vocab_size: 10,
    rope_theta: 500000,
    ...(ropeScaling ? { rope_scaling: ropeScaling } : {}),
  });

describe('Llama 3 rope scaling by hand', () => {
  it('equals the fused rope kernel when it scales nothing', () => {
    const x = mx.random.normal([1, 2, 5, 32], mx.float32);
    const fused = createRope(config()).apply(x, 3);
    const byHand = createRope(
      config({ rope_type: 'llama3', factor: 1, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 }),
    ).apply(x, 3);
    expect(mx.allclose(fused, byHand, 1e-4, 1e-4).item()).toBe(true);
  });

  it('keeps high frequencies, divides low ones by the factor and blends between', () => {
    const scaling = { factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 };
    const scaled = llama3InverseFrequencies(500000, 64, scaling);
    const plain = llama3InverseFrequencies(500000, 64, { ...scaling, factor: 1 });
    expect(scaled[0]).toBeCloseTo(plain[0]!, 12);
    expect(scaled.at(-1)! * 8).toBeCloseTo(plain.at(-1)!, 12);
    const blended = scaled.findIndex((value, index) => value < plain[index]! && value * 8 > plain[index]! * (1 + 1e-9));
    expect(blended).toBeGreaterThan(0);
  });
});

describe('SmolLM3 no_rope_layers', () => {
  it('marks the layers that skip rope', () => {
    const parsed = parseModelConfig({
      model_type: 'smollm3',
      hidden_size: 64,
      num_hidden_layers: 4,
      intermediate_size: 128,
      num_attention_heads: 2,
      vocab_size: 10,
      no_rope_layers: [1, 1, 1, 0],
    });
    expect(parsed.ropeLayers).toEqual([true, true, true, false]);
    expect(config().ropeLayers).toEqual([true]);
  });
});
