import { createHash } from 'node:crypto';
import { createReadStream, constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { freemem } from 'node:os';
import path from 'node:path';
import { silentLogger, type LlmuxConfig } from '@llmux/core';
import { bundledModelsDir } from '../../runtime/bundled-models.js';
import { createRuntime } from '../../runtime/runtime.js';
import { formatBytes } from '../format.js';
import { fail, ok, warn, type CheckResult } from './check-result.js';

const mb = (bytes: number) => formatBytes(bytes);

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `models/SHA256SUMS` of the bundled models: file (relative to the folder) -> hash. */
async function bundledSums(dir: string | undefined): Promise<Map<string, string>> {
  if (!dir) return new Map();
  const text = await readFile(path.join(dir, 'SHA256SUMS'), 'utf8').catch(() => '');
  return new Map(text.split('\n').flatMap((line) => {
    const match = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
    return match ? [[match[2]!, match[1]!] as const] : [];
  }));
}

/** A configured local model file: present, readable, not empty, and matching SHA256SUMS when it is a bundled one. */
async function checkFile(name: string, file: string, bundledDir: string | undefined, sums: Map<string, string>): Promise<CheckResult> {
  let info;
  try {
    info = await stat(file);
    await access(file, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail(name, `${file} does not exist`, 'correct the model source in the config, or download the file');
    return fail(name, `${file} is not readable (${code})`, `give your user read access: chmod u+r '${file}'`);
  }
  const relative = bundledDir ? path.relative(bundledDir, file).split(path.sep).join('/') : '';
  const bundled = relative !== '' && !relative.startsWith('..');
  if (info.isDirectory()) {
    // A bundled MLX folder: every file SHA256SUMS lists under it.
    const listed = bundled ? [...sums].filter(([name]) => name.startsWith(`${relative}/`)) : [];
    for (const [listedName, expected] of listed) {
      const actual = await sha256(path.join(bundledDir!, listedName)).catch(() => 'missing');
      if (actual !== expected) return fail(name, `${listedName}: ${actual === 'missing' ? 'missing' : 'SHA-256 does not match SHA256SUMS'}`, 'restore the folder (git checkout models/)');
    }
    return ok(name, listed.length ? `${file} (folder), ${listed.length} files match SHA256SUMS` : `${file} (folder)`);
  }
  if (info.size === 0) return fail(name, `${file} is empty`, 'download the model again');
  const expected = bundled ? sums.get(relative) : undefined;
  if (expected) {
    const actual = await sha256(file);
    if (actual !== expected) return fail(name, `${file}: SHA-256 ${actual.slice(0, 12)}… does not match SHA256SUMS (${expected.slice(0, 12)}…)`, 'restore the file (git checkout models/)');
    return ok(name, `${file}, ${mb(info.size)}, SHA-256 matches SHA256SUMS`);
  }
  return ok(name, `${file}, ${mb(info.size)}, readable`);
}

/**
 * Each configured model: its files (present, readable, checksums of the bundled ones), and its
 * memory estimate (from its backend, with its load options) against the cap and the free memory now.
 */
export async function checkModels(config: LlmuxConfig, env: NodeJS.ProcessEnv = process.env): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const bundledDir = bundledModelsDir(env);
  const sums = await bundledSums(bundledDir);
  const runtime = await createRuntime(config, silentLogger());
  try {
    let total = 0;
    let capBytes = 0;
    for (const [id, model] of Object.entries(config.models)) {
      const name = `model ${id}`;
      let location;
      try {
        location = await runtime.store.resolve(id);
      } catch (error) {
        const hub = model.source.startsWith('hf:') ? model.source.slice(3) : model.source;
        results.push(fail(name, (error as Error).message.split('\n')[0]!, `download it: llmux pull ${hub}`));
        continue;
      }
      const file = await checkFile(name, location.path, bundledDir, sums);
      results.push(file);
      if (file.status === 'fail') continue;
      try {
        const estimate = await runtime.manager.estimate(id);
        total += estimate.bytes;
        capBytes = estimate.capBytes;
        const memoryName = `memory ${id}`;
        if (estimate.bytes > estimate.capBytes) {
          results.push(fail(memoryName, `needs ~${mb(estimate.bytes)} (${estimate.backend}), more than the cap of ${mb(estimate.capBytes)}`, 'raise memory.maxFraction or memory.maxBytes, or lower contextSize/parallel, or pick a smaller quantization'));
        } else if (estimate.bytes > freemem()) {
          results.push(warn(memoryName, `needs ~${mb(estimate.bytes)} (${estimate.backend}), more than the ${mb(freemem())} free now`, 'close other programs before loading it, or pick a smaller model'));
        } else results.push(ok(memoryName, `needs ~${mb(estimate.bytes)} (${estimate.backend}) of the cap ${mb(estimate.capBytes)}`));
      } catch (error) {
        results.push(warn(`memory ${id}`, `no estimate: ${(error as Error).message.split('\n')[0]}`, 'this model cannot load here as configured; check its backend and format'));
      }
    }
    if (total > 0) {
      results.push(
        total > capBytes
          ? warn('memory', `all configured models together need ~${mb(total)}, over the cap of ${mb(capBytes)}: they will evict each other`, 'fine for models used one at a time; otherwise raise the cap or serve fewer models')
          : ok('memory', `all configured models together need ~${mb(total)} of the cap ${mb(capBytes)} (${mb(freemem())} free now)`),
      );
    }
  } finally {
    await runtime.close();
  }
  return results;
}
