import { mx, type MxArray } from './mlx.js';
import type { ModelConfig } from './model-config.js';

/** Rotary position embedding for [batch, heads, length, headDim] arrays starting at `offset`. */
export interface Rope {
  apply(x: MxArray, offset: number): MxArray;
}

export function createRope(config: ModelConfig): Rope {
  const dims = config.headDim;
  const scaling = config.ropeScaling;
  if (scaling.type !== 'llama3') {
    const scale = scaling.type === 'linear' ? 1 / scaling.factor : 1;
    return { apply: (x, offset) => mx.fast.rope(x, dims, config.ropeTraditional, config.ropeTheta, scale, offset) };
  }
  // mx.fast.rope of this binding takes no custom frequencies, so Llama 3.x's
  // frequency-dependent scaling is applied by hand (rotate-half layout, as HF writes it).
  const inverse = llama3InverseFrequencies(config.ropeTheta, dims, scaling);
  const inverseArray = mx.array(inverse, mx.float32);
  const half = dims / 2;
  return {
    apply(x, offset) {
      const length = x.shape[2]!;
      const positions = mx.arange(offset, offset + length, 1, mx.float32);
      const angles = mx.multiply(mx.expandDims(positions, 1), mx.expandDims(inverseArray, 0));
      const cos = mx.cos(angles);
      const sin = mx.sin(angles);
      const x1 = x.index('...', mx.Slice(0, half));
      const x2 = x.index('...', mx.Slice(half, dims));
      return mx.concatenate(
        [mx.subtract(mx.multiply(x1, cos), mx.multiply(x2, sin)), mx.add(mx.multiply(x2, cos), mx.multiply(x1, sin))],
        -1,
      );
    },
  };
}

/** The inverse frequencies of Llama 3.x rope scaling (transformers' `_compute_llama3_parameters`). */
export function llama3InverseFrequencies(
  base: number,
  dims: number,
  scaling: { factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositionEmbeddings: number },
): number[] {
  const lowFreqWavelen = scaling.originalMaxPositionEmbeddings / scaling.lowFreqFactor;
  const highFreqWavelen = scaling.originalMaxPositionEmbeddings / scaling.highFreqFactor;
  const result: number[] = [];
  for (let i = 0; i < dims; i += 2) {
    const frequency = 1 / base ** (i / dims);
    const wavelen = (2 * Math.PI) / frequency;
    if (wavelen < highFreqWavelen) result.push(frequency);
    else if (wavelen > lowFreqWavelen) result.push(frequency / scaling.factor);
    else {
      const smooth = (scaling.originalMaxPositionEmbeddings / wavelen - scaling.lowFreqFactor) / (scaling.highFreqFactor - scaling.lowFreqFactor);
      result.push((1 - smooth) * (frequency / scaling.factor) + smooth * frequency);
    }
  }
  return result;
}
