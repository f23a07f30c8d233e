import { rmSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import type { Logger, PromptCacheStats } from '@llmux/core';
import { PromptCacheCosts } from './prompt-cache-costs.js';
import { sharedPrefixLength } from './sequence-slot.js';

interface Entry {
  /** The tokens the saved state holds. */
  readonly tokens: readonly Token[];
  readonly file: string;
  readonly bytes: number;
  /** When it was last saved or loaded (a counter): the least recently used entry goes first. */
  used: number;
  /** Loads in progress: an entry being read is not evicted. */
  readers: number;
}

/** A cached prefix is brought back only when evaluating it would take this many times longer than loading it. */
const LOAD_MARGIN = 2;
/**
 * While other requests generate, a save must win this many times more than it makes each of them wait: they wait for
 * it whole, for a state that may never be asked for again (measured, one-off prompts at 8 concurrent requests: saving
 * them cost 5-22 ms of time to first token and 3-9% of throughput).
 */
const BUSY_MARGIN = 8;
/** Fewer erased tokens than this are not worth a file. */
const MIN_SAVED_TOKENS = 4;

const FOLDER_PREFIX = 'llmux-prompt-cache-';
const FOLDER_NAME = new RegExp(`^${FOLDER_PREFIX}(\\d+)-`);
const directories = new Set<string>();
let exitHookInstalled = false;

/**
 * Removes the folders of llmux processes that ended without removing theirs (killed): the process id in a
 * folder's name no longer runs. Before a model makes its own.
 */
async function removeOrphans(): Promise<void> {
  const names = await readdir(os.tmpdir()).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(FOLDER_NAME.exec(name)?.[1]);
    if (pid > 0 && pid !== process.pid && !running(pid)) await rm(path.join(os.tmpdir(), name), { recursive: true, force: true }).catch(() => undefined);
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Sequence states kept beyond the sequences, as llama-server's `--cache-ram` does. When a request takes a sequence
 * whose cached tokens its prompt does not continue, what the sequence held is saved first; when a saved state shares
 * a longer prefix with the prompt than the sequence does, it is loaded into the sequence before the prompt is
 * evaluated. So a conversation that comes back after other conversations took its sequence re-evaluates only its
 * new turn. The states are node-llama-cpp's state files, `maxBytes` in all, least recently used out first, in a
 * private folder under the OS's temporary directory (mode 0700, named with the process id; removed at unload and
 * exit, and by a later llmux process if this one was killed).
 *
 * Both steps are weighed by their measured costs and by how often saved states have been used again
 * (`PromptCacheCosts`): on a tiny model, evaluating a few tokens is quicker than reading a file, and a server of
 * one-off prompts soon keeps only states that are dear to evaluate. Models that need KV checkpoints (recurrent,
 * sliding-window without a full cache) are left alone: their states cannot be cut back to a prefix.
 */
export class PromptCache {
  readonly costs = new PromptCacheCosts();
  private readonly entries = new Set<Entry>();
  private total = 0;
  private clock = 0;
  private files = 0;
  private folder: Promise<string> | undefined;
  private off = false;
  /** Saves and loads in progress (each holds the context while it runs). */
  private inFlight = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly logger: Logger,
    private readonly modelId: string,
  ) {}

  /** Saved states, their bytes and the room for them. */
  stats(): PromptCacheStats {
    return { states: this.entries.size, bytes: this.total, maxBytes: this.maxBytes };
  }

  /**
   * Before a request evaluates `prompt` on `sequence` (leased to it): saves what the prompt would erase from the
   * sequence, and loads the saved state with the longest prefix of the prompt when it beats the sequence's own.
   * `othersActive`: sequences generating meanwhile. A state is saved or loaded under the context's lock, so they
   * all wait for it: with others generating, the evaluation a save may spare later must outweigh the file
   * `BUSY_MARGIN` times for each of them. A load spares it now, in their batches too, and is weighed as when alone.
   * Never throws: a failure is logged and the request goes on with what the sequence holds.
   */
  async prepare(sequence: LlamaContextSequence, prompt: readonly Token[], othersActive = 0): Promise<void> {
    if (this.off || this.maxBytes <= 0 || sequence.needsCheckpoints) return;
    // The last prompt token is always evaluated (its logits pick the first generated token).
    const usable = prompt.length - 1;
    const held = sequence.contextTokens;
    const shared = Math.min(sharedPrefixLength(held, prompt), usable);
    const stall = othersActive === 0 ? 1 : BUSY_MARGIN * (1 + othersActive);
    try {
      const erased = held.length - shared;
      // One save at a time: when a burst of requests takes sequences together, the others would queue their saves
      // behind it, and every sequence's evaluation with them.
      if (
        erased >= MIN_SAVED_TOKENS &&
        this.inFlight === 0 &&
        !this.covers(held) &&
        this.costs.evalMs(erased) * this.costs.reuse > stall * this.costs.stateMs({ tokens: held.length })
      ) {
        await this.tracked(this.save(sequence, held));
      }
      const best = this.bestFor(prompt, usable);
      // A load is weighed alone even while others generate: the tokens it brings back would otherwise lengthen their
      // batches by as long as evaluating them takes (a CPU's cost per token hardly falls in a larger batch), while
      // they wait for the load once.
      if (best && best.shared > shared && this.costs.evalMs(best.shared - shared) > LOAD_MARGIN * this.costs.stateMs({ bytes: best.entry.bytes })) {
        await this.tracked(this.load(sequence, best.entry));
      }
    } catch (error) {
      this.logger.warn({ err: error, model: this.modelId }, 'prompt cache: a sequence state could not be saved or loaded; going on without it');
    }
  }

  private async tracked(operation: Promise<void>): Promise<void> {
    this.inFlight++;
    try {
      await operation;
    } finally {
      this.inFlight--;
    }
  }

  /** Removes every saved state (the model is unloaded). */
  async clear(): Promise<void> {
    this.off = true;
    this.entries.clear();
    this.total = 0;
    const folder = await this.folder?.catch(() => undefined);
    if (folder) {
      directories.delete(folder);
      await rm(folder, { recursive: true, force: true });
    }
  }

  /** Whether a saved state already holds all of `tokens` (and maybe more). */
  private covers(tokens: readonly Token[]): boolean {
    for (const entry of this.entries) if (entry.tokens.length >= tokens.length && sharedPrefixLength(entry.tokens, tokens) === tokens.length) return true;
    return false;
  }

  private bestFor(prompt: readonly Token[], usable: number): { entry: Entry; shared: number } | undefined {
    let best: { entry: Entry; shared: number } | undefined;
    for (const entry of this.entries) {
      const shared = Math.min(sharedPrefixLength(entry.tokens, prompt), usable);
      if (shared > 0 && (!best || shared > best.shared || (shared === best.shared && entry.used > best.entry.used))) best = { entry, shared };
    }
    return best;
  }

  private async save(sequence: LlamaContextSequence, tokens: readonly Token[]): Promise<void> {
    let file: string | undefined;
    const started = performance.now();
    let bytes: number;
    try {
      file = path.join(await this.directory(), `${++this.files}.state`);
      bytes = (await sequence.saveStateToFile(file)).fileSize;
    } catch (error) {
      // No temporary folder, a full disk, a folder removed under us: stop trying for this model.
      this.off = true;
      if (file) await rm(file, { force: true });
      throw error;
    }
    const ms = performance.now() - started;
    this.costs.noteState(bytes, tokens.length, ms);
    this.costs.noteSaved();
    this.logger.debug({ model: this.modelId, tokens: tokens.length, bytes, ms: Math.round(ms * 100) / 100 }, 'prompt cache: state saved');
    if (bytes > this.maxBytes) {
      await rm(file, { force: true });
      return;
    }
    // States that are a prefix of this one are superseded by it.
    for (const entry of this.entries) if (entry.readers === 0 && sharedPrefixLength(entry.tokens, tokens) === entry.tokens.length) this.drop(entry);
    this.entries.add({ tokens, file, bytes, used: ++this.clock, readers: 0 });
    this.total += bytes;
    for (const entry of [...this.entries].sort((a, b) => a.used - b.used)) {
      if (this.total <= this.maxBytes) break;
      if (entry.readers === 0) this.drop(entry);
    }
  }

  private async load(sequence: LlamaContextSequence, entry: Entry): Promise<void> {
    entry.readers++;
    const started = performance.now();
    try {
      await sequence.loadStateFromFile(entry.file, { acceptRisk: true });
      entry.used = ++this.clock;
      const ms = performance.now() - started;
      this.costs.noteState(entry.bytes, entry.tokens.length, ms);
      this.costs.noteLoaded();
      this.logger.debug({ model: this.modelId, tokens: entry.tokens.length, bytes: entry.bytes, ms: Math.round(ms * 100) / 100 }, 'prompt cache: state loaded');
    } catch (error) {
      // What the sequence holds after a failed load is unknown: empty it, and forget the entry.
      await sequence.clearHistory().catch(() => undefined);
      this.drop(entry);
      throw error;
    } finally {
      entry.readers--;
    }
  }

  private drop(entry: Entry): void {
    if (!this.entries.delete(entry)) return;
    this.total -= entry.bytes;
    void rm(entry.file, { force: true }).catch(() => undefined);
  }

  private directory(): Promise<string> {
    this.folder ??= removeOrphans().then(() => mkdtemp(path.join(os.tmpdir(), `${FOLDER_PREFIX}${process.pid}-`))).then((folder) => {
      directories.add(folder);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.once('exit', () => {
          for (const dir of directories) rmSync(dir, { recursive: true, force: true });
        });
      }
      return folder;
    });
    return this.folder;
  }
}
