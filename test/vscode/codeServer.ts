/**
 * Starts code-server on a free loopback port with a throwaway user-data and extensions dir, and
 * builds workbench URLs that load this repository as an extension under development.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildProcess } from 'node:child_process';
import { spawnGroup, stopGroup, withTimeout } from './processes';
import { REPO_ROOT } from './install';

export interface CodeServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** 127.0.0.1:<port>, the remote authority VS Code uses in vscode-remote:// URIs. */
  authority: string;
  pid: number;
  /** Workbench URL for `folder`, with extra launch payload entries. */
  workbenchUrl(folder: string, payload?: Array<[string, string]>): string;
  /** vscode-remote:// URI of a path on this machine. */
  remoteUri(p: string): string;
  /** Everything code-server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Extra environment for code-server (inherited by its extension host). */
  env?: Record<string, string>;
  /** User settings written to settings.json. */
  settings?: Record<string, unknown>;
  timeoutMs?: number;
}

const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.autofetch': false,
  'git.openRepositoryInParentFolders': 'never',
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(origin: string, child: ChildProcess, output: () => string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode}:\n${output()}`);
    try {
      const r = await fetch(`${origin}/healthz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startCodeServer(entry: string, opts: StartOptions = {}): Promise<CodeServer> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-code-server-'));
  const userData = path.join(tmp, 'user-data');
  const extensions = path.join(tmp, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(extensions, { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...opts.settings }, null, 2));
  const config = path.join(tmp, 'config.yaml');
  fs.writeFileSync(config, 'auth: none\n');

  const port = await freePort();
  const authority = `127.0.0.1:${port}`;
  const origin = `http://${authority}`;
  const args = [
    entry,
    '--bind-addr',
    authority,
    '--auth',
    'none',
    '--config',
    config,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    userData,
    '--extensions-dir',
    extensions,
  ];
  const child = spawnGroup(process.execPath, args, {
    cwd: REPO_ROOT,
    // No marketplace: point the gallery at a closed loopback port so nothing leaves the machine.
    env: { ...process.env, EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/item' }), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const output = () => out;

  const stop = async () => {
    await stopGroup(child);
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    await withTimeout(waitHealthy(origin, child, output), opts.timeoutMs ?? 60_000, `code-server to listen on ${origin}\n${out}`);
  } catch (err) {
    await stop();
    throw err;
  }

  const remoteUri = (p: string) => `vscode-remote://${authority}${path.resolve(p)}`;
  return {
    origin,
    authority,
    pid: child.pid ?? 0,
    remoteUri,
    output,
    stop,
    workbenchUrl(folder, payload = []) {
      const all: Array<[string, string]> = [['extensionDevelopmentPath', remoteUri(REPO_ROOT)], ...payload, ['skipWelcome', 'true']];
      return `${origin}/?folder=${encodeURIComponent(path.resolve(folder))}&payload=${encodeURIComponent(JSON.stringify(all))}`;
    },
  };
}
