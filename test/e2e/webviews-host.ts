/**
 * Extension-host side of test/e2e/webviews.test.ts (bundled by that test with esbuild and loaded as
 * `extensionTestsPath`). It builds a dataset of a fixture repository with the CLI, then follows the
 * steps the browser side writes into $CC_E2E_CONTROL (step-N.json → done-N.json): show a panel,
 * switch the colour theme. It never finishes on its own; the browser side closes the window.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FixtureRepo } from '../fixtures/repo';
import { loadTokenizer, serializeExample } from '../../src/core/tokenize';
import type { ChunkRecord, CommitInfo } from '../../src/core/types';
import { openExampleDocument, showChunkContext, showOverview, showTokenBoundaries } from '../../src/extension/webviews';
import { overviewFromOutput } from '../../src/worker/overview';
import { tokenViewFromIds } from '../../src/worker/payloads';

export const HOSTILE = '<img src=x onerror=alert(1)>';

interface Step {
  show?: 'overview' | 'tokens' | 'context' | 'example';
  theme?: string;
}

export async function run(): Promise<void> {
  const control = process.env.CC_E2E_CONTROL;
  if (!control) throw new Error('CC_E2E_CONTROL is not set');
  const ext = vscode.extensions.getExtension('commit-corpus.commit-corpus');
  if (!ext) throw new Error('extension not loaded');
  await ext.activate();

  const repo = FixtureRepo.create('cc-e2e-webviews-');
  repo.write('src/lib.rs', 'pub fn greet() -> String {\n    "hello".to_string()\n}\n');
  repo.commit('Add a greeting library');
  repo.write('src/counter.rs', 'pub struct Counter {\n    n: u64,\n}\n\nimpl Counter {\n    pub fn bump(&mut self) {\n        self.n += 1;\n    }\n}\n');
  repo.commit('Add a counter');
  repo.write('src/lib.rs', 'pub mod counter;\nuse crate::counter::Counter;\n\npub fn greet(c: &mut Counter) -> String {\n    c.bump();\n    "héllo → wörld".to_string()\n}\n');
  const head = repo.commit(HOSTILE);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-e2e-webviews-out-'));
  execFileSync(process.execPath, [path.join(ext.extensionPath, 'dist', 'cli.js'), 'build', repo.dir, '--out', out], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: 'ignore' });
  const chunks = fs
    .readFileSync(path.join(out, 'chunks.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ChunkRecord);
  const mine = chunks.filter((c) => c.commit === head);
  const tok = loadTokenizer();
  tok.withMarkers();
  const commit: CommitInfo = {
    hash: head,
    parents: [],
    author: { name: 'Fixture Author', email: 'a@example.com', timestamp: 0, timezoneOffset: 0 },
    committer: { name: 'Fixture Author', email: 'a@example.com', timestamp: 0, timezoneOffset: 0 },
    subject: HOSTILE,
    body: '',
    isMerge: false,
  };
  const ex = serializeExample(tok, { commit, chunks: mine }, 'seed');
  const greet = mine.find((c) => c.qualifiedName === 'greet')!;

  const doStep = async (s: Step) => {
    if (s.theme) await vscode.workspace.getConfiguration('workbench').update('colorTheme', s.theme, vscode.ConfigurationTarget.Global);
    if (s.show) await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (s.show === 'overview') await showOverview(await overviewFromOutput(out)).ready;
    if (s.show === 'tokens') await showTokenBoundaries(tokenViewFromIds(tok, [...ex.contextIds, ...ex.targetIds], { title: `example ${head.slice(0, 8)}`, sections: ex.sections })).ready;
    if (s.show === 'context')
      await showChunkContext({
        chunk: greet,
        commit: { hash: head, subject: HOSTILE, author: 'Fixture Author', date: '2024-05-01T10:00:00Z' },
        contextTokens: greet.context.map((c) => c.tokens ?? 0),
        oldTokens: 15,
        newTokens: 27,
        repoDir: repo.dir,
      }).ready;
    if (s.show === 'example') await openExampleDocument(ex.text);
  };

  writeWhole(path.join(control, 'host-ready'), head);
  for (let n = 1; ; n++) {
    const file = path.join(control, `step-${n}.json`);
    while (!fs.existsSync(file)) await new Promise((r) => setTimeout(r, 100));
    const step = JSON.parse(fs.readFileSync(file, 'utf8')) as Step & { end?: boolean };
    if (step.end) break;
    try {
      await doStep(step);
      writeWhole(path.join(control, `done-${n}.json`), JSON.stringify({ ok: true }));
    } catch (err) {
      writeWhole(path.join(control, `done-${n}.json`), JSON.stringify({ ok: false, error: String(err) }));
    }
  }
  repo.dispose();
  fs.rmSync(out, { recursive: true, force: true });
}

/** Writes a control file whole, then renames it into place: the other side polls for the name. */
function writeWhole(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}
