/** A loaded model as admission weighs it. */
export interface AdmissionCandidate {
  id: string;
  bytes: number;
  /** Pinned or busy: never evicted. */
  evictable: boolean;
  lastUsedAt: number;
}

export type AdmissionPlan =
  | { fits: true; evict: string[] }
  | { fits: false; freeableBytes: number; evictable: string[] };

/**
 * Decides whether `needBytes` fits under `capBytes` next to what is held (`heldBytes` includes every
 * candidate plus loads in progress), evicting idle models least recently used first.
 * Pure, so it can be reasoned about and tested apart from the engines.
 */
export function planAdmission(needBytes: number, capBytes: number, heldBytes: number, candidates: readonly AdmissionCandidate[]): AdmissionPlan {
  if (heldBytes + needBytes <= capBytes) return { fits: true, evict: [] };
  const victims = candidates.filter((c) => c.evictable).sort((a, b) => a.lastUsedAt - b.lastUsedAt);
  const freeableBytes = victims.reduce((sum, c) => sum + c.bytes, 0);
  if (heldBytes - freeableBytes + needBytes > capBytes) return { fits: false, freeableBytes, evictable: victims.map((v) => v.id) };
  const evict: string[] = [];
  let held = heldBytes;
  for (const victim of victims) {
    if (held + needBytes <= capBytes) break;
    evict.push(victim.id);
    held -= victim.bytes;
  }
  return { fits: true, evict };
}
