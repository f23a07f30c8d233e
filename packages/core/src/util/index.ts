export { AsyncChannel } from './async-channel.js';
export { SlotPool, type SlotLease } from './slot-pool.js';
