/**
 * E2E tests in a real VS Code UI: installs what is missing, builds dist/, then runs
 * test/e2e/*.test.ts with node's test runner (each file starts its own code-server + Chromium and
 * kills them when done). Screenshots land in test-output/e2e/.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildExtension } from './build';
import { ensureVsCodeTestTools, REPO_ROOT } from './install';

ensureVsCodeTestTools();
buildExtension();
const dir = path.join(REPO_ROOT, 'test', 'e2e');
const filter = process.argv.slice(2);
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts') && (filter.length === 0 || filter.some((x) => f.includes(x))))
  .sort()
  .map((f) => path.join(dir, f));
if (files.length === 0) {
  console.error('no e2e test files found');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=600000', '--test-reporter=spec', ...files], {
  cwd: REPO_ROOT,
  stdio: 'inherit',
  timeout: 15 * 60_000,
  killSignal: 'SIGKILL',
});
process.exit(r.status ?? 1);
