/**
 * E2E: drives the VS Code UI (code-server in Chromium) like a person would: command palette →
 * "Build training dataset" → completion notification; the Commits view expanded commit → file →
 * chunk; a hover over a Rust function (tokens + cross-file context); the token-boundaries and
 * context webviews (content found inside their frames); a slow build cancelled from the
 * notification, leaving no dataset folder. Screenshots of each step go to test-output/e2e/.
 * Run through `npm run test:e2e` (which installs code-server and builds dist/).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser, LaunchedBrowser } from '../vscode/browser';
import { CodeServer, startCodeServer } from '../vscode/codeServer';
import { codeServerEntry, REPO_ROOT } from '../vscode/install';
import { installCleanup } from '../vscode/processes';
import { ACTIVITY_ENTRY, openFile, openWorkbench, runCommand } from '../vscode/ui';
import { webviewFrame } from '../vscode/webviewFrame';
import { makeWorkspace, WORKSPACE_COMMITS } from '../vscode/workspace';
import type { FixtureRepo } from '../fixtures/repo';

const SHOTS = path.join(REPO_ROOT, 'test-output', 'e2e');
const UI_TIMEOUT = 60_000;
const TICK = 'use crate::counter::Counter;\n\npub fn tick(c: &mut Counter) -> u64 {\n    c.bump();\n    1\n}\n';

describe('Commit Corpus in the VS Code UI', { timeout: 280_000 }, () => {
  let server: CodeServer;
  let launched: LaunchedBrowser;
  let workspace: FixtureRepo;
  let page: Page;

  const shot = async (name: string) => {
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(SHOTS, name) });
  };

  before(async () => {
    installCleanup();
    fs.mkdirSync(SHOTS, { recursive: true });
    workspace = makeWorkspace();
    // An uncommitted file whose function uses a type of another file (cross-file context at HEAD).
    workspace.write('src/tick.rs', TICK);
    server = await startCodeServer(codeServerEntry());
    launched = await launchBrowser();
    page = await openWorkbench(launched, server, workspace.dir, UI_TIMEOUT);
  });

  after(async () => {
    if (page) await page.screenshot({ path: path.join(SHOTS, 'last.png') }).catch(() => undefined);
    await launched?.close();
    await server?.stop();
    workspace?.dispose();
  });

  it('runs "Build training dataset" from the palette and shows the completion notification', async () => {
    await runCommand(page, 'Build training dataset', async () => shot('01-palette.png'));
    const toast = page.locator('.notification-toast.notification-fade-in-done', { hasText: 'dataset built' }).first();
    await toast.waitFor();
    const text = (await toast.innerText()).replace(/\s+/g, ' ');
    assert.match(text, new RegExp(`dataset built: ${WORKSPACE_COMMITS.length} commits, \\d+ chunks, \\d+ examples in commit-corpus-out`));
    for (const action of ['Show in Explorer', 'Open dataset card', 'Show overview']) assert.ok(text.includes(action), `${action} in ${text}`);
    await shot('02-notification.png');
    assert.ok(fs.existsSync(path.join(workspace.dir, 'commit-corpus-out', 'manifest.json')));
    await page.keyboard.press('Escape');
  });

  it('expands commit → changed file → chunks in the Commits view', async () => {
    await page.locator(ACTIVITY_ENTRY).first().click();
    const row = (text: string) => page.locator('.pane-body .monaco-list-row', { hasText: text }).first();
    await row(WORKSPACE_COMMITS[2]).waitFor();
    for (const subject of WORKSPACE_COMMITS) await row(subject).waitFor();
    await shot('03-commits-view.png');
    await row(WORKSPACE_COMMITS[1]).click();
    await row('counter.rs').waitFor();
    const fileText = (await row('counter.rs').innerText()).replace(/\s+/g, ' ');
    assert.match(fileText, /\d+ chunks?/);
    await row('counter.rs').locator('.monaco-tl-twistie').click();
    const chunk = row('impl Counter');
    await chunk.waitFor();
    assert.match((await chunk.innerText()).replace(/\s+/g, ' '), /impl · added · \d+ tokens/);
    await shot('04-commit-file-chunks.png');
  });

  it('hovers over a Rust function and sees its tokens and cross-file context', async () => {
    await openFile(page, 'tick.rs');
    const word = page.locator('.monaco-editor .view-line span', { hasText: /^tick$/ }).first();
    await word.waitFor();
    const hover = page.locator('.monaco-hover:visible', { hasText: 'Commit Corpus' }).first();
    for (let attempt = 0; attempt < 4; attempt++) {
      await page.mouse.move(10, 10);
      await word.hover();
      try {
        await hover.waitFor({ timeout: 15_000 });
        break;
      } catch {
        // the first hover loads the grammar and tokenizer in the worker: hover again
      }
    }
    await page.locator('.monaco-hover:visible', { hasText: 'Cross-file context' }).first().waitFor();
    const text = (await hover.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /fn tick/);
    assert.match(text, /\d+ tokens of a 2048-token budget/);
    assert.match(text, /⟦pub⟧⟦ fn⟧⟦ tick⟧/);
    assert.match(text, /struct Counter — src\/counter\.rs/);
    await shot('05-hover.png');
    await page.keyboard.press('Escape');
  });

  it('opens the token-boundaries and cross-file context webviews for the function at the cursor', async () => {
    await page.mouse.move(5, 5);
    await page
      .locator('.monaco-editor .view-line span', { hasText: /^bump$/ })
      .first()
      .click({ force: true });
    await runCommand(page, 'Show token boundaries');
    const tokens = await webviewFrame(page, 'tokens');
    await tokens.locator('body', { hasText: 'fn tick' }).first().waitFor();
    assert.ok((await tokens.locator('body').innerText()).includes('Counter'));
    await shot('06-token-boundaries.png');

    await page.locator('.tabs-container .tab', { hasText: 'tick.rs' }).first().click();
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
    await page
      .locator('.monaco-editor .view-line span', { hasText: /^bump$/ })
      .first()
      .click({ force: true });
    await runCommand(page, 'Show cross-file context');
    const ctx = await webviewFrame(page, 'context');
    await ctx.locator('body', { hasText: 'src/counter.rs' }).first().waitFor();
    const text = (await ctx.locator('body').innerText()).replace(/\s+/g, ' ');
    assert.match(text, /tick/);
    assert.match(text, /Counter/);
    await shot('07-cross-file-context.png');
  });

  it('cancels a slow build from its notification and leaves no dataset folder', async () => {
    // A setting that slows the worker down (it pauses after each progress event), another output folder.
    fs.mkdirSync(path.join(workspace.dir, '.vscode'), { recursive: true });
    fs.writeFileSync(
      path.join(workspace.dir, '.vscode', 'settings.json'),
      JSON.stringify({ 'commitCorpus.debug.delayPerEventMs': 4000, 'commitCorpus.outputDir': 'slow-out', 'commitCorpus.cache': false }),
    );
    const toast = page.locator('.notification-toast', { hasText: 'building dataset' }).first();
    // The configuration watcher picks the file up after a moment; a build started before that runs
    // with the old settings (cached, fast) and shows no slow progress: then try again.
    let slow = false;
    for (let attempt = 0; attempt < 3 && !slow; attempt++) {
      await page.waitForTimeout(1500 + attempt * 2500);
      await runCommand(page, 'Build training dataset');
      slow = await toast
        .locator('text=/chunking commits/')
        .waitFor({ timeout: 20_000 })
        .then(
          () => true,
          () => false,
        );
    }
    assert.ok(slow, 'the slowed-down build shows its progress');
    await shot('08-slow-build-progress.png');
    await toast.locator('a.monaco-button, .monaco-button', { hasText: 'Cancel' }).first().click();
    await page.locator('.statusbar', { hasText: 'build cancelled' }).first().waitFor({ timeout: 10_000 });
    await shot('09-cancelled.png');
    const left = fs.readdirSync(workspace.dir).filter((n) => n.includes('slow-out'));
    assert.deepEqual(left, [], 'no dataset or temporary folder left');
  });
});
