import { LlmuxError, ErrorCodes } from '../errors/index.js';

/**
 * A named set of implementations (backends, routers, stores) registered by id.
 * Registering the same id twice is an error: two plugins must not silently shadow each other.
 */
export class Registry<T extends { readonly id: string }> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly kind: string) {}

  register(entry: T): void {
    if (this.entries.has(entry.id)) {
      throw new LlmuxError(ErrorCodes.configInvalid, `A ${this.kind} with id '${entry.id}' is already registered.`);
    }
    this.entries.set(entry.id, entry);
  }

  get(id: string): T | undefined {
    return this.entries.get(id);
  }

  /** Like `get`, but a missing id is an error that lists the registered ones. */
  require(id: string): T {
    const entry = this.entries.get(id);
    if (entry) return entry;
    const known = [...this.entries.keys()];
    throw new LlmuxError(
      ErrorCodes.configInvalid,
      `No ${this.kind} '${id}' is registered. Registered: ${known.length > 0 ? known.join(', ') : 'none'}.`,
    );
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  all(): T[] {
    return [...this.entries.values()];
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }
}
