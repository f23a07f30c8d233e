import { mx, type MxArray } from './mlx.js';

/** Keys and values of one sequence, per layer, shaped [1, kvHeads, length, headDim]; plus the tokens they hold. */
export class KvCache {
  private keys: (MxArray | undefined)[];
  private values: (MxArray | undefined)[];
  /** The tokens whose keys and values are cached, in order. */
  tokens: number[] = [];

  constructor(private readonly layers: number) {
    this.keys = new Array<MxArray | undefined>(layers).fill(undefined);
    this.values = new Array<MxArray | undefined>(layers).fill(undefined);
  }

  get length(): number {
    return this.tokens.length;
  }

  /** Appends a step's keys and values to a layer and returns the whole history. */
  update(layer: number, keys: MxArray, values: MxArray): [MxArray, MxArray] {
    const oldKeys = this.keys[layer];
    const oldValues = this.values[layer];
    const allKeys = oldKeys ? mx.concatenate([oldKeys, keys], 2) : keys;
    const allValues = oldValues ? mx.concatenate([oldValues, values], 2) : values;
    this.keys[layer] = allKeys;
    this.values[layer] = allValues;
    return [allKeys, allValues];
  }

  /** Keeps the first `length` positions (a shared prompt prefix) and drops the rest. */
  truncate(length: number): void {
    if (length >= this.tokens.length) return;
    this.tokens = this.tokens.slice(0, length);
    for (let layer = 0; layer < this.layers; layer++) {
      if (length === 0) {
        this.keys[layer] = undefined;
        this.values[layer] = undefined;
        continue;
      }
      const cut = (array: MxArray | undefined) => array?.index(mx.Slice(), mx.Slice(), mx.Slice(0, length));
      this.keys[layer] = cut(this.keys[layer]);
      this.values[layer] = cut(this.values[layer]);
    }
  }

  /** Materializes the cache so the graph behind it can be freed. */
  arrays(): MxArray[] {
    return [...this.keys, ...this.values].filter((array): array is MxArray => array !== undefined);
  }
}
