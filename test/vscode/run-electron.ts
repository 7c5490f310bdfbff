/**
 * The same integration suite (test/integration) in VS Code desktop, through @vscode/test-electron
 * 2.x (Node 20). It downloads VS Code, so it needs a machine that can reach the VS Code CDN; on the
 * project's machines (npm registry only) use `npm run test:integration` (code-server) instead.
 */
import { runTests } from '@vscode/test-electron';
import * as path from 'node:path';
import { buildExtension } from './build';
import { REPO_ROOT } from './install';
import { makeWorkspace } from './workspace';

async function main(): Promise<void> {
  buildExtension();
  const workspace = makeWorkspace();
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? '1.100.3',
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(REPO_ROOT, 'dist', 'test', 'integration.js'),
      launchArgs: [workspace.dir, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
  } finally {
    workspace.dispose();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
