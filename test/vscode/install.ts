/**
 * Installs what the VS Code tests need, when it is missing (idempotent; see DEVELOPERS.md):
 *  - Debian packages (only when running as root): chromium, git, ripgrep, and the headers
 *    code-server's native modules build against;
 *  - code-server 4.100.3 (= VS Code 1.100.3, the last release for Node 20) into
 *    .cache/code-server inside the repository (git-ignored).
 *
 * code-server's postinstall installs VS Code's own dependencies; one of them, @vscode/ripgrep,
 * downloads rg from GitHub, which is not reachable here. Its downloader first looks for
 * <tmpdir>/vscode-ripgrep-cache-<version>/ripgrep-<tag>-<target>.tar.gz and untars it into its
 * bin/ folder expecting a top-level `rg`: we put Debian's rg there first.
 *
 * Run directly: `npx tsx test/vscode/install.ts`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CODE_SERVER_DIR = path.join(REPO_ROOT, '.cache', 'code-server');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const APT_PACKAGES = ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'ripgrep', 'chromium', 'git', 'unzip', 'python3', 'make', 'g++'];
// @vscode/ripgrep as pinned by code-server 4.100.3 (lib/vscode/npm-shrinkwrap.json) and the tag its postinstall asks for.
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

function log(msg: string): void {
  console.log(`[vscode-setup] ${msg}`);
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function missingAptPackages(): string[] {
  return APT_PACKAGES.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

export function ensureSystemPackages(): void {
  if (!fs.existsSync('/usr/bin/dpkg-query')) {
    log('not a Debian system: make sure chromium, git and ripgrep are installed');
    return;
  }
  const missing = missingAptPackages();
  if (missing.length === 0) return;
  if (!isRoot()) {
    log(`missing Debian packages (run as root to install them): ${missing.join(' ')}`);
    return;
  }
  log(`apt-get install ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
}

/** Path of code-server's entry script (run it with `node`). */
export function codeServerEntry(): string {
  return path.join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function marker(): string {
  return path.join(CODE_SERVER_DIR, `.installed-${CODE_SERVER_VERSION}`);
}

export function codeServerInstalled(): boolean {
  const rg = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
  return fs.existsSync(marker()) && fs.existsSync(codeServerEntry()) && fs.existsSync(rg);
}

/** Places Debian's rg where @vscode/ripgrep's postinstall looks for a cached download. */
function seedRipgrepCache(): void {
  const cacheDir = path.join(os.tmpdir(), `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  const tarball = path.join(cacheDir, RIPGREP_ASSET);
  if (fs.existsSync(tarball)) return;
  const rg = ['/usr/bin/rg', '/usr/local/bin/rg'].find((p) => fs.existsSync(p));
  if (!rg) throw new Error('ripgrep (rg) is not installed: `apt-get install ripgrep` (as root), then retry.');
  fs.mkdirSync(cacheDir, { recursive: true });
  execFileSync('tar', ['czf', tarball, '-C', path.dirname(rg), path.basename(rg)]);
  log(`seeded ${tarball} with ${rg}`);
}

export function ensureCodeServer(): string {
  if (codeServerInstalled()) return codeServerEntry();
  if (process.versions.node.split('.')[0] !== '20') {
    throw new Error(`code-server ${CODE_SERVER_VERSION} requires Node 20 (this is ${process.version}).`);
  }
  seedRipgrepCache();
  fs.mkdirSync(CODE_SERVER_DIR, { recursive: true });
  fs.writeFileSync(path.join(CODE_SERVER_DIR, 'package.json'), JSON.stringify({ private: true, allowScripts: { 'code-server': true } }, null, 2) + '\n');
  const logFile = path.join(CODE_SERVER_DIR, 'install.log');
  log(`installing code-server ${CODE_SERVER_VERSION} into ${path.relative(REPO_ROOT, CODE_SERVER_DIR)} (about a minute; log: ${logFile})`);
  const out = fs.openSync(logFile, 'w');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--foreground-scripts', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: CODE_SERVER_DIR,
    stdio: ['ignore', out, out],
    env: { ...process.env, npm_config_yes: 'true', npm_config_unsafe_perm: 'true', npm_config_ignore_scripts: 'false' },
  });
  fs.closeSync(out);
  if (r.status !== 0 || !fs.existsSync(codeServerEntry())) {
    const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
    throw new Error(`installing code-server failed (exit ${r.status}); last lines of ${logFile}:\n${tail}`);
  }
  fs.writeFileSync(marker(), new Date().toISOString() + '\n');
  if (!codeServerInstalled()) throw new Error(`code-server installed but its postinstall did not complete (see ${logFile}).`);
  log('code-server installed');
  return codeServerEntry();
}

/** Everything the integration and e2e runs need; returns the code-server entry script. */
export function ensureVsCodeTestTools(): string {
  ensureSystemPackages();
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH).`);
  return ensureCodeServer();
}

if (require.main === module) {
  try {
    console.log(ensureVsCodeTestTools());
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
