import { homedir, userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { resolveServeConfig } from '../serve-command.js';
import { runCommand, type CommandRunner } from './command-runner.js';
import { servicePlatform } from './service-platform.js';
import { serviceSpec } from './service-spec.js';
import { UserService, type ServiceStatus } from './user-service.js';

export type ServiceAction = 'install' | 'uninstall' | 'status' | 'logs';

export interface ServiceOptions {
  config?: string;
  /** install: print the unit or plist instead of installing it. */
  print?: boolean;
  json?: boolean;
  lines?: string;
  follow?: boolean;
}

/** What the command touches, injectable so tests run it against a temp HOME and record the commands. */
export interface ServiceDeps {
  run: CommandRunner;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  home: string;
  uid: number;
  cwd: string;
  nodePath: string;
  cliPath: string;
  out: (text: string) => void;
  fetchHealth: (url: string) => Promise<{ ok: boolean; detail: string }>;
}

async function fetchHealth(url: string): Promise<{ ok: boolean; detail: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return { ok: res.ok, detail: `${res.status} ${(await res.text()).slice(0, 200)}` };
  } catch (error) {
    return { ok: false, detail: (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message };
  }
}

export function defaultServiceDeps(): ServiceDeps {
  const env = process.env;
  return {
    run: runCommand,
    platform: process.platform,
    env,
    home: env.HOME ?? homedir(),
    uid: userInfo().uid,
    cwd: process.cwd(),
    nodePath: process.execPath,
    cliPath: fileURLToPath(new URL('../main.cjs', import.meta.url)),
    out: (text) => process.stdout.write(text),
    fetchHealth,
  };
}

function describeStatus(status: ServiceStatus): string {
  const lines = [
    `${status.manager} user service: ${status.installed ? `installed (${status.file})` : 'not installed'}`,
    `running: ${status.running ? 'yes' : 'no'}`,
  ];
  if (status.health) lines.push(`health: ${status.health.ok ? 'answers' : 'does not answer'} at ${status.health.url} (${status.health.detail})`);
  return `${lines.join('\n')}\n`;
}

/**
 * `llmux service install|uninstall|status|logs`. Returns the exit code: status answers 1 when the
 * service is not running or not healthy, logs passes on the log reader's.
 */
export async function serviceAction(action: ServiceAction, options: ServiceOptions, deps: ServiceDeps = defaultServiceDeps()): Promise<number> {
  const { config, source } = await resolveServeConfig(options.config ? { config: options.config } : {}, deps.env);
  const spec = serviceSpec({
    configFile: source === 'defaults' ? undefined : source,
    cwd: deps.cwd,
    home: deps.home,
    nodePath: deps.nodePath,
    cliPath: deps.cliPath,
    env: deps.env,
  });
  const platform = servicePlatform({ platform: deps.platform, home: deps.home, env: deps.env, uid: deps.uid });
  const service = new UserService(platform, deps.run);
  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
  const healthUrl = `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}/admin/health`;

  if (action === 'install') {
    if (options.print) {
      deps.out(platform.render(spec));
      return 0;
    }
    await service.install(spec);
    deps.out(`installed ${platform.file}\n  runs: ${spec.program.join(' ')}\n  in:   ${spec.workingDirectory}\n`);
    if (source === 'defaults') deps.out('  no config file found: the server searches its working directory and serves the bundled models\n');
    deps.out(`  logs: llmux service logs   status: llmux service status   dashboard: ${healthUrl.replace('/admin/health', '/')}\n`);
    return 0;
  }
  if (action === 'uninstall') {
    const removed = await service.uninstall();
    deps.out(removed ? `removed ${platform.file}\n` : `not installed (${platform.file} does not exist)\n`);
    return 0;
  }
  if (action === 'status') {
    const status = await service.status(healthUrl, deps.fetchHealth);
    deps.out(options.json ? `${JSON.stringify(status, null, 2)}\n` : describeStatus(status));
    return status.running && status.health?.ok ? 0 : 1;
  }
  const lines = options.lines === undefined ? 100 : Number(options.lines);
  if (!Number.isInteger(lines) || lines < 0) throw new Error(`--lines takes a whole number, not '${options.lines}'`);
  return service.logs(spec, lines, options.follow ?? false);
}
