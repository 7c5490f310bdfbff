/**
 * E2E: drives the VS Code UI (code-server in Chromium) like a person would: command palette →
 * "Build training dataset" → notification; then the Commits view. Screenshots go to
 * test-output/e2e/. Run through `npm run test:e2e` (which installs code-server and builds dist/).
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
import { makeWorkspace, WORKSPACE_COMMITS } from '../vscode/workspace';
import type { FixtureRepo } from '../fixtures/repo';

const SHOTS = path.join(REPO_ROOT, 'test-output', 'e2e');
const UI_TIMEOUT = 60_000;
const ACTIVITY_ENTRY = '.activitybar .action-item a[aria-label^="Commit Corpus"]';

describe('Commit Corpus in the VS Code UI', { timeout: 240_000 }, () => {
  let server: CodeServer;
  let launched: LaunchedBrowser;
  let workspace: FixtureRepo;
  let page: Page;

  before(async () => {
    installCleanup();
    fs.mkdirSync(SHOTS, { recursive: true });
    workspace = makeWorkspace();
    server = await startCodeServer(codeServerEntry());
    launched = await launchBrowser();
    page = await launched.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(UI_TIMEOUT);
    await page.goto(server.workbenchUrl(workspace.dir));
    await page.locator('.monaco-workbench').waitFor();
    // The workbench is ready for commands once the status bar and the explorer are there.
    await page.locator('#workbench\\.parts\\.statusbar').waitFor();
    await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor();
    // The extension under development is scanned after the workbench shows: its activity-bar
    // entry appearing means its contributions (the command among them) are registered.
    await page.locator(ACTIVITY_ENTRY).first().waitFor();
  });

  after(async () => {
    if (page) await page.screenshot({ path: path.join(SHOTS, 'last.png') }).catch(() => undefined);
    await launched?.close();
    await server?.stop();
    workspace?.dispose();
  });

  it('finds "Build training dataset" in the command palette and runs it', async () => {
    await openPalette(page);
    await page.keyboard.type('Build training dataset', { delay: 20 });
    const entry = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Build training dataset' }).first();
    await entry.waitFor();
    assert.match((await entry.innerText()).replace(/\s+/g, ' '), /Commit Corpus: Build training dataset/);
    await page.screenshot({ path: path.join(SHOTS, '01-palette.png') });

    await page.keyboard.press('Enter');
    // `notification-fade-in-done`: the toast has finished sliding in (so the screenshot shows it).
    const toast = page.locator('.notification-toast.notification-fade-in-done', { hasText: 'reachable from HEAD' }).first();
    await toast.waitFor();
    const text = (await toast.innerText()).replace(/\s+/g, ' ');
    assert.match(text, new RegExp(`${WORKSPACE_COMMITS.length} commits reachable from HEAD`));
    await page.screenshot({ path: path.join(SHOTS, '02-notification.png') });
  });

  it('shows the history in the Commits view of its activity-bar container', async () => {
    await page.locator(ACTIVITY_ENTRY).first().click();
    const rows = page.locator('.pane-body .monaco-list-row');
    await page.locator('.monaco-list-row', { hasText: WORKSPACE_COMMITS[2] }).first().waitFor();
    const labels = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    for (const subject of WORKSPACE_COMMITS) assert.ok(labels.some((l) => l.includes(subject)), `${subject} in ${labels.join(' | ')}`);
    await page.screenshot({ path: path.join(SHOTS, '03-commits-view.png') });
  });
});

async function openPalette(page: Page): Promise<void> {
  // F1 opens the palette wherever the focus is; retry once if the first key press lands too early.
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 } }).catch(() => undefined);
    await page.keyboard.press('F1');
    try {
      await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 10_000 });
      return;
    } catch {
      // try again
    }
  }
  throw new Error('the command palette did not open');
}
