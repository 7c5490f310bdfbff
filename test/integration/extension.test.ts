/** Runs inside the VS Code extension host, on the fixture workspace made by test/vscode/workspace.ts. */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { CommitCorpusApi } from '../../src/extension/extension';
import type { BuildResult } from '../../src/extension/buildCommand';

const EXTENSION_ID = 'commit-corpus.commit-corpus';

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test window has a workspace folder');
  return folder.uri.fsPath;
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: workspaceDir(), encoding: 'utf8' }).trim();
}

describe('Commit Corpus extension', () => {
  let api: CommitCorpusApi;

  before(async () => {
    const ext = vscode.extensions.getExtension<CommitCorpusApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is loaded`);
    api = await ext.activate();
  });

  it('contributes the "Build training dataset" command', async () => {
    const all = await vscode.commands.getCommands(true);
    assert.ok(all.includes('commitCorpus.buildDataset'));
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { commands: Array<{ command: string; title: string; category: string }> };
    };
    const cmd = pkg.contributes.commands.find((c) => c.command === 'commitCorpus.buildDataset');
    assert.equal(cmd?.title, 'Build training dataset');
    assert.equal(cmd?.category, 'Commit Corpus');
  });

  it('exposes its settings with defaults', () => {
    const cfg = vscode.workspace.getConfiguration('commitCorpus');
    assert.equal(cfg.get('workers'), 2);
    assert.equal(cfg.get('mode'), 'commit');
    assert.equal(cfg.get('hover.enabled'), true);
    assert.deepEqual(cfg.get('exclude'), []);
  });

  it('runs "Build training dataset" on the workspace and reports the commit count', async () => {
    const expected = Number(git('rev-list', '--count', 'HEAD'));
    assert.ok(expected >= 3, 'fixture has commits');
    const result = (await vscode.commands.executeCommand('commitCorpus.buildDataset')) as BuildResult | undefined;
    assert.ok(result, 'the command returns a result');
    assert.equal(result.commits, expected);
    assert.equal(result.head, git('rev-parse', 'HEAD'));
    assert.equal(result.repository, workspaceDir());
    assert.deepEqual(api.lastResult(), result);
  });

  it('lists the commits, newest first, in the Commits view', async () => {
    const items = await api.commitItems();
    const subjects = git('log', '--format=%s').split('\n');
    assert.deepEqual(items.map((i) => i.label), subjects);
    assert.equal(items[0].description, git('rev-parse', '--short=8', 'HEAD'));
  });

  it('counts a new commit on the next run', async () => {
    const before = api.lastResult()?.commits ?? 0;
    execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'Empty commit from the test'], {
      cwd: workspaceDir(),
    });
    const result = (await vscode.commands.executeCommand('commitCorpus.buildDataset')) as BuildResult;
    assert.equal(result.commits, before + 1);
  });
});
