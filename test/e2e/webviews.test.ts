/**
 * E2E: the three webview panels in code-server + Chromium. The extension-host side
 * (test/e2e/webviews-host.ts, bundled here with esbuild) builds a real dataset of a fixture Rust
 * repository and opens the panels step by step; this side finds the rendered content inside the
 * webview frames (nested iframes), clicks in them, and takes screenshots in light, dark and
 * high-contrast themes into test-output/e2e/.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { after, before, describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import type { Frame, Page } from 'playwright-core';
import { launchBrowser, LaunchedBrowser } from '../vscode/browser';
import { CodeServer, startCodeServer } from '../vscode/codeServer';
import { codeServerEntry, REPO_ROOT } from '../vscode/install';
import { installCleanup } from '../vscode/processes';
import { webviewFrame as sharedWebviewFrame } from '../vscode/webviewFrame';
import { makeWorkspace } from '../vscode/workspace';
import type { FixtureRepo } from '../fixtures/repo';

const SHOTS = path.join(REPO_ROOT, 'test-output', 'e2e');
const HOSTILE = '<img src=x onerror=alert(1)>';
const UI_TIMEOUT = 60_000;

describe('Commit Corpus webviews in the VS Code UI', { timeout: 300_000 }, () => {
  let server: CodeServer;
  let launched: LaunchedBrowser;
  let workspace: FixtureRepo;
  let page: Page;
  let control: string;
  let stepNo = 0;
  let hostExit: number | undefined;

  async function waitForFile(file: string, ms = UI_TIMEOUT): Promise<string> {
    const until = Date.now() + ms;
    while (!fs.existsSync(file)) {
      if (hostExit !== undefined) throw new Error(`the extension-host side exited (${hostExit}) before ${path.basename(file)}`);
      if (Date.now() > until) throw new Error(`timed out waiting for ${path.basename(file)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return fs.readFileSync(file, 'utf8');
  }

  /** Asks the extension host to do one step and waits until it is done. */
  async function step(s: { show?: string; theme?: string; end?: boolean }): Promise<void> {
    stepNo++;
    // written whole, then renamed: the host polls for the name and must never read a half-written file
    const file = path.join(control, `step-${stepNo}.json`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(s));
    fs.renameSync(`${file}.tmp`, file);
    if (s.end) return;
    const done = JSON.parse(await waitForFile(path.join(control, `done-${stepNo}.json`))) as { ok: boolean; error?: string };
    assert.ok(done.ok, done.error);
    if (s.theme) await page.waitForTimeout(800); // the theme change reaches the webviews asynchronously
  }

  /** The inner frame of the visible webview whose page shows `view`. */
  const webviewFrame = (view: string): Promise<Frame> => sharedWebviewFrame(page, view, UI_TIMEOUT);

  async function shot(name: string): Promise<void> {
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(SHOTS, name) });
  }

  before(async () => {
    installCleanup();
    fs.mkdirSync(SHOTS, { recursive: true });
    control = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-e2e-control-'));
    const hostJs = path.join(control, 'host.js');
    await esbuild.build({
      entryPoints: [path.join(REPO_ROOT, 'test', 'e2e', 'webviews-host.ts')],
      outfile: hostJs,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      logLevel: 'warning',
    });
    workspace = makeWorkspace();
    server = await startCodeServer(codeServerEntry(), { env: { CC_E2E_CONTROL: control, COMMIT_CORPUS_ASSETS: path.join(REPO_ROOT, 'dist') } });
    launched = await launchBrowser();
    page = await launched.browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(UI_TIMEOUT);
    // The extension host's console (printf-style) and exit code arrive through these hooks.
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      if (type === 'error') console.log(`[vscode:${type}] ${format(...args)}`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => {
      hostExit = code;
      console.log(`[vscode] the e2e host exited with ${code}`);
    });
    await page.goto(server.workbenchUrl(workspace.dir, [['extensionTestsPath', server.remoteUri(hostJs)]]));
    await page.locator('.monaco-workbench').waitFor();
    await waitForFile(path.join(control, 'host-ready'), 120_000);
  });

  after(async () => {
    if (control) fs.writeFileSync(path.join(control, `step-${stepNo + 1}.json`), JSON.stringify({ end: true }));
    await launched?.close();
    await server?.stop();
    workspace?.dispose();
    if (control) fs.rmSync(control, { recursive: true, force: true });
  });

  it('Overview: charts of the build drawn as SVG inside the webview (dark theme)', async () => {
    await step({ theme: 'Default Dark Modern', show: 'overview' });
    const f = await webviewFrame('overview');
    for (const title of ['Commits over time', 'Examples per split', 'Token length per example', 'Chunks by language', 'Chunks by kind']) {
      await f.locator('figure.chart figcaption', { hasText: title }).first().waitFor();
    }
    assert.ok((await f.locator('svg.chart-svg g.bar rect').count()) >= 6);
    const label = await f.locator('svg.chart-svg').first().getAttribute('aria-labelledby');
    assert.ok(label, 'charts are labelled for screen readers');
    await shot('webviews-01-overview-dark.png');
  });

  it('Token boundaries: coloured spans, special markers, hostile message as text, whitespace toggle (dark)', async () => {
    await step({ show: 'tokens' });
    const f = await webviewFrame('tokens');
    assert.ok((await f.locator('.tok').count()) > 100);
    assert.ok((await f.locator('.tok.special', { hasText: '<COMMIT_START>' }).count()) === 1);
    assert.equal(await f.locator('#app img').count(), 0, 'the commit message did not become an <img>');
    const msg = await f.locator('.sec', { hasText: 'message' }).first().innerText();
    assert.ok(msg.includes('<img') && msg.includes('onerror=alert(1)>'), msg);
    assert.ok(msg.includes('/ 64'), 'the message section shows used / budget');
    const title = await f.locator('.tok:not(.special)').first().getAttribute('title');
    assert.match(title ?? '', /id \d+[\s\S]*bytes \d+–\d+/);
    await f.locator('button', { hasText: 'Show whitespace' }).click();
    await f.locator('.tok .ws').first().waitFor();
    assert.equal(await f.locator('button', { hasText: 'Hide whitespace' }).getAttribute('aria-pressed'), 'true');
    await shot('webviews-02-tokens-dark.png');
  });

  it('Token boundaries in the light and high-contrast themes', async () => {
    await step({ theme: 'Default Light Modern' });
    const f = await webviewFrame('tokens');
    assert.ok(await f.locator('body.vscode-light').count());
    await shot('webviews-03-tokens-light.png');
    await step({ theme: 'Default High Contrast' });
    const g = await webviewFrame('tokens');
    assert.ok(await g.locator('body.vscode-high-contrast').count());
    await shot('webviews-04-tokens-high-contrast.png');
  });

  it('Cross-file context: old/new side by side, context items link back to their file (light)', async () => {
    await step({ theme: 'Default Light Modern', show: 'context' });
    const f = await webviewFrame('context');
    await f.locator('.side.old .line', { hasText: 'pub fn greet() -> String {' }).waitFor();
    await f.locator('.side.new .line', { hasText: 'pub fn greet(c: &mut Counter) -> String {' }).waitFor();
    assert.ok((await f.locator('.ctx-item').count()) >= 2);
    assert.ok(await f.locator('.commit-line', { hasText: HOSTILE }).count());
    assert.equal(await f.locator('#app img').count(), 0);
    await f.locator('.ctx-item .reason').first().waitFor();
    await shot('webviews-05-context-light.png');
    await f.locator('.ctx-item a.file-link', { hasText: 'src/counter.rs' }).first().click();
    await page.locator('.tabs-container .tab', { hasText: 'counter.rs' }).first().waitFor();
    await shot('webviews-06-context-open-file.png');
  });

  it('Cross-file context in the dark theme', async () => {
    await step({ theme: 'Default Dark Modern', show: 'context' });
    await webviewFrame('context');
    await shot('webviews-07-context-dark.png');
  });

  it('A serialized example opens as a coloured commit-corpus-example document', async () => {
    await step({ show: 'example' });
    await page.locator('.monaco-editor .view-lines', { hasText: '<COMMIT_START>' }).first().waitFor();
    await page.locator('.statusbar-item', { hasText: 'Commit Corpus example' }).first().waitFor();
    await shot('webviews-08-example-document.png');
  });
});
