import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'packages/server/dist/cli/main.cjs');

/** pnpm as the test runner was started (`npx pnpm@10 test` sets npm_execpath), else from PATH. */
function pnpm(args: string[], cwd: string) {
  const execpath = process.env.npm_execpath;
  if (execpath && /pnpm/.test(path.basename(execpath)) && /\.c?js$/.test(execpath)) return run(process.execPath, [execpath, ...args], { cwd });
  return run('pnpm', args, { cwd });
}

/** `llmux serve` in a folder; resolves with its URL once it listens, or rejects with its stderr. */
function serve(cwd: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', 'llmux.config.yaml', '--port', '0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`llmux did not start in 20 s:\n${stdout}\n${stderr}`)), 20_000);
    child.stdout!.on('data', (data: Buffer) => {
      stdout += data.toString();
      const url = /"url":"(http:\/\/[^"]+)"/.exec(stdout)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    });
    child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`llmux exited with ${code}:\n${stderr}`));
    });
  });
}

describe('a plugin installed from its npm tarball into a project', () => {
  let project: string;
  let server: { child: ChildProcess; url: string } | undefined;

  beforeAll(async () => {
    project = await mkdtemp(path.join(os.tmpdir(), 'llmux-project-'));
    await pnpm(['pack', '--pack-destination', project], path.join(ROOT, 'plugins/example'));
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'my-project', private: true, type: 'module' }));
    // The tarball's only dependency is its peer @llmux/core, which the project gets from llmux (here: this
    // workspace's build), so the install needs no network.
    await run('npm', ['install', './llmux-plugin-example-0.1.0.tgz', '--offline', '--no-audit', '--no-fund', '--legacy-peer-deps', '--ignore-scripts'], {
      cwd: project,
    });
    await mkdir(path.join(project, 'node_modules/@llmux'), { recursive: true });
    await symlink(path.join(ROOT, 'packages/core'), path.join(project, 'node_modules/@llmux/core'), 'dir');
  }, 120_000);

  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      const exited = new Promise((resolve) => server!.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      await exited;
    }
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('is loaded by its short name from config and serves a chat completion', async () => {
    await writeFile(
      path.join(project, 'llmux.config.yaml'),
      'plugins:\n  - name: example\n    options: { tokenDelayMs: 1 }\nmodels:\n  parrot:\n    source: echo\n    backend: echo\n',
    );
    server = await serve(project);
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'parrot',
      messages: [{ role: 'user', content: 'polly wants a cracker' }],
      max_tokens: 6,
    });
    expect(completion.choices[0]?.message.content).toBe(' polly wants a cracker polly wants');
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 6 });
  });

  it('stops start-up with the install command when a configured plugin is missing', async () => {
    await writeFile(path.join(project, 'llmux.config.yaml'), 'plugins: [not-there]\n');
    const started = serve(project);
    await expect(started).rejects.toThrow(/llmux exited with 1/);
    await expect(started).rejects.toThrow(/The plugin 'llmux-plugin-not-there' is not installed\. Install it in your project with `npm install llmux-plugin-not-there`/);
  });
});
