import { messageText, type ChatRequest, type Logger, type ModelManager, type RouteHints, type RoutePool } from '@llmux/core';
import { DEFAULT_TASK_EXAMPLES, nearestExample, type EmbeddedExample } from '@llmux/router';

/**
 * Embedding-based hints for `task` routing. A virtual model with `options.embeddingModel` has its
 * example requests (`options.examples`, else the built-in ones) embedded once, on first use; each
 * request's last user message is embedded and matched to the closest example. Any failure only
 * costs the hint: routing falls back to the keyword rules, the request is never failed by it.
 */
export class TaskHints {
  private readonly indexes = new Map<string, Promise<EmbeddedExample[]>>();

  constructor(
    private readonly manager: ModelManager,
    private readonly logger: Logger,
  ) {}

  async hintsFor(pool: RoutePool | undefined, strategy: string, request: Omit<ChatRequest, 'model'>): Promise<RouteHints | undefined> {
    const embeddingModel = pool?.options.embeddingModel;
    if (!pool || strategy !== 'task' || typeof embeddingModel !== 'string') return undefined;
    const lastUser = [...request.messages].reverse().find((m) => m.role === 'user');
    const text = lastUser ? messageText(lastUser.content).slice(0, 2000) : '';
    if (!text.trim()) return undefined;
    try {
      const examples = await this.examplesFor(pool, embeddingModel);
      const [vector] = await this.embed(embeddingModel, [text]);
      const nearest = vector ? nearestExample(vector, examples) : undefined;
      return nearest ? { nearestExample: nearest } : undefined;
    } catch (error) {
      this.logger.warn({ err: error, pool: pool.name, embeddingModel }, 'task routing: no embedding hint, using the keyword rules');
      return undefined;
    }
  }

  private examplesFor(pool: RoutePool, embeddingModel: string): Promise<EmbeddedExample[]> {
    let index = this.indexes.get(pool.name);
    if (!index) {
      const configured = pool.options.examples as Record<string, string[]> | undefined;
      const source = configured ?? (DEFAULT_TASK_EXAMPLES as Record<string, readonly string[]>);
      const pairs = Object.entries(source).flatMap(([task, texts]) => texts.map((example) => ({ task, example })));
      index = this.embed(embeddingModel, pairs.map((p) => p.example)).then((vectors) =>
        pairs.map((pair, i) => ({ ...pair, vector: vectors[i]! })),
      );
      index.catch(() => this.indexes.delete(pool.name));
      this.indexes.set(pool.name, index);
    }
    return index;
  }

  private async embed(modelId: string, texts: string[]): Promise<number[][]> {
    const model = await this.manager.acquire(modelId);
    if (!model.embed) throw new Error(`the model '${modelId}' cannot embed`);
    return (await model.embed(texts)).embeddings;
  }
}
