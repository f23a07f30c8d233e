import { readFile } from 'node:fs/promises';
import { arch } from 'node:os';
import { fail, ok, warn, type CheckResult } from './check-result.js';

const MIN_NODE_MAJOR = 20;

export function checkNode(version = process.versions.node): CheckResult {
  const major = Number(version.split('.')[0]);
  if (major < MIN_NODE_MAJOR) return fail('node', `Node ${version}`, `install Node ${MIN_NODE_MAJOR} or newer (https://nodejs.org or your package manager)`);
  return ok('node', `Node ${version}`);
}

/**
 * The CPU's vector extensions, read from /proc/cpuinfo (x86 `flags`, Arm `Features`). llama.cpp's
 * CPU speed depends on them: x86 without AVX2 runs several times slower.
 */
export async function checkCpuFeatures(cpuinfoPath = '/proc/cpuinfo', machine = arch()): Promise<CheckResult> {
  let text: string;
  try {
    text = await readFile(cpuinfoPath, 'utf8');
  } catch {
    return ok('cpu', `${machine}; features not readable here (no ${cpuinfoPath})`);
  }
  const line = /^(?:flags|Features)\s*:\s*(.*)$/m.exec(text)?.[1] ?? '';
  const flags = new Set(line.split(/\s+/));
  const model = /^model name\s*:\s*(.*)$/m.exec(text)?.[1]?.trim();
  const wanted = ['avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512_vnni', 'avx_vnni', 'neon', 'asimd', 'fphp', 'asimddp', 'sve', 'i8mm'];
  const present = wanted.filter((f) => flags.has(f));
  const detail = `${model ? `${model}, ` : ''}${machine}; ${present.length ? present.join(' ') : 'no vector extensions found'}`;
  if ((machine === 'x64' || machine === 'ia32') && !flags.has('avx2')) {
    return warn('cpu', detail, 'this CPU lacks AVX2: generation on the CPU is slow; prefer small quantized models or a GPU');
  }
  return ok('cpu', detail);
}
