export { AsyncChannel } from './async-channel.js';
export { SlotPool, type SlotLease } from './slot-pool.js';
export { coalesceTextDeltas } from './coalesce-text-deltas.js';
export { randomHex } from './random-hex.js';
