import { requestJson, serverUrl, type ServerOption } from './cli-context.js';
import { formatBytes, formatSeconds, formatTable } from './format.js';

interface StatusModel {
  id: string;
  state: string;
  pinned: boolean;
  ttl_seconds: number;
  ttl_left_seconds: number | null;
  memory_bytes: number;
  active_requests: number;
  queued_requests: number;
}

interface Status {
  models: StatusModel[];
  memory: { cap_bytes: number; models_bytes: number; threshold_percent: number };
}

/** `llmux ps`: the models a running server holds, their memory and how long until they unload. */
export async function psCommand(options: ServerOption & { json?: boolean }): Promise<void> {
  const url = await serverUrl(options);
  const status = await requestJson<Status>(`${url}/admin/status`);
  const running = status.models.filter((m) => m.state !== 'available');
  if (options.json) {
    process.stdout.write(`${JSON.stringify(running, null, 2)}\n`);
    return;
  }
  const until = (m: StatusModel) => {
    if (m.pinned) return 'pinned';
    if (m.ttl_seconds === 0) return 'never';
    if (m.ttl_left_seconds === null) return m.active_requests + m.queued_requests > 0 ? 'busy' : '-';
    return formatSeconds(m.ttl_left_seconds);
  };
  const rows = running.map((m) => [m.id, m.state, formatBytes(m.memory_bytes), until(m), String(m.active_requests), String(m.queued_requests)]);
  process.stdout.write(`${formatTable(['MODEL', 'STATE', 'MEMORY', 'UNLOADS IN', 'ACTIVE', 'QUEUED'], rows)}\n`);
  process.stdout.write(
    `memory: ${formatBytes(status.memory.models_bytes)} of ${formatBytes(status.memory.cap_bytes)} (cap: ${status.memory.threshold_percent}% of RAM or memory.maxBytes)\n`,
  );
}
