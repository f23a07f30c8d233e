import { formatResults, type CheckResult } from './check-result.js';
import { checkConfig } from './config-check.js';
import { checkNativeBinding } from './binding-check.js';
import { checkHfCache } from './hf-cache-check.js';
import { checkModels } from './model-checks.js';
import { checkPort } from './port-check.js';
import { checkCpuFeatures, checkNode } from './system-checks.js';

export interface DoctorOptions {
  config?: string;
  json?: boolean;
}

function report(results: CheckResult[], json: boolean | undefined): number {
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  if (json) process.stdout.write(`${JSON.stringify({ ok: failed === 0, results }, null, 2)}\n`);
  else {
    process.stdout.write(formatResults(results));
    process.stdout.write(failed ? `\n${failed} problem(s) to fix${warned ? `, ${warned} warning(s)` : ''}.\n` : `\nall good${warned ? ` (${warned} warning(s))` : ''}.\n`);
  }
  return failed ? 1 : 0;
}

/** `llmux doctor`: checks this machine and config; exit code 1 when something must be fixed. */
export async function doctorCommand(options: DoctorOptions): Promise<void> {
  const results: CheckResult[] = [checkNode(), await checkCpuFeatures()];
  results.push(...(await checkNativeBinding()));
  const config = await checkConfig(options.config);
  results.push(config.result);
  if (config.config) {
    results.push(await checkPort(config.config.server.host, config.config.server.port));
    results.push(await checkHfCache(config.config));
    if (results.some((r) => r.name === 'binding' && r.status === 'ok')) results.push(...(await checkModels(config.config)));
  }
  process.exitCode = report(results, options.json);
}

/** `llmux config check`: the config part of the doctor. */
export async function configCheckCommand(options: DoctorOptions): Promise<void> {
  process.exitCode = report([(await checkConfig(options.config)).result], options.json);
}
