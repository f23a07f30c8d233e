import type { ServiceSpec } from './service-spec.js';

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const string = (text: string) => `<string>${xml(text)}</string>`;

/** The launchd agent for a spec: starts at login, restarts when it exits with an error, logs to a file. */
export function renderLaunchdPlist(spec: ServiceSpec): string {
  const environment = Object.entries(spec.environment).flatMap(([key, value]) => [`      <key>${xml(key)}</key>`, `      ${string(value)}`]);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '  <dict>',
    '    <key>Label</key>',
    `    ${string(spec.label)}`,
    '    <key>ProgramArguments</key>',
    '    <array>',
    ...spec.program.map((word) => `      ${string(word)}`),
    '    </array>',
    '    <key>WorkingDirectory</key>',
    `    ${string(spec.workingDirectory)}`,
    '    <key>EnvironmentVariables</key>',
    '    <dict>',
    ...environment,
    '    </dict>',
    '    <key>RunAtLoad</key>',
    '    <true/>',
    // Restart only after a failure: a clean exit (llmux stopped on purpose) stays stopped.
    '    <key>KeepAlive</key>',
    '    <dict>',
    '      <key>SuccessfulExit</key>',
    '      <false/>',
    '    </dict>',
    '    <key>ThrottleInterval</key>',
    `    <integer>${spec.restartSeconds}</integer>`,
    '    <key>StandardOutPath</key>',
    `    ${string(spec.logFile)}`,
    '    <key>StandardErrorPath</key>',
    `    ${string(spec.logFile)}`,
    '  </dict>',
    '</plist>',
    '',
  ].join('\n');
}
