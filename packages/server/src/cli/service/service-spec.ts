import path from 'node:path';

/** What a user service runs, independent of the service manager that runs it. */
export interface ServiceSpec {
  /** systemd unit name (without `.service`) and the basis of the launchd label. */
  name: string;
  /** launchd label (reverse-DNS). */
  label: string;
  description: string;
  /** The command line: node, the CLI script, `serve`, and `--config <absolute path>` when a config file is used. */
  program: string[];
  /** The folder the server starts in: config search and relative model paths start here. */
  workingDirectory: string;
  /** Environment the server needs that a service manager does not pass on (PATH, HOME). */
  environment: Record<string, string>;
  /** Seconds to wait before a restart after a failure. */
  restartSeconds: number;
  /** Where launchd writes stdout and stderr (systemd writes to the journal). */
  logFile: string;
}

export interface ServiceSpecInput {
  /** The config file's path as given or found; made absolute. Undefined: the server searches its working directory. */
  configFile: string | undefined;
  /** The folder to run in (default: the current one). */
  cwd: string;
  home: string;
  /** The node binary (process.execPath). */
  nodePath: string;
  /** The llmux CLI script (packages/server/dist/cli/main.cjs). */
  cliPath: string;
  env: NodeJS.ProcessEnv;
}

export const SERVICE_NAME = 'llmux';
export const SERVICE_LABEL = 'dev.llmux.server';

/** The one data model both the systemd unit and the launchd plist are rendered from. */
export function serviceSpec(input: ServiceSpecInput): ServiceSpec {
  const program = [input.nodePath, input.cliPath, 'serve'];
  if (input.configFile) program.push('--config', path.resolve(input.cwd, input.configFile));
  const environment: Record<string, string> = { NODE_ENV: 'production' };
  // Settings that override the config (address, log level, models folder, hub) go with it; keys and tokens do not:
  // a unit file is no place for secrets.
  for (const name of ['PATH', 'LLMUX_MODELS_DIR', 'LLMUX_HOST', 'LLMUX_PORT', 'LLMUX_LOG_LEVEL', 'HF_HOME', 'HF_HUB_CACHE', 'HF_ENDPOINT']) {
    const value = input.env[name];
    if (value) environment[name] = value;
  }
  return {
    name: SERVICE_NAME,
    label: SERVICE_LABEL,
    description: 'llmux: local LLM inference server',
    program,
    workingDirectory: path.resolve(input.cwd),
    environment,
    restartSeconds: 5,
    logFile: path.join(input.home, 'Library', 'Logs', 'llmux', 'llmux.log'),
  };
}
