/** What a person does in the VS Code UI, for the e2e tests: the command palette, Quick Open. */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { LaunchedBrowser } from './browser';
import type { CodeServer } from './codeServer';

/** The Commit Corpus entry of the activity bar. */
export const ACTIVITY_ENTRY = '.activitybar .action-item a[aria-label^="Commit Corpus"]';

/** A page of the workbench on `folder`, once the workbench, the Explorer and our activity-bar entry are drawn. */
export async function openWorkbench(launched: LaunchedBrowser, server: CodeServer, folder: string, timeoutMs: number): Promise<Page> {
  const page = await launched.browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(timeoutMs);
  await page.goto(server.workbenchUrl(folder));
  await page.locator('.monaco-workbench').waitFor();
  await page.locator('#workbench\\.parts\\.statusbar').waitFor();
  await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor();
  await page.locator(ACTIVITY_ENTRY).first().waitFor();
  return page;
}

async function openPalette(page: Page): Promise<void> {
  // F1 opens the palette wherever the focus is; retry if the first key press lands too early.
  for (let attempt = 0; attempt < 3; attempt++) {
    await page
      .locator('.monaco-workbench')
      .click({ position: { x: 700, y: 450 } })
      .catch(() => undefined);
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

/** Runs a Commit Corpus command from the palette (F1, type its title, Enter). */
export async function runCommand(page: Page, title: string, beforeEnter?: () => Promise<void>): Promise<void> {
  await runPaletteEntry(page, `Commit Corpus: ${title}`, beforeEnter);
}

/**
 * Runs any palette entry by its full label ("Welcome: Open Walkthrough..."). Right after a page load the
 * workbench can swallow the first keys or refill the list while they are typed; then the palette is closed
 * and the label typed again, up to three times.
 */
export async function runPaletteEntry(page: Page, label: string, beforeEnter?: () => Promise<void>): Promise<void> {
  const entry = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 5_000 });
    } catch {
      await openPalette(page);
    }
    await page.keyboard.type(label, { delay: 15 });
    try {
      await entry.waitFor({ timeout: 20_000 });
      break;
    } catch (e) {
      if (attempt === 3) throw new Error(`the palette did not offer "${label}" (its input read "${await input.inputValue().catch(() => '?')}")`, { cause: e });
      await page.keyboard.press('Escape');
    }
  }
  assert.ok((await entry.innerText()).replace(/\s+/g, ' ').includes(label), label);
  if (beforeEnter) await beforeEnter();
  await page.keyboard.press('Enter');
}

/** Quick Open (Ctrl+P) a file of the workspace by name. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
  await page.keyboard.type(name, { delay: 15 });
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor();
}
