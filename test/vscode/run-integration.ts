/**
 * Integration tests in a real VS Code: code-server 4.100.3 + Debian Chromium.
 * The workbench is opened with a launch payload (extensionDevelopmentPath + extensionTestsPath), so
 * the extension host loads this repository and runs the mocha suite of test/integration; the
 * workbench reports the exit code through `codeAutomationExit`, logs through `codeAutomationLog`.
 * Prints `integration: N passed, N failed`; exit code 0 only when the suite passed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { launchBrowser } from './browser';
import { buildExtension } from './build';
import { startCodeServer } from './codeServer';
import { ensureVsCodeTestTools, REPO_ROOT } from './install';
import { installCleanup, killAll, withTimeout } from './processes';
import { makeWorkspace } from './workspace';

const TIMEOUT_MS = Number(process.env.CC_INTEGRATION_TIMEOUT_MS ?? 240_000);

async function main(): Promise<number> {
  installCleanup();
  const entry = ensureVsCodeTestTools();
  buildExtension();
  const testsBundle = path.join(REPO_ROOT, 'dist', 'test', 'integration.js');
  const workspace = makeWorkspace();
  const resultsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cc-it-')), 'results.json');
  const server = await startCodeServer(entry, { env: { COMMIT_CORPUS_TEST_RESULTS: resultsFile } });
  const launched = await launchBrowser();
  try {
    const page = await launched.browser.newPage();
    let exitCode: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (exitCode = resolve));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      // The extension host's console arrives printf-style ('%s' and its arguments).
      console.log(`[vscode:${type}] ${format(...args)}`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => exitCode(code));
    const url = server.workbenchUrl(workspace.dir, [['extensionTestsPath', server.remoteUri(testsBundle)]]);
    console.log(`opening ${url}`);
    await page.goto(url);
    const code = await withTimeout(exited, TIMEOUT_MS, 'the integration suite to finish in the extension host');

    let passed = 0;
    let failed = code === 0 ? 0 : 1;
    if (fs.existsSync(resultsFile)) {
      const summary = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { passed: number; failed: number; failures: string[] };
      passed = summary.passed;
      failed = summary.failed + (code !== 0 && summary.failed === 0 ? 1 : 0);
      for (const f of summary.failures) console.log(`FAILED: ${f}`);
    } else {
      console.log('the suite wrote no results (did the extension host start?)');
      console.log(server.output());
    }
    console.log(`integration: ${passed} passed, ${failed} failed`);
    return code === 0 && failed === 0 ? 0 : 1;
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    console.error('--- code-server output ---\n' + server.output());
    console.log('integration: 0 passed, 1 failed');
    return 1;
  } finally {
    await launched.close();
    await server.stop();
    workspace.dispose();
    fs.rmSync(path.dirname(resultsFile), { recursive: true, force: true });
    killAll();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    console.log('integration: 0 passed, 1 failed');
    killAll();
    process.exit(1);
  },
);
