import type { SamplingOptions } from '@llmux/core';

/** A seeded PRNG (mulberry32): the same seed gives the same draws. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Picks tokens from logits with OpenAI's semantics: temperature (default 1, 0 = greedy), top_p,
 * plus top_k, min_p, logit bias and the presence/frequency/repeat penalties over the tokens
 * generated so far. One Sampler per generation.
 */
export class Sampler {
  private readonly random: () => number;
  private readonly counts = new Map<number, number>();
  private readonly temperature: number;

  constructor(private readonly options: SamplingOptions) {
    this.temperature = options.temperature ?? 1;
    this.random = mulberry32(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  }

  /** Greedy with nothing to adjust: the engine may take the argmax without reading every logit. */
  get plainGreedy(): boolean {
    const o = this.options;
    const penalties = (o.presencePenalty ?? 0) !== 0 || (o.frequencyPenalty ?? 0) !== 0 || (o.repeatPenalty ?? 1) !== 1;
    const bias = o.logitBias !== undefined && Object.keys(o.logitBias).length > 0;
    return this.temperature <= 0 && !penalties && !bias;
  }

  /** Records a generated token for the penalties. */
  accept(token: number): void {
    this.counts.set(token, (this.counts.get(token) ?? 0) + 1);
  }

  /** Chooses the next token; `logits` may be changed in place. */
  sample(logits: Float32Array | number[]): number {
    this.adjust(logits);
    if (this.temperature <= 0) return argmax(logits);
    const inverse = 1 / this.temperature;
    let max = -Infinity;
    for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
    const probs = new Float64Array(logits.length);
    let total = 0;
    for (let i = 0; i < logits.length; i++) {
      const p = Math.exp((logits[i]! - max) * inverse);
      probs[i] = p;
      total += p;
    }
    const topK = this.options.topK ?? 0;
    const topP = this.options.topP ?? 1;
    const minP = this.options.minP ?? 0;
    if (topK <= 0 && topP >= 1 && minP <= 0) return draw(probs, total, this.random());

    // min_p is relative to the top token, whose unnormalized weight is exp(0) = 1.
    let candidates: number[] = [];
    for (let i = 0; i < probs.length; i++) if (probs[i]! >= minP) candidates.push(i);
    candidates.sort((a, b) => probs[b]! - probs[a]!);
    if (topK > 0 && candidates.length > topK) candidates = candidates.slice(0, topK);
    if (topP < 1) {
      const kept = candidates.reduce((sum, index) => sum + probs[index]!, 0);
      let cumulative = 0;
      let cut = candidates.length;
      for (let i = 0; i < candidates.length; i++) {
        cumulative += probs[candidates[i]!]! / kept;
        if (cumulative >= topP) {
          cut = i + 1;
          break;
        }
      }
      candidates = candidates.slice(0, cut);
    }
    let kept = 0;
    for (const index of candidates) kept += probs[index]!;
    let target = this.random() * kept;
    for (const index of candidates) {
      target -= probs[index]!;
      if (target <= 0) return index;
    }
    return candidates[candidates.length - 1]!;
  }

  private adjust(logits: Float32Array | number[]): void {
    const bias = this.options.logitBias;
    if (bias) {
      for (const [token, value] of Object.entries(bias)) {
        const index = Number(token);
        if (index >= 0 && index < logits.length) logits[index] = logits[index]! + value;
      }
    }
    const presence = this.options.presencePenalty ?? 0;
    const frequency = this.options.frequencyPenalty ?? 0;
    const repeat = this.options.repeatPenalty ?? 1;
    if (presence === 0 && frequency === 0 && repeat === 1) return;
    for (const [token, count] of this.counts) {
      let value = logits[token]!;
      if (repeat !== 1) value = value > 0 ? value / repeat : value * repeat;
      logits[token] = value - presence - frequency * count;
    }
  }
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

function draw(probs: Float64Array, total: number, unit: number): number {
  let target = unit * total;
  for (let i = 0; i < probs.length; i++) {
    target -= probs[i]!;
    if (target <= 0) return i;
  }
  return probs.length - 1;
}
