import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuCmakeOptions, missingBuildTools, prebuiltBinariesFolder, prebuiltCpuKernels } from './local-build.js';

describe('prebuilt CPU kernels for local builds', () => {
  it("finds node-llama-cpp's prebuilt kernel variants for this platform", () => {
    const folder = prebuiltBinariesFolder();
    if (process.platform === 'linux' && process.arch === 'x64') {
      expect(folder).toMatch(/linux-x64[/\\]bins[/\\]linux-x64$/);
      const kernels = prebuiltCpuKernels(folder).map((file) => path.basename(file));
      expect(kernels).toContain('libggml-cpu-x64.so');
      expect(kernels).toContain('libggml-cpu-haswell.so');
    }
    expect(prebuiltBinariesFolder('plan9', 'mips')).toBeUndefined();
  });

  it('lists only libggml-cpu-<variant>.so files', () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'llmux-kernels-'));
    try {
      for (const name of ['libggml-cpu-zen4.so', 'libggml-base.so', 'libggml-cpu.so', 'llama-addon.node']) writeFileSync(path.join(folder, name), '');
      mkdirSync(path.join(folder, 'libggml-cpu-dir.so.d'));
      expect(prebuiltCpuKernels(folder).map((file) => path.basename(file))).toEqual(['libggml-cpu-zen4.so']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('builds the CPU backend as a loadable library, without -march=native or OpenMP, when kernels exist', () => {
    expect(cpuCmakeOptions(['/x/libggml-cpu-haswell.so'])).toEqual({
      GGML_NATIVE: 'OFF',
      GGML_BACKEND_DL: 'ON',
      GGML_CPU_ALL_VARIANTS: 'OFF',
      GGML_OPENMP: 'OFF',
    });
    expect(cpuCmakeOptions([])).toEqual({});
  });
});

describe('missingBuildTools', () => {
  it('lists only tools that are really absent from PATH', () => {
    const original = process.env.PATH;
    try {
      process.env.PATH = '/nonexistent';
      expect(missingBuildTools()).toEqual(['cmake', 'a C++ compiler', 'git']);
    } finally {
      process.env.PATH = original;
    }
  });
});
