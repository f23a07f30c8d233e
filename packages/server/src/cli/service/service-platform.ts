import path from 'node:path';
import { renderLaunchdPlist } from './launchd-plist.js';
import type { ServiceSpec } from './service-spec.js';
import { SERVICE_LABEL, SERVICE_NAME } from './service-spec.js';
import { renderSystemdUnit } from './systemd-unit.js';

/** How one service manager installs, controls and reads a user service. */
export interface ServicePlatform {
  kind: 'systemd' | 'launchd';
  /** Where the unit or plist is written: always under the user's own folders. */
  file: string;
  render(spec: ServiceSpec): string;
  /** Run in order after writing the file; each must succeed. */
  install: string[][];
  /** Run in order before removing the file; failures are tolerated (it may not be running). */
  uninstall: string[][];
  /** Run after removing the file. */
  afterUninstall: string[][];
  /** Exits 0 when the service manager knows the service; `running` reads its output. */
  status: string[];
  running(stdout: string, code: number): boolean;
  logs(lines: number, follow: boolean, spec: ServiceSpec): string[];
}

export interface PlatformInput {
  platform: NodeJS.Platform;
  home: string;
  env: NodeJS.ProcessEnv;
  uid: number;
}

/** The service manager for this platform: systemd (user units) on Linux, launchd (agents) on macOS. */
export function servicePlatform({ platform, home, env, uid }: PlatformInput): ServicePlatform {
  if (platform === 'linux') {
    const unit = `${SERVICE_NAME}.service`;
    const configHome = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
    return {
      kind: 'systemd',
      file: path.join(configHome, 'systemd', 'user', unit),
      render: renderSystemdUnit,
      install: [
        ['systemctl', '--user', 'daemon-reload'],
        ['systemctl', '--user', 'enable', unit],
        // restart, not start: a second install picks up the new unit.
        ['systemctl', '--user', 'restart', unit],
      ],
      uninstall: [['systemctl', '--user', 'disable', '--now', unit]],
      afterUninstall: [['systemctl', '--user', 'daemon-reload']],
      status: ['systemctl', '--user', 'is-active', unit],
      running: (stdout) => stdout.trim() === 'active',
      logs: (lines, follow) => ['journalctl', '--user', '--unit', unit, '--lines', String(lines), '--no-pager', ...(follow ? ['--follow'] : [])],
    };
  }
  if (platform === 'darwin') {
    const domain = `gui/${uid}`;
    const file = path.join(home, 'Library', 'LaunchAgents', `${SERVICE_LABEL}.plist`);
    return {
      kind: 'launchd',
      file,
      render: renderLaunchdPlist,
      // UserService boots out an installed agent first: bootstrap refuses a label that is loaded.
      install: [['launchctl', 'bootstrap', domain, file]],
      uninstall: [['launchctl', 'bootout', `${domain}/${SERVICE_LABEL}`]],
      afterUninstall: [],
      status: ['launchctl', 'print', `${domain}/${SERVICE_LABEL}`],
      running: (stdout, code) => code === 0 && /^\s*state = running\s*$/m.test(stdout),
      logs: (lines, follow, spec) => ['tail', '-n', String(lines), ...(follow ? ['-F'] : []), spec.logFile],
    };
  }
  throw new Error(`llmux service supports Linux (systemd) and macOS (launchd), not ${platform}. Run 'llmux serve' under your own service manager.`);
}
