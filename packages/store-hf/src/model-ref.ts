import { InvalidRequestError } from '@llmux/core';

/** A parsed model reference. */
export type ModelRef =
  | { kind: 'local'; path: string }
  /** A hub repo, whole (`org/repo`), one quantization of its GGUFs (`org/repo:Q4_K_M`) or one file (`org/repo/file.gguf`). */
  | { kind: 'hub'; repo: string; quant?: string; file?: string };

const SEGMENT = /^[\w.-]+$/;

/** Whether the text names a local file or folder rather than a hub repo. */
function looksLocal(ref: string): boolean {
  return /^(\/|\.{1,2}\/|~\/|~$|file:|[A-Za-z]:[\\/])/.test(ref);
}

/**
 * Parses `org/repo`, `org/repo:QUANT`, `org/repo/path/to/file.gguf` (each optionally prefixed with
 * `hf:`, `hf.co/` or `huggingface.co/`) and local paths. Returns undefined for a bare name (an id or alias).
 */
export function parseModelRef(ref: string): ModelRef | undefined {
  if (looksLocal(ref)) return { kind: 'local', path: ref.startsWith('file:') ? new URL(ref).pathname : ref };
  const text = ref.replace(/^(hf:|https?:\/\/)?(hf\.co\/|huggingface\.co\/)?/, '');
  const colon = text.lastIndexOf(':');
  const [body, quant] = colon > 0 && !text.slice(colon).includes('/') ? [text.slice(0, colon), text.slice(colon + 1)] : [text, undefined];
  const segments = body.split('/');
  if (segments.length < 2 || segments.some((s) => !SEGMENT.test(s))) return undefined;
  const repo = `${segments[0]}/${segments[1]}`;
  if (segments.length > 2) {
    if (quant !== undefined) throw new InvalidRequestError(`'${ref}' names both a file and a quantization; use one of them.`, { param: 'model' });
    return { kind: 'hub', repo, file: segments.slice(2).join('/') };
  }
  return quant ? { kind: 'hub', repo, quant } : { kind: 'hub', repo };
}

/** The canonical text of a hub reference (used as the model id). */
export function formatHubRef(ref: Extract<ModelRef, { kind: 'hub' }>): string {
  if (ref.file) return `${ref.repo}/${ref.file}`;
  if (ref.quant) return `${ref.repo}:${ref.quant.toUpperCase()}`;
  return ref.repo;
}
