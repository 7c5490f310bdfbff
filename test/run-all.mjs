// `npm test`: typecheck, lint and the formatter's check, then unit, the build/.vsix checks, then integration (extension host in code-server), then e2e (VS Code UI in
// Chromium). Runs every step even when one fails, prints each one's counts and a final
// `N passed, N failed` line, and exits non-zero on any failure.
import { spawn } from 'node:child_process';

const steps = [
  // the checks first: a type error or a broken rule (an import across a boundary) fails the run like a failing test
  { name: 'typecheck', cmd: ['npm', 'run', '-s', 'typecheck'] },
  { name: 'lint', cmd: ['npm', 'run', '-s', 'lint'] },
  { name: 'format', cmd: ['npm', 'run', '-s', 'format:check'] },
  { name: 'unit', cmd: ['node', 'test/run-unit.mjs'] },
  { name: 'package', cmd: ['node', '--import', 'tsx', '--test', '--test-reporter=spec', 'test/package/build.test.ts', 'test/package/vsix.test.ts'] },
  { name: 'integration', cmd: ['npx', 'tsx', 'test/vscode/run-integration.ts'] },
  { name: 'e2e', cmd: ['npx', 'tsx', 'test/vscode/run-e2e.ts'] },
];

/** Runs a step with its output streamed through, and returns its exit code and output. */
function run(cmd) {
  return new Promise((resolve) => {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
  });
}

/**
 * Counts from node's test runner (`ℹ pass N` / `ℹ fail N` / `ℹ cancelled N`, a cancelled test
 * counting as failed) or from an `N passed, N failed` line.
 */
function counts(out) {
  const plain = [...out.matchAll(/(\d+) passed, (\d+) failed/g)].pop();
  if (plain) return { passed: Number(plain[1]), failed: Number(plain[2]) };
  const pass = [...out.matchAll(/^\S* ?pass (\d+)$/gm)].pop();
  const fail = [...out.matchAll(/^\S* ?fail (\d+)$/gm)].pop();
  const cancelled = [...out.matchAll(/^\S* ?cancelled (\d+)$/gm)].pop();
  return {
    passed: pass ? Number(pass[1]) : 0,
    failed: (fail ? Number(fail[1]) : 0) + (cancelled ? Number(cancelled[1]) : 0),
  };
}

let passed = 0;
let failed = 0;
const lines = [];
for (const step of steps) {
  console.log(`\n━━━ ${step.name} ━━━`);
  const started = Date.now();
  const r = await run(step.cmd);
  const c = counts(r.out);
  // A step that exits non-zero without reporting a failed test still counts as one failure.
  if (r.code !== 0 && c.failed === 0) c.failed = 1;
  passed += c.passed;
  failed += c.failed;
  lines.push(`${step.name}: ${c.passed} passed, ${c.failed} failed (exit ${r.code}, ${Math.round((Date.now() - started) / 1000)} s)`);
}
console.log('\n━━━ summary ━━━');
for (const l of lines) console.log(`  ${l}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
