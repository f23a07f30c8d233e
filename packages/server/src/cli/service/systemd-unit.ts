import type { ServiceSpec } from './service-spec.js';

/** One word of a systemd command line: quoted, with `\`, `"`, `%` and `$` escaped (systemd.service(5), "Command lines"). */
function systemdWord(word: string): string {
  const escaped = word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /[\s"'\\;]/.test(word) || word === '' ? `"${escaped}"` : escaped;
}

/** A value in `Environment=`/`WorkingDirectory=`: `%` is a specifier there too. */
const systemdValue = (value: string) => value.replace(/%/g, '%%');

/** The systemd user unit for a spec: restarts on failure, logs to the journal. */
export function renderSystemdUnit(spec: ServiceSpec): string {
  const environment = Object.entries(spec.environment).map(([key, value]) => `Environment=${systemdWord(`${key}=${value}`)}`);
  return [
    '[Unit]',
    `Description=${spec.description}`,
    'After=network.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${spec.program.map(systemdWord).join(' ')}`,
    `WorkingDirectory=${systemdValue(spec.workingDirectory)}`,
    ...environment,
    'Restart=on-failure',
    `RestartSec=${spec.restartSeconds}`,
    // SIGTERM starts a graceful stop: in-flight requests finish, models unload.
    'KillSignal=SIGTERM',
    'TimeoutStopSec=60',
    'StandardOutput=journal',
    'StandardError=journal',
    `SyslogIdentifier=${spec.name}`,
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}
