import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { MODELS_DIR } from './helpers/test-server.js';

let home: string;
let busy: Server;
let busyPort: number;

/** Runs `llmux ...` as a child process in a temp folder with its own HOME and models folder. */
const llmux = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { cwd: home, env: { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: path.join(home, 'cache'), LLMUX_MODELS_DIR: MODELS_DIR, ...env } });

const line = (out: string, name: string) => out.split('\n').find((l) => l.includes(`] ${name}:`)) ?? `(no ${name} line in:\n${out})`;

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'llmux-doctor-'));
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});

afterAll(async () => {
  busy?.close();
  await rm(home, { recursive: true, force: true });
});

describe('llmux doctor', () => {
  it('passes on a good setup: Node, binding, CPU, config, port, cache, bundled models with checksums and estimates', async () => {
    await writeFile(path.join(home, 'good.json'), JSON.stringify({ server: { port: 0 }, models: { stories: { source: path.join(MODELS_DIR, 'stories260K.gguf') }, brownmlx: { source: path.join(MODELS_DIR, 'brown-llama-1m-mlx') } } }));
    const { code, stdout } = await llmux(['doctor', '--config', 'good.json']);
    expect(stdout).toMatch(/\[ok {2}\] node: Node \d+/);
    expect(line(stdout, 'binding')).toMatch(/CPU binding loads/);
    expect(line(stdout, 'gpu')).toMatch(/^\[ok {2}\] gpu: /);
    expect(line(stdout, 'cpu')).toMatch(/x64|arm64/);
    expect(line(stdout, 'config')).toContain(path.join(home, 'good.json'));
    expect(line(stdout, 'model stories')).toMatch(/SHA-256 matches SHA256SUMS/);
    expect(line(stdout, 'model brownmlx')).toMatch(/\(folder\), \d+ files match SHA256SUMS/);
    expect(line(stdout, 'memory stories')).toMatch(/needs ~[\d.]+ [KMG]B \(gguf\) of the cap/);
    expect(line(stdout, 'hf cache')).toContain(path.join(home, 'cache', 'huggingface', 'hub'));
    expect(stdout).toMatch(/all good/);
    expect(code).toBe(0);
  });

  it('fails with what to fix: a changed bundled file, a missing file, a taken port, a cache path that is a file', async () => {
    const models = path.join(home, 'models');
    await mkdir(models, { recursive: true });
    await copyFile(path.join(MODELS_DIR, 'SHA256SUMS'), path.join(models, 'SHA256SUMS'));
    await copyFile(path.join(MODELS_DIR, 'stories260K.gguf'), path.join(models, 'stories260K.gguf'));
    await appendFile(path.join(models, 'stories260K.gguf'), 'x');
    await writeFile(path.join(home, 'not-a-folder'), 'x');
    await writeFile(
      path.join(home, 'bad.json'),
      JSON.stringify({
        server: { port: busyPort },
        store: { cacheDir: path.join(home, 'not-a-folder', 'hub') },
        models: { changed: { source: path.join(models, 'stories260K.gguf') }, missing: { source: path.join(home, 'nope.gguf') } },
      }),
    );
    const { code, stdout } = await llmux(['doctor', '-c', 'bad.json', '--json'], { LLMUX_MODELS_DIR: models });
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { ok: boolean; results: { name: string; status: string; detail: string; fix?: string }[] };
    const by = (name: string) => report.results.find((r) => r.name === name)!;
    expect(report.ok).toBe(false);
    expect(by('model changed')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/does not match SHA256SUMS/) });
    expect(by('model missing')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/correct the model source|download/) });
    expect(by('port')).toMatchObject({ status: 'fail', detail: `127.0.0.1:${busyPort} is taken by another program`, fix: expect.stringMatching(/server.port/) });
    expect(by('hf cache')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/not-a-folder is a file/) });
    expect(by('node').status).toBe('ok');
  });
});

describe('llmux config check', () => {
  it('lists each bad key path and exits 1; a valid config exits 0', async () => {
    await writeFile(path.join(home, 'invalid.json'), JSON.stringify({ server: { port: 'eighty' }, memory: { maxFraction: 3 } }));
    const bad = await llmux(['config', 'check', '-c', 'invalid.json']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/\[FAIL\] config: /);
    expect(bad.stdout).toContain('server.port');
    expect(bad.stdout).toContain('memory.maxFraction');
    expect(bad.stdout).toMatch(/fix: correct the keys/);
    await writeFile(path.join(home, 'valid.json'), JSON.stringify({ server: { port: 4000 } }));
    const good = await llmux(['config', 'check', '--config', 'valid.json']);
    expect(good.stdout).toMatch(/\[ok {2}\] config: .*valid\.json: valid; \d+ model\(s\)/);
    expect(good.code).toBe(0);
    expect(JSON.parse(await readFile(path.join(home, 'valid.json'), 'utf8'))).toEqual({ server: { port: 4000 } });
  });
});
