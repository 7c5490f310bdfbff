/**
 * E2E: what a new user trips over, checked as they see it in code-server + Chromium: the Commits filter keeps only
 * matching commits; merge and bot commits say they are not in the dataset; a vendored file says which
 * .gitattributes decided it; the hover's "Show tokens" acts on the hovered unit, not the cursor's; the dataset
 * folder stays out of Source Control; "Show in Explorer" and "Open dataset card"; one ETA that never jumps up
 * more than 2× in a second nor shows 0 while work remains; the temp folder hidden from the Explorer; the
 * settings in their order; the walkthrough; the view's welcome content for a folder that is no repository, an
 * empty repository and no folder. Every step is photographed in the light, dark and high-contrast themes
 * (test-output/e2e/editor-*).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser, LaunchedBrowser } from '../vscode/browser';
import { CodeServer, startCodeServer } from '../vscode/codeServer';
import { codeServerEntry, REPO_ROOT } from '../vscode/install';
import { installCleanup } from '../vscode/processes';
import { ACTIVITY_ENTRY, openFile, openWorkbench, runCommand, runPaletteEntry } from '../vscode/ui';
import { webviewFrame } from '../vscode/webviewFrame';
import { makeWorkspace } from '../vscode/workspace';
import type { FixtureRepo } from '../fixtures/repo';

const SHOTS = path.join(REPO_ROOT, 'test-output', 'e2e');
const UI_TIMEOUT = 60_000;
const THEMES = [
  ['light', 'Default Light Modern', 'vs'],
  ['dark', 'Default Dark Modern', 'vs-dark'],
  ['hc', 'Default High Contrast', 'hc-black'],
] as const;
const OPS = 'use crate::counter::Counter;\n\npub fn first() -> u32 {\n    1\n}\n\npub fn second(c: &mut Counter) -> u32 {\n    c.bump();\n    2\n}\n';

describe('Commit Corpus in the VS Code UI: what a new user trips over', { timeout: 560_000 }, () => {
  let server: CodeServer;
  let launched: LaunchedBrowser;
  let workspace: FixtureRepo;
  let page: Page;
  const scratch: string[] = [];

  /**
   * One screenshot per theme: the theme goes into the open folder's .vscode/settings.json (the configuration
   * watcher applies it, as when a person edits that file); the workbench's class says which theme is on.
   * Without a folder, the one theme that is on.
   */
  let folder: string | null = null;
  const shots = async (name: string) => {
    for (const [tag, theme, cls] of folder ? THEMES : THEMES.slice(0, 1)) {
      if (folder) {
        const file = path.join(folder, '.vscode', 'settings.json');
        const now = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify({ ...now, 'workbench.colorTheme': theme }));
        await page.locator(`.monaco-workbench.${cls}`).first().waitFor({ timeout: 20_000 });
      }
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(SHOTS, `editor-${name}-${tag}.png`) });
    }
  };
  const row = (text: string | RegExp) => page.locator('.pane-body .monaco-list-row', { hasText: text }).first();
  const commitsPane = () => page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Commits' }) }).first();
  const openCommitsView = async () => {
    if ((await commitsPane().count()) === 0 || !(await commitsPane().isVisible())) await runPaletteEntry(page, 'View: Show Commit Corpus');
    await commitsPane().waitFor();
  };
  const text = async (loc: ReturnType<Page['locator']>) => (await loc.innerText()).replace(/\s+/g, ' ');
  /** The badges of a row (VS Code draws file decorations' badges as ::after content). */
  const badges = (loc: ReturnType<Page['locator']>) =>
    loc.evaluate((el) =>
      [el, ...Array.from(el.querySelectorAll('*'))]
        .map((e) => getComputedStyle(e, '::after').content)
        .filter((c) => c && c !== 'none' && c !== 'normal' && c !== '""')
        .map((c) => c.replace(/^"|"$/g, '')),
    );

  before(async () => {
    installCleanup();
    fs.mkdirSync(SHOTS, { recursive: true });
    workspace = makeWorkspace();
    folder = workspace.dir;
    workspace.write('src/ops.rs', OPS);
    workspace.write('src/lib.rs', 'pub mod counter;\npub mod ops;\n\npub fn greet(name: &str) -> String {\n    format!("hello, {name}")\n}\n');
    workspace.commit('Add two ops');
    workspace.write('README.md', '# hello\n\nA greeting crate.\n');
    workspace.commit('Document the crate');
    workspace.write('assets/.gitattributes', '* linguist-vendored\n');
    workspace.write('assets/template.rs.in', 'pub fn {{name}}() {}\n');
    workspace.commit('Add completion templates');
    workspace.git('checkout', '-q', '-b', 'side');
    workspace.write('src/side.rs', 'pub fn side() -> u8 {\n    7\n}\n');
    workspace.commit('Add a side module');
    workspace.git('checkout', '-q', 'main');
    workspace.git('merge', '-q', '--no-ff', 'side', '-m', 'Merge branch side');
    workspace.write('Cargo.lock', '# lock\n[[package]]\nname = "hello"\n');
    workspace.commit('Bump the lock file', { author: { name: 'dependabot[bot]', email: '49699333+dependabot[bot]@users.noreply.github.com' } });
    server = await startCodeServer(codeServerEntry());
    launched = await launchBrowser();
    page = await openWorkbench(launched, server, workspace.dir, UI_TIMEOUT);
  });

  after(async () => {
    if (page) await page.screenshot({ path: path.join(SHOTS, 'editor-last.png') }).catch(() => undefined);
    await launched?.close();
    await server?.stop();
    workspace?.dispose();
    for (const d of scratch) fs.rmSync(d, { recursive: true, force: true });
  });

  it('before a build: merge and bot commits say they will not be in the dataset; the view says it is not built yet', async () => {
    await openCommitsView();
    await row('Bump the lock file').waitFor();
    assert.match(await text(row('Bump the lock file')), /not in dataset: bot/);
    assert.match(await text(row('Merge branch side')), /not in dataset: merge/);
    assert.doesNotMatch(await text(row('Document the crate')), /not in dataset/);
    assert.match(await text(row('Build training dataset')), /to see chunks and token counts/);
    await commitsPane().locator('text=/Not built yet/').first().waitFor();
    await shots('01-not-built');
  });

  it('builds; the notification offers "Show in Explorer" and "Open dataset card", which open the folder and the card', async () => {
    // an untracked file of the user's: Source Control works, and lists it but nothing of the dataset
    fs.writeFileSync(path.join(workspace.dir, 'notes.txt'), 'my notes\n');
    await runCommand(page, 'Build training dataset');
    const toast = page.locator('.notification-toast', { hasText: 'dataset built' }).first();
    await toast.waitFor();
    const t = await text(toast);
    for (const a of ['Show in Explorer', 'Open dataset card', 'Show overview']) assert.ok(t.includes(a), `${a} in ${t}`);
    assert.ok(!t.includes('Open folder'), t);
    await shots('02-built');
    await toast.locator('.monaco-button', { hasText: 'Open dataset card' }).first().click();
    await page.locator('.tabs-container .tab', { hasText: 'Preview README.md' }).first().waitFor();
    await shots('03-dataset-card');

    await runCommand(page, 'Show dataset in Explorer');
    const selected = page.locator('.explorer-folders-view .monaco-list-row.selected, .explorer-folders-view .monaco-list-row.focused', { hasText: 'commit-corpus-out' }).first();
    await selected.waitFor();
    await shots('04-show-in-explorer');

    await page.keyboard.press('Control+Shift+G');
    const scm = page.locator('.scm-view, .scm-viewlet, #workbench\\.view\\.scm').first();
    await scm.locator('.monaco-list-row', { hasText: 'notes.txt' }).first().waitFor({ timeout: 30_000 });
    const scmText = await text(scm);
    for (const f of ['manifest.json', 'commit-corpus-out', 'chunks.jsonl', '.gitignore']) assert.ok(!scmText.includes(f), `Source Control lists ${f}: ${scmText}`);
    await shots('05-source-control');
    fs.rmSync(path.join(workspace.dir, 'notes.txt'));
  });

  it('marks what is not in the dataset after the build, and says why a vendored file was skipped', async () => {
    await openCommitsView();
    await row(/Add two ops.*\d+ chunks?/).waitFor();
    assert.match(await text(row('Bump the lock file')), /not in dataset: bot/);
    assert.match(await text(row('Merge branch side')), /not in dataset: merge/);
    // a badge at the row's end says it too when a narrow sidebar cuts the description
    assert.ok((await badges(row('Bump the lock file'))).includes('B'), `badges: ${(await badges(row('Bump the lock file'))).join(',')}`);
    assert.ok((await badges(row('Merge branch side'))).includes('M'));
    assert.ok((await badges(row('Add completion templates'))).includes('0'), 'every file skipped: no chunks');
    assert.deepEqual(await badges(row('Add two ops')), []);
    await row('Merge branch side').click();
    await row('side.rs').waitFor(); // a merge expands to what it brought in
    await row('Merge branch side').click();
    await row('Add completion templates').click();
    const tmpl = row('template.rs.in');
    await tmpl.waitFor();
    assert.match(await text(tmpl), /^template\.rs\.in ?skipped: vendored \(linguist-vendored in assets\/\.gitattributes\) · assets/);
    await shots('06-marks-and-skip-reason');
    await row('Add completion templates').click();
  });

  it('the filter keeps only the commits that changed a matching file, says so, and counts only matching chunks', async () => {
    const filter = async (value: string) => {
      await runCommand(page, 'Filter commits by path or language');
      await page.locator('.quick-input-widget', { hasText: 'Filter the Commits view' }).first().waitFor();
      await page.keyboard.press('Control+A');
      await page.keyboard.type(value, { delay: 10 });
      await page.keyboard.press('Enter');
    };
    await filter('README');
    await commitsPane().locator('text=/Filter "README": 1 commit changed a matching file/').first().waitFor();
    await row('Document the crate').waitFor();
    const labels = () => commitsPane().locator('.monaco-list-row .label-name').allInnerTexts();
    assert.deepEqual(await labels(), ['Document the crate'], 'only the commit that touched README.md');
    assert.match(await text(commitsPane().locator('.pane-header')), /filter: README/);
    await shots('07-filter-readme');
    await filter('*.rs');
    await row('Add two ops').waitFor();
    await commitsPane().locator('text=/Filter "\\*\\.rs": \\d+ commits changed a matching file/').first().waitFor();
    const rs = await labels();
    assert.ok(!rs.includes('Document the crate') && !rs.includes('Bump the lock file'), rs.join(' | '));
    // chunk counts count only the matching files: "Add a greeting library" has Cargo.toml (a chunk) and src/lib.rs
    await filter('cargo.toml');
    await row('Add a greeting library').waitFor();
    assert.match(await text(row('Add a greeting library')), / · 1 chunk$/);
    await shots('08-filter-counts');
    await runCommand(page, 'Clear commits filter');
    await row('Document the crate').waitFor();
    await row('Add two ops').waitFor();
  });

  it('the hover\'s "Show tokens" shows the hovered function, not the one at the cursor', async () => {
    await openFile(page, 'ops.rs');
    await page
      .locator('.monaco-editor .view-line span', { hasText: /^first$/ })
      .first()
      .click(); // the cursor in `first`
    const word = page.locator('.monaco-editor .view-line span', { hasText: /^second$/ }).first();
    const hover = page.locator('.monaco-hover:visible', { hasText: 'tokens of a' }).first();
    for (let attempt = 0; attempt < 4; attempt++) {
      await page.mouse.move(10, 10);
      await word.hover();
      if (
        await hover.waitFor({ timeout: 15_000 }).then(
          () => true,
          () => false,
        )
      )
        break;
    }
    assert.match(await text(hover), /fn second/);
    await page.screenshot({ path: path.join(SHOTS, 'editor-09-hover.png') });
    await hover.locator('a', { hasText: 'Show tokens' }).first().click();
    const tokens = await webviewFrame(page, 'tokens');
    await tokens.locator('body', { hasText: 'fn second' }).first().waitFor();
    const body = await tokens.locator('body').innerText();
    assert.ok(!body.includes('fn first'), 'not the function at the cursor');
    await shots('10-hover-show-tokens');
    // the unit's serialized example opens as a named document, not "Untitled-1"
    await page.locator('.tabs-container .tab', { hasText: 'ops.rs' }).first().click();
    await page
      .locator('.monaco-editor .view-line span', { hasText: /^second$/ })
      .first()
      .click();
    await runCommand(page, 'Open serialized example (.ccx)');
    const tab = page.locator('.tabs-container .tab', { hasText: /^second · [0-9a-f]{8}\.ccx/ }).first();
    await tab.waitFor();
    assert.ok((await page.locator('.tabs-container .tab', { hasText: 'Untitled' }).count()) === 0);
    await shots('10b-example-document');
  });

  it('one ETA for the whole build: it never grows more than 2x in a second, never says 0 while work remains; the temp folder is hidden from the Explorer', async () => {
    fs.mkdirSync(path.join(workspace.dir, '.vscode'), { recursive: true });
    fs.writeFileSync(
      path.join(workspace.dir, '.vscode', 'settings.json'),
      JSON.stringify({ 'workbench.colorTheme': 'Default Light Modern', 'commitCorpus.debug.delayPerEventMs': 600, 'commitCorpus.outputDir': 'slow-out', 'commitCorpus.cache': false }),
    );
    await page.waitForTimeout(2500); // the configuration watcher picks the file up
    await page.keyboard.press('Control+Shift+E');
    await runCommand(page, 'Build training dataset');
    const toast = page.locator('.notification-toast', { hasText: 'building dataset' }).first();
    await toast.waitFor();
    const seen: Array<{ at: number; text: string }> = [];
    let tempSeenOnDisk = false;
    let tempInExplorer = false;
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const t = await toast.innerText({ timeout: 2000 }).catch(() => '');
      if (!t) break;
      seen.push({ at: Date.now(), text: t.replace(/\s+/g, ' ') });
      if (fs.readdirSync(workspace.dir).some((n) => n.startsWith('.slow-out.tmp-'))) {
        tempSeenOnDisk = true;
        if ((await page.locator('.explorer-folders-view .monaco-list-row', { hasText: '.slow-out.tmp-' }).count()) > 0) tempInExplorer = true;
      }
      if (seen.filter((s) => /left/.test(s.text)).length >= 12 && tempSeenOnDisk) break;
      await page.waitForTimeout(250);
    }
    await shots('11-eta');
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
    await page.locator('.statusbar', { hasText: 'build cancelled' }).first().waitFor({ timeout: 15_000 });
    const etas = seen.flatMap((s) => {
      const m = /about (?:(\d+)h )?(?:(\d+)m )?(\d+)s left|about (\d+)h (\d+)m left/.exec(s.text);
      if (!m) return [];
      const secs = m[4] ? Number(m[4]) * 3600 + Number(m[5]) * 60 : Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3]);
      return [{ at: s.at, secs, text: s.text }];
    });
    assert.ok(etas.length >= 5, `the build showed an ETA: ${seen.map((s) => s.text).join(' | ')}`);
    for (const e of etas) assert.ok(e.secs > 0, `no "0s left" while work remains: ${e.text}`);
    for (let i = 1; i < etas.length; i++) {
      const [a, b] = [etas[i - 1], etas[i]];
      const dt = Math.max(1, (b.at - a.at) / 1000);
      // whole seconds are shown: one second of rounding either way
      assert.ok(b.secs <= (a.secs + 1) * 2 ** dt + 1, `the ETA jumped from ${a.text} to ${b.text} in ${dt.toFixed(1)} s`);
    }
    assert.ok(tempSeenOnDisk, 'the build had its temp folder');
    assert.ok(!tempInExplorer, 'the temp folder is not in the Explorer');
    assert.deepEqual(
      fs.readdirSync(workspace.dir).filter((n) => n.includes('slow-out')),
      [],
      'nothing left after cancel',
    );
    fs.writeFileSync(path.join(workspace.dir, '.vscode', 'settings.json'), JSON.stringify({ 'workbench.colorTheme': 'Default Light Modern' }));
  });

  it('"Hide skipped commits" hides them; Export asks for a folder starting in the workspace', async () => {
    const settings = path.join(workspace.dir, '.vscode', 'settings.json');
    const now = JSON.parse(fs.readFileSync(settings, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(settings, JSON.stringify({ ...now, 'commitCorpus.view.hideSkippedCommits': true }));
    await openCommitsView();
    await commitsPane().locator('.monaco-list-row', { hasText: 'Bump the lock file' }).waitFor({ state: 'detached', timeout: 20_000 });
    const labels = await commitsPane().locator('.monaco-list-row .label-name').allInnerTexts();
    for (const hidden of ['Bump the lock file', 'Merge branch side', 'Add completion templates']) assert.ok(!labels.includes(hidden), `${hidden} hidden: ${labels.join(' | ')}`);
    assert.ok(labels.includes('Add two ops'), labels.join(' | '));
    await shots('12-hide-skipped');
    fs.writeFileSync(settings, JSON.stringify(now));
    await row('Bump the lock file').waitFor();

    await runCommand(page, 'Export dataset');
    // the browser's folder picker is VS Code's own: its path box starts at the workspace folder
    const box = page.locator('.quick-input-widget input').first();
    await page.locator('.quick-input-widget', { hasText: 'Folder to export the dataset into' }).first().waitFor();
    await page.waitForTimeout(500);
    assert.ok((await box.inputValue()).startsWith(workspace.dir), `the picker starts at ${await box.inputValue()}`);
    await page.screenshot({ path: path.join(SHOTS, 'editor-13-export-picker.png') });
    await page.keyboard.press('Escape');
  });

  it('a failed build says why in one sentence, and its log starts with that sentence before the details', async () => {
    const settings = path.join(workspace.dir, '.vscode', 'settings.json');
    const now = JSON.parse(fs.readFileSync(settings, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(settings, JSON.stringify({ ...now, 'commitCorpus.tokenizer': 'no/such/tokenizer.json' }));
    await page.waitForTimeout(2500); // the configuration watcher
    await runCommand(page, 'Build training dataset');
    const toast = page.locator('.notification-toast', { hasText: 'failed' }).first();
    await toast.waitFor();
    const t = await text(toast);
    assert.match(t, /Commit Corpus: building the dataset failed: .*tokenizer.*no\/such\/tokenizer\.json/i);
    assert.ok(!/\bat \S+ \(/.test(t), `no stack in the notification: ${t}`);
    await shots('14-failed-build');
    await toast.locator('.monaco-button', { hasText: 'Show log' }).first().click();
    // the Output panel draws its text with no-break spaces
    const panel = page.locator('#workbench\\.parts\\.panel').first();
    const lines = async () =>
      (await panel.innerText().catch(() => ''))
        .replace(/\u00a0/g, ' ')
        .split('\n')
        .map((l) => l.trim());
    const until = Date.now() + 30_000;
    while (!(await lines()).some((l) => l.startsWith('[error] Commit Corpus: building the dataset failed')) && Date.now() < until) await page.waitForTimeout(250);
    const end = await lines();
    const at = end.findIndex((l) => l.startsWith('[error] Commit Corpus: building the dataset failed'));
    assert.ok(at >= 0, end.join('\n'));
    // (the Output panel wraps long lines)
    assert.match(end.slice(at + 1).join(' '), /\w*Error: tokenizer not found.* at /, 'the details (the stack) follow the cause');
    assert.ok(!end.slice(0, at).some((l) => /^at /.test(l)), 'no stack line before the cause');
    // the first build logged what each phase took: the whole log, maximized and scrolled to its top
    await runPaletteEntry(page, 'View: Toggle Maximized Panel');
    await panel.locator('.monaco-editor').first().click();
    await page.keyboard.press('Control+Home');
    await page.waitForTimeout(500);
    const top = await lines();
    assert.match(top.join(' '), /\[build\] phases: reading history \d+s · chunking commits \d+s · tokenizing \d+s/);
    await shots('15-log');
    await runPaletteEntry(page, 'View: Toggle Maximized Panel');
    await page.keyboard.press('Control+J'); // the panel closes again
    fs.writeFileSync(settings, JSON.stringify(now));
  });

  it('settings start with the tokenizer and the output folder', async () => {
    await runPaletteEntry(page, 'Preferences: Open Settings (UI)');
    const search = page.locator('.settings-editor .suggest-input-container .monaco-editor textarea, .settings-editor .settings-header textarea').first();
    await search.waitFor();
    await search.focus();
    await page.keyboard.type('@ext:commit-corpus.commit-corpus', { delay: 10 });
    const labels = page.locator('.settings-editor .setting-item-contents .setting-item-label');
    await page.locator('.settings-editor .setting-item-contents', { hasText: 'Tokenizer' }).first().waitFor();
    await page.waitForTimeout(800);
    const first = (await labels.allInnerTexts()).slice(0, 3);
    assert.deepEqual(first, ['Tokenizer', 'Output Dir', 'Format'], first.join(' | '));
    await shots('16-settings');
  });

  it('the walkthrough: build, tree, hover, tokens, export, Python', async () => {
    await runPaletteEntry(page, 'Welcome: Open Walkthrough...');
    await page.keyboard.type('Commit Corpus', { delay: 15 });
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with Commit Corpus' }).first().click();
    const walk = page.locator('.gettingStartedContainer, .getting-started').first();
    await walk.locator('text=Build the training dataset').first().waitFor();
    for (const step of ['Explore commits, files and chunks', 'Hover a function', 'Inspect tokens and context', 'Export the dataset', 'Load it in Python']) {
      assert.ok((await walk.innerText()).includes(step), step);
    }
    await shots('17-walkthrough');
  });

  it('the Commits view says why nothing can be built: not a git repository, an empty repository, no folder', async () => {
    const cases: Array<{ name: string; dir: string | null; says: RegExp; button: string }> = [];
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-e2e-plain-'));
    fs.writeFileSync(path.join(plain, 'notes.md'), '# notes\n');
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-e2e-empty-'));
    workspace.git('init', '-q', empty);
    scratch.push(plain, empty);
    cases.push({ name: 'not-git', dir: plain, says: /not a git repository/, button: 'Initialize Repository' });
    cases.push({ name: 'empty-repo', dir: empty, says: /no commits yet/, button: 'Open Source Control' });
    cases.push({ name: 'no-folder', dir: null, says: /No folder is open/, button: 'Open Folder' });
    for (const c of cases) {
      folder = c.dir;
      const url = c.dir ? server.workbenchUrl(c.dir) : server.workbenchUrl(os.tmpdir()).replace(/\?folder=[^&]*&/, '?ew=true&');
      await page.goto(url);
      await page.locator('.monaco-workbench').waitFor();
      await page.locator(ACTIVITY_ENTRY).first().waitFor();
      await openCommitsView();
      const welcome = commitsPane().locator('.welcome-view-content').first();
      await welcome.waitFor();
      assert.match(await text(welcome), c.says, c.name);
      assert.ok((await welcome.locator('.monaco-button', { hasText: c.button }).count()) > 0, `${c.name}: button ${c.button}`);
      assert.doesNotMatch(await text(commitsPane()), /Not built yet/, c.name);
      await shots(`18-welcome-${c.name}`);
    }
  });
});
