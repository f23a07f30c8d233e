import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommandRunner } from './command-runner.js';
import type { ServicePlatform } from './service-platform.js';
import type { ServiceSpec } from './service-spec.js';

export interface ServiceStatus {
  manager: ServicePlatform['kind'];
  file: string;
  installed: boolean;
  running: boolean;
  /** What the health endpoint answered; undefined when it was not asked (not running). */
  health?: { url: string; ok: boolean; detail: string };
}

/** Installs, removes and reads the llmux user service through a platform's service manager. */
export class UserService {
  constructor(
    private readonly platform: ServicePlatform,
    private readonly run: CommandRunner,
  ) {}

  get file(): string {
    return this.platform.file;
  }

  /** Writes the unit or plist and starts the service; a second install replaces the first. */
  async install(spec: ServiceSpec): Promise<void> {
    await mkdir(path.dirname(this.platform.file), { recursive: true });
    if (this.platform.kind === 'launchd') {
      await mkdir(path.dirname(spec.logFile), { recursive: true });
      if (existsSync(this.platform.file)) for (const command of this.platform.uninstall) await this.exec(command, false);
    }
    await writeFile(this.platform.file, this.platform.render(spec), { mode: 0o644 });
    for (const command of this.platform.install) await this.exec(command, true);
  }

  /** Stops the service and removes its file. Answers false when it was not installed. */
  async uninstall(): Promise<boolean> {
    const installed = existsSync(this.platform.file);
    for (const command of this.platform.uninstall) await this.exec(command, false);
    await rm(this.platform.file, { force: true });
    for (const command of this.platform.afterUninstall) await this.exec(command, false);
    return installed;
  }

  /** Whether it is installed and running, and (when running) whether the server answers its health check. */
  async status(healthUrl: string, fetchHealth: (url: string) => Promise<{ ok: boolean; detail: string }>): Promise<ServiceStatus> {
    const installed = existsSync(this.platform.file);
    const [command, ...args] = this.platform.status;
    const result = await this.run(command!, args);
    const running = this.platform.running(result.stdout, result.code);
    const status: ServiceStatus = { manager: this.platform.kind, file: this.platform.file, installed, running };
    if (running) status.health = { url: healthUrl, ...(await fetchHealth(healthUrl)) };
    return status;
  }

  /** Prints the service's log to this terminal; `follow` keeps printing. */
  async logs(spec: ServiceSpec, lines: number, follow: boolean): Promise<number> {
    const [command, ...args] = this.platform.logs(lines, follow, spec);
    return (await this.run(command!, args, { inherit: true })).code;
  }

  private async exec(command: string[], required: boolean): Promise<void> {
    const [program, ...args] = command;
    const result = await this.run(program!, args);
    if (required && result.code !== 0) {
      throw new Error(`'${command.join(' ')}' failed (exit ${result.code}): ${(result.stderr || result.stdout).trim() || 'no output'}`);
    }
  }
}
