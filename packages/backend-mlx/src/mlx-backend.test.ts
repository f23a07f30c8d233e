import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ContextLengthExceededError,
  ModelLoadError,
  OverloadedError,
  UnsupportedFeatureError,
  type ChatRequest,
  type LoadedModel,
  type StreamPart,
} from '@llmux/core';
// The built package: the engine worker runs from dist/.
import { MlxBackend } from '@llmux/backend-mlx';

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');
const brown = { id: 'brown', format: 'mlx' as const, path: path.join(MODELS, 'brown-llama-1m-mlx') };

async function collect(stream: AsyncIterable<StreamPart>) {
  let text = '';
  let finish: Extract<StreamPart, { type: 'finish' }> | undefined;
  const order: string[] = [];
  for await (const part of stream) {
    order.push(part.type);
    if (part.type === 'text-delta') text += part.text;
    if (part.type === 'finish') finish = part;
  }
  return { text, finish: finish!, order };
}

const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'brown',
  messages: [{ role: 'user', content }],
  sampling: { temperature: 0 },
  ...extra,
});

/** A copy of the brown MLX folder with config.json changed. */
async function brownVariant(change: (config: Record<string, unknown>) => void): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'llmux-mlx-'));
  await cp(brown.path, folder, { recursive: true });
  const config = JSON.parse(await readFile(path.join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
  change(config);
  await writeFile(path.join(folder, 'config.json'), JSON.stringify(config));
  return folder;
}

describe('MlxBackend on the bundled brown MLX folder', () => {
  const backend = new MlxBackend();
  let model: LoadedModel;
  beforeAll(async () => {
    model = await backend.load(brown, { parallel: 2, maxQueue: 1 });
  });
  afterAll(async () => {
    await model.unload();
  });

  it('can load MLX folders only, and estimates memory from the files', async () => {
    expect(await backend.canLoad(brown)).toBe(true);
    expect(await backend.canLoad({ ...brown, path: path.join(MODELS, 'missing') })).toBe(false);
    expect(await backend.canLoad({ ...brown, format: 'gguf' })).toBe(false);
    const estimate = await backend.estimateMemory(brown, { parallel: 2, maxQueue: 1 });
    // fp16 weights held as float32: about 4.5 MB, plus the KV caches.
    expect(estimate.cpuBytes).toBeGreaterThan(4_000_000);
    expect(model.memory.cpuBytes).toBeGreaterThan(4_000_000);
    expect(model.capabilities.contextLength).toBe(256);
  });

  it('continues raw text greedily as llama.cpp does, the same every time', async () => {
    const request = { model: 'brown', prompt: 'The jury said', sampling: { temperature: 0 }, maxTokens: 20 };
    const first = await collect(await model.complete!(request));
    const second = await collect(await model.complete!(request));
    expect(first.text).toBe('. Then the clear of the clears of the clears of');
    expect(second.text).toBe(first.text);
    expect(first.order.at(-1)).toBe('finish');
    expect(first.order.filter((type) => type === 'finish')).toHaveLength(1);
    expect(first.order.slice(0, -1).every((type) => type === 'text-delta')).toBe(true);
  });

  it('renders the ChatML template of tokenizer_config.json', async () => {
    const { finish } = await collect(await model.stream(ask('The jury said', { maxTokens: 4 })));
    const templated = await model.tokenize!('<|im_start|>user\nThe jury said<|im_end|>\n<|im_start|>assistant\n');
    expect(finish.usage.promptTokens).toBe(templated.length);
    expect(templated).toContain(1022);
  });

  it('stops at max tokens with reason length and the exact token count', async () => {
    const { finish } = await collect(await model.stream(ask('The jury said', { maxTokens: 13 })));
    expect(finish).toMatchObject({ reason: 'length', raw: 'maxTokens' });
    expect(finish.usage.completionTokens).toBe(13);
  });

  it('stops at a stop string without returning it', async () => {
    const request = { model: 'brown', prompt: 'The jury said', sampling: { temperature: 0 }, maxTokens: 30, stop: ['clears'] };
    const { text, finish } = await collect(await model.complete!(request));
    expect(text).toBe('. Then the clear of the ');
    expect(finish).toMatchObject({ reason: 'stop', raw: 'customStopTrigger' });
  });

  it('samples with a seed reproducibly, and differently from greedy', async () => {
    const sampled = ask('Tell me about the city', { maxTokens: 30, sampling: { temperature: 1, seed: 7, topP: 0.95, topK: 50 } });
    const first = await collect(await model.stream(sampled));
    const second = await collect(await model.stream(sampled));
    const greedy = await collect(await model.stream(ask('Tell me about the city', { maxTokens: 30 })));
    expect(second.text).toBe(first.text);
    expect(first.text).not.toBe(greedy.text);
  });

  it('gives concurrent greedy generations exactly the text each gets alone', async () => {
    const prompts = ['The jury said', 'The committee met in the city hall and'];
    const alone = [];
    for (const prompt of prompts) alone.push((await collect(await model.complete!({ model: 'brown', prompt, sampling: { temperature: 0 }, maxTokens: 30 }))).text);
    const together = await Promise.all(
      prompts.map(async (prompt) => collect(await model.complete!({ model: 'brown', prompt, sampling: { temperature: 0 }, maxTokens: 30 }))),
    );
    expect(together.map((result) => result.text)).toEqual(alone);
  });

  it('reuses the cached prefix of a slot and reports it', async () => {
    const prompt = 'The committee met in the city hall and';
    await collect(await model.stream(ask(prompt, { maxTokens: 4 })));
    const { finish } = await collect(await model.stream(ask(prompt, { maxTokens: 4 })));
    expect(finish.usage.cachedPromptTokens).toBe(finish.usage.promptTokens - 1);
  });

  it('ends an aborted stream with reason abort and frees its slot', async () => {
    const controller = new AbortController();
    const stream = await model.stream(ask('The jury said', { maxTokens: 200, sampling: { temperature: 1 } }), { signal: controller.signal });
    let parts = 0;
    let finish: StreamPart | undefined;
    for await (const part of stream) {
      if (++parts === 3) controller.abort();
      if (part.type === 'finish') finish = part;
    }
    expect(finish).toMatchObject({ type: 'finish', reason: 'abort' });
    expect(model.stats().active).toBe(0);
  });

  it('queues beyond its slots and refuses past the queue with overloaded', async () => {
    const long = () => model.stream(ask('The jury said', { maxTokens: 60 }));
    const running = [await long(), await long()];
    const queued = long();
    await expect(long()).rejects.toBeInstanceOf(OverloadedError);
    expect(model.stats()).toMatchObject({ active: 2, queued: 1 });
    await Promise.all(running.map(collect));
    const { finish } = await collect(await queued);
    // Greedy brown answers this chat with <|im_end|> before 60 tokens.
    expect(finish.reason).toBe('stop');
    expect(finish.raw).toBe('eogToken');
  });

  it('refuses a prompt longer than the context, images and tools, before generating', async () => {
    await expect(model.stream(ask('The jury said '.repeat(100)))).rejects.toBeInstanceOf(ContextLengthExceededError);
    await expect(model.stream({ ...ask(''), messages: [{ role: 'user', content: [{ type: 'image', url: 'data:,' }] }] })).rejects.toBeInstanceOf(
      UnsupportedFeatureError,
    );
    await expect(model.stream(ask('hi', { tools: [{ name: 'f' }] }))).rejects.toBeInstanceOf(UnsupportedFeatureError);
  });
});

describe('MlxBackend failures', () => {
  const backend = new MlxBackend();

  it('names the supported architectures for an unknown model_type', async () => {
    const folder = await brownVariant((config) => {
      config['model_type'] = 'gpt_neox';
    });
    try {
      const loading = backend.load({ ...brown, path: folder }, { parallel: 1, maxQueue: 0 });
      await expect(loading).rejects.toBeInstanceOf(ModelLoadError);
      await expect(loading).rejects.toThrow(/'gpt_neox' is not supported; supported: llama, mistral, qwen2, qwen3/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('ends a request whose kernels fail with an error, and keeps serving', async () => {
    // Three heads do not divide the width of 128: every forward pass fails in a reshape.
    const folder = await brownVariant((config) => {
      config['num_attention_heads'] = 3;
      config['head_dim'] = 32;
    });
    const broken = await backend.load({ ...brown, path: folder }, { parallel: 1, maxQueue: 1 });
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const { finish } = await collect(await broken.stream(ask('The jury said', { maxTokens: 5 })));
        expect(finish.reason).toBe('error');
        expect(String(finish.error)).toMatch(/Generation failed on model 'brown'/);
      }
      expect(broken.stats().active).toBe(0);
    } finally {
      await broken.unload();
      await broken.unload();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
