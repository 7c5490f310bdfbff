/**
 * Entry point VS Code's extension host calls for the integration tests (`extensionTestsPath`):
 * bundled by esbuild.mjs into dist/test/integration.js; used by both runners (code-server:
 * test/vscode/run-integration.ts, and @vscode/test-electron: test/vscode/run-electron.ts).
 * Writes a JSON summary to $COMMIT_CORPUS_TEST_RESULTS when set.
 */
import * as fs from 'node:fs';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 60_000 });
  // Define describe/it for the suites below, then load them (esbuild keeps these requires lazy).
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  require('./extension.test');
  require('./webviews.test');

  const summary = await new Promise<{ passed: number; failed: number; failures: string[] }>((resolve) => {
    const failures: string[] = [];
    let passed = 0;
    const runner = mocha.run(() => resolve({ passed, failed: failures.length, failures }));
    runner.on('pass', () => (passed += 1));
    runner.on('fail', (test, err: Error) => failures.push(`${test.fullTitle()}: ${err.message}`));
  });
  console.log(`integration: ${summary.passed} passed, ${summary.failed} failed`);
  const out = process.env.COMMIT_CORPUS_TEST_RESULTS;
  if (out) fs.writeFileSync(out, JSON.stringify(summary, null, 2));
  if (summary.failed > 0) throw new Error(`${summary.failed} integration test(s) failed:\n${summary.failures.join('\n')}`);
}
