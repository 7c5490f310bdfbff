/** Builds dist/ (development build, which includes the integration-test bundle). */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './install';

export function buildExtension(): void {
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'esbuild.mjs')], { cwd: REPO_ROOT, stdio: 'inherit' });
}
