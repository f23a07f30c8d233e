import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandRunner } from './command-runner.js';
import { renderLaunchdPlist } from './launchd-plist.js';
import { serviceAction, type ServiceDeps } from './service-command.js';
import { serviceSpec } from './service-spec.js';
import { renderSystemdUnit } from './systemd-unit.js';

let home: string;
let calls: { command: string; args: readonly string[]; inherit: boolean }[];
let output: string;

function deps(platform: NodeJS.Platform, answer: (command: string, args: readonly string[]) => { code: number; stdout: string } = () => ({ code: 0, stdout: '' })): ServiceDeps {
  const run: CommandRunner = async (command, args, options = {}) => {
    calls.push({ command, args, inherit: options.inherit ?? false });
    return { ...answer(command, args), stderr: '' };
  };
  return {
    run,
    platform,
    env: { HOME: home, XDG_CONFIG_HOME: path.join(home, 'xdg'), PATH: '/usr/bin:/bin' },
    home,
    uid: 501,
    cwd: path.join(home, 'work dir'),
    nodePath: process.execPath,
    cliPath: '/opt/llmux/dist/cli/main.js',
    out: (text) => (output += text),
    fetchHealth: async (url) => ({ ok: true, detail: `200 from ${url}` }),
  };
}

beforeEach(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'llmux-service-'));
  calls = [];
  output = '';
  await writeFile(path.join(home, 'llmux.config.json'), JSON.stringify({ server: { port: 4321 } }));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const spec = () =>
  serviceSpec({ configFile: 'conf/llmux 100%.json', cwd: '/home/me/my "models"', home: '/home/me', nodePath: '/usr/bin/node', cliPath: '/opt/llmux/main.js', env: { PATH: '/usr/bin', LLMUX_MODELS_DIR: '/data/$models' } });

