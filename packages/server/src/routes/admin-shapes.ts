import type { MemorySnapshot, ModelInfo, ModelSnapshot, ModelStateEvent, PullProgress } from '@llmux/core';

const GB = 1024 ** 3;
const gb = (bytes: number) => Math.round((bytes / GB) * 1000) / 1000;
const seconds = (ms: number | undefined) => (ms === undefined ? null : Math.round(ms / 1000));

/** A model's lifecycle facts in the admin API's snake_case. */
export function toAdminModel(model: ModelSnapshot, now = Date.now()) {
  return {
    id: model.id,
    aliases: model.aliases,
    state: model.state,
    configured: model.configured,
    pinned: model.pinned,
    load_progress: model.loadProgress ?? null,
    ttl_seconds: model.ttlSeconds,
    expires_at: seconds(model.expiresAt),
    ttl_left_seconds: model.expiresAt === undefined ? null : Math.max(0, Math.round((model.expiresAt - now) / 1000)),
    last_used_at: seconds(model.lastUsedAt),
    memory_bytes: model.memoryBytes,
    active_requests: model.active,
    queued_requests: model.queued,
    prompt_cache: model.promptCache ? { states: model.promptCache.states, bytes: model.promptCache.bytes, max_bytes: model.promptCache.maxBytes } : null,
    last_error: model.lastError ?? null,
    cooldown_until: seconds(model.cooldownUntil),
  };
}

/** What the store knows of a model's files. */
export function toAdminFiles(info: ModelInfo | undefined) {
  return {
    format: info?.format ?? null,
    path: info?.path ?? null,
    size_bytes: info?.sizeBytes ?? null,
    architecture: info?.architecture ?? null,
    quantization: info?.quantization ?? null,
    context_length: info?.contextLength ?? null,
  };
}

/** Memory as admission counts it, and the machine's own numbers. */
export function toAdminMemory(memory: MemorySnapshot, freeBytes: number) {
  return {
    total_gb: gb(memory.totalBytes),
    used_gb: gb(memory.totalBytes - freeBytes),
    available_gb: gb(freeBytes),
    threshold_percent: Math.round(memory.maxFraction * 1000) / 10,
    cap_gb: gb(memory.capBytes),
    cap_bytes: memory.capBytes,
    models_bytes: memory.usedBytes,
    models_gb: gb(memory.usedBytes),
    models: memory.models.map((m) => ({ id: m.id, state: m.state, estimate_bytes: m.bytes, estimate_gb: gb(m.bytes) })),
  };
}

export function toAdminProgress(progress: PullProgress) {
  return {
    file: progress.file,
    received_bytes: progress.receivedBytes,
    total_bytes: progress.totalBytes,
    overall_received_bytes: progress.overallReceivedBytes ?? null,
    overall_total_bytes: progress.overallTotalBytes ?? null,
  };
}

/** The admin event a state change is published as. */
export function stateEventName(event: ModelStateEvent): string {
  if (event.state !== 'available') return event.state;
  if (event.error !== undefined) return 'load_failed';
  return event.reason === 'ttl' || event.reason === 'lru' ? 'evicted' : 'unloaded';
}