describe('one service spec, two renderers', () => {
  it('renders a systemd user unit that restarts on failure and logs to the journal, escaping what systemd expands', () => {
    const unit = renderSystemdUnit(spec());
    expect(unit).toContain('ExecStart=/usr/bin/node /opt/llmux/main.js serve --config "/home/me/my \\"models\\"/conf/llmux 100%%.json"\n');
    expect(unit).toContain('WorkingDirectory=/home/me/my "models"\n');
    expect(unit).toContain('Environment=LLMUX_MODELS_DIR=/data/$$models\n');
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^StandardOutput=journal$/m);
    expect(unit).toMatch(/^WantedBy=default.target$/m);
  });

  it('renders a launchd plist with the same command, folder and environment, XML-escaped', () => {
    const plist = renderLaunchdPlist(spec());
    expect(plist).toContain('<string>dev.llmux.server</string>');
    expect(plist).toContain('<string>/home/me/my &quot;models&quot;/conf/llmux 100%.json</string>');
    expect(plist).toContain('<key>LLMUX_MODELS_DIR</key>\n      <string>/data/$models</string>');
    expect(plist).toMatch(/<key>KeepAlive<\/key>\s*<dict>\s*<key>SuccessfulExit<\/key>\s*<false\/>/);
    expect(plist).toContain('<key>StandardErrorPath</key>\n    <string>/home/me/Library/Logs/llmux/llmux.log</string>');
    // Well-formed XML with the same program arguments, as plutil would read it.
    const args = [...plist.matchAll(/<array>([\s\S]*?)<\/array>/g)][0]![1]!.match(/<string>(.*?)<\/string>/g)!.map((s) => s.slice(8, -9).replace(/&quot;/g, '"'));
    expect(args).toEqual(spec().program);
  });

  it('carries the settings that override the config, never keys or tokens', () => {
    const env = { PATH: '/usr/bin', LLMUX_PORT: '4000', HF_ENDPOINT: 'http://127.0.0.1:9', LLMUX_ADMIN_API_KEY: 'secret-admin', LLMUX_API_KEY: 'secret', HF_TOKEN: 'hf_secret' };
    const withEnv = serviceSpec({ configFile: undefined, cwd: '/w', home: '/home/me', nodePath: '/usr/bin/node', cliPath: '/opt/llmux/main.js', env });
    expect(withEnv.environment).toEqual({ NODE_ENV: 'production', PATH: '/usr/bin', LLMUX_PORT: '4000', HF_ENDPOINT: 'http://127.0.0.1:9' });
    expect(withEnv.program).toEqual(['/usr/bin/node', '/opt/llmux/main.js', 'serve']);
    for (const text of [renderSystemdUnit(withEnv), renderLaunchdPlist(withEnv)]) expect(text).not.toMatch(/secret/);
  });

  // systemd-analyze comes with systemd; without it (macOS, containers without systemd) there is nothing to verify with.
  it.runIf(existsSync('/usr/bin/systemd-analyze') || existsSync('/bin/systemd-analyze'))('passes systemd-analyze verify', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'llmux-unit-'));
    try {
      const unitSpec = serviceSpec({ configFile: undefined, cwd: dir, home: dir, nodePath: process.execPath, cliPath: '/opt/llmux/main.js', env: { PATH: '/usr/bin' } });
      const file = path.join(dir, 'llmux.service');
      await writeFile(file, renderSystemdUnit(unitSpec));
      // verify exits non-zero on a bad command line and warns on stderr about unknown keys.
      const result = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('llmux service on Linux (systemd user unit)', () => {
  it('installs under XDG_CONFIG_HOME with the absolute config path and starts it through systemctl --user', async () => {
    const d = deps('linux');
    const code = await serviceAction('install', { config: path.join(home, 'llmux.config.json') }, d);
    expect(code).toBe(0);
    const file = path.join(home, 'xdg', 'systemd', 'user', 'llmux.service');
    const unit = await readFile(file, 'utf8');
    expect(unit).toContain(`ExecStart=${process.execPath} /opt/llmux/dist/cli/main.js serve --config ${path.join(home, 'llmux.config.json')}\n`);
    expect(unit).toContain(`WorkingDirectory=${path.join(home, 'work dir')}`);
    expect(calls.map((c) => [c.command, ...c.args].join(' '))).toEqual([
      'systemctl --user daemon-reload',
      'systemctl --user enable llmux.service',
      'systemctl --user restart llmux.service',
    ]);
    expect(output).toContain(`installed ${file}`);
  });

  it('says which command failed when systemctl refuses', async () => {
    const d = deps('linux', (_c, args) => (args.includes('enable') ? { code: 1, stdout: 'Failed to connect to bus' } : { code: 0, stdout: '' }));
    await expect(serviceAction('install', { config: path.join(home, 'llmux.config.json') }, d)).rejects.toThrow(/systemctl --user enable llmux.service' failed \(exit 1\): Failed to connect to bus/);
  });

  it('reports running and healthy, or not running with exit 1', async () => {
    const up = deps('linux', () => ({ code: 0, stdout: 'active\n' }));
    await serviceAction('install', { config: path.join(home, 'llmux.config.json') }, up);
    output = '';
    calls = [];
    expect(await serviceAction('status', { config: path.join(home, 'llmux.config.json') }, up)).toBe(0);
    expect(calls.map((c) => [c.command, ...c.args].join(' '))).toEqual(['systemctl --user is-active llmux.service']);
    expect(output).toContain('running: yes');
    expect(output).toContain('health: answers at http://127.0.0.1:4321/admin/health');
    output = '';
    const down = deps('linux', () => ({ code: 3, stdout: 'inactive\n' }));
    expect(await serviceAction('status', { config: path.join(home, 'llmux.config.json'), json: true }, down)).toBe(1);
    expect(JSON.parse(output)).toMatchObject({ manager: 'systemd', installed: true, running: false });
  });

  it('reads the journal and uninstalls', async () => {
    const d = deps('linux');
    await serviceAction('install', { config: path.join(home, 'llmux.config.json') }, d);
    calls = [];
    await serviceAction('logs', { lines: '20', follow: true }, d);
    expect(calls).toEqual([{ command: 'journalctl', args: ['--user', '--unit', 'llmux.service', '--lines', '20', '--no-pager', '--follow'], inherit: true }]);
    calls = [];
    await serviceAction('uninstall', {}, d);
    expect(calls.map((c) => [c.command, ...c.args].join(' '))).toEqual(['systemctl --user disable --now llmux.service', 'systemctl --user daemon-reload']);
    expect(existsSync(path.join(home, 'xdg', 'systemd', 'user', 'llmux.service'))).toBe(false);
    await expect(serviceAction('logs', { lines: 'many' }, d)).rejects.toThrow(/--lines/);
  });
});

describe('llmux service on macOS (launchd agent)', () => {
  it('installs into ~/Library/LaunchAgents, replaces a loaded agent, logs to ~/Library/Logs/llmux', async () => {
    const d = deps('darwin', (_c, args) => (args[0] === 'print' ? { code: 0, stdout: '\tstate = running\n' } : { code: 0, stdout: '' }));
    await serviceAction('install', { config: path.join(home, 'llmux.config.json') }, d);
    const file = path.join(home, 'Library', 'LaunchAgents', 'dev.llmux.server.plist');
    expect(await readFile(file, 'utf8')).toContain(`<string>${path.join(home, 'llmux.config.json')}</string>`);
    expect(existsSync(path.join(home, 'Library', 'Logs', 'llmux'))).toBe(true);
    expect(calls.map((c) => [c.command, ...c.args].join(' '))).toEqual([`launchctl bootstrap gui/501 ${file}`]);
    calls = [];
    await serviceAction('install', { config: path.join(home, 'llmux.config.json') }, d);
    expect(calls.map((c) => [c.command, ...c.args].join(' '))).toEqual(['launchctl bootout gui/501/dev.llmux.server', `launchctl bootstrap gui/501 ${file}`]);
    calls = [];
    expect(await serviceAction('status', { config: path.join(home, 'llmux.config.json') }, d)).toBe(0);
    expect(calls[0]).toMatchObject({ command: 'launchctl', args: ['print', 'gui/501/dev.llmux.server'] });
    calls = [];
    await serviceAction('logs', {}, d);
    expect(calls[0]).toEqual({ command: 'tail', args: ['-n', '100', path.join(home, 'Library', 'Logs', 'llmux', 'llmux.log')], inherit: true });
    await serviceAction('uninstall', {}, d);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses other platforms with what to do instead', async () => {
    await expect(serviceAction('install', {}, deps('win32'))).rejects.toThrow(/Linux \(systemd\) and macOS \(launchd\).*llmux serve/);
  });
});
