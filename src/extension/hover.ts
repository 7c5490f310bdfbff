/**
 * Hover on supported source files: the enclosing semantic unit's kind and qualified name, its token
 * count under the current tokenizer and budget, its first tokens drawn with boundaries, and the
 * cross-file context it would receive (links open each item). Computed in a worker, cached there by
 * document URI + version. `commitCorpus.hover.enabled` turns it off.
 */
import * as vscode from 'vscode';
import { whyWords } from '../webview/protocol';
import type { UnitAnalysis } from '../worker/protocol';
import { analyzeAt } from './analysis';
import { Disposable } from './disposable';
import { isCancelled } from './errors';
import { SUPPORTED_SELECTOR } from './languages';
import { hoverEnabled } from './settings';
import type { WorkerPool } from './workerPool';

/** `⟦pub⟧⟦ fn⟧⟦ main⟧…` with newlines and tabs made visible and backticks made harmless for a code span. */
export function drawTokens(tokens: string[], more: boolean): string {
  const shown = tokens.map((t) => `⟦${t.replace(/\r?\n/g, '↵').replace(/\t/g, '→').replace(/`/g, 'ˋ')}⟧`).join('');
  return shown + (more ? '…' : '');
}

function commandLink(command: string, args: unknown): string {
  // parentheses too: a path with one would end the Markdown link early
  return `command:${command}?${encodeURIComponent(JSON.stringify(args)).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** `at`: where the hover is; its links act on the unit there (not on the cursor's, which may be elsewhere). */
export function hoverMarkdown(a: UnitAnalysis, repo: string | null, at?: { uri: string; line: number; character: number }): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: ['commitCorpus.openContextItem', 'commitCorpus.showTokenBoundaries', 'commitCorpus.showChunkContext'] };
  md.supportHtml = false;
  const over = a.tokens > a.budget ? ` — **over budget**, truncated to ${a.budget}` : '';
  md.appendMarkdown(`**Commit Corpus** · \`${a.kind}\` **${escapeMd(a.qualifiedName)}** (lines ${a.startLine}–${a.endLine})\n\n`);
  md.appendMarkdown(`${a.tokens} tokens of a ${a.budget}-token budget${over} · ${escapeMd(a.tokenizer)}\n\n`);
  md.appendMarkdown(`\`\` ${drawTokens(a.firstTokens, a.tokens > a.firstTokens.length)} \`\`\n\n`);
  if (a.context.length === 0) md.appendMarkdown('Cross-file context: none\n\n');
  else {
    md.appendMarkdown(`Cross-file context (${a.context.length}):\n\n`);
    for (const [i, c] of a.context.entries()) {
      const link = repo && a.head ? `[${escapeMd(c.path)}](${commandLink('commitCorpus.openContextItem', { repo, commit: a.head, path: c.path, search: c.symbol })})` : escapeMd(c.path);
      md.appendMarkdown(`- #${i + 1} \`${c.kind}\` ${escapeMd(c.symbol)} — ${link} · ${whyWords(c)} · ${c.tokens} tokens\n`);
    }
    md.appendMarkdown('\n');
  }
  const args = at ? [at] : [];
  md.appendMarkdown(`[Show tokens](${commandLink('commitCorpus.showTokenBoundaries', args)}) · [Show context](${commandLink('commitCorpus.showChunkContext', args)})`);
  return md;
}

export class HoverProvider extends Disposable implements vscode.HoverProvider {
  /** Milliseconds of the last answered hover (host side, request to answer), for tests. */
  lastMs = 0;
  lastAnalysis: UnitAnalysis | null = null;

  constructor(private readonly pool: WorkerPool) {
    super();
    this._register(vscode.languages.registerHoverProvider(SUPPORTED_SELECTOR, this));
  }

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    if (!hoverEnabled()) return undefined;
    const t0 = performance.now();
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    try {
      const a = await analyzeAt(this.pool, doc, pos, ac.signal);
      this.lastAnalysis = a;
      if (!a) return undefined;
      const repo = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath ?? null;
      const range = new vscode.Range(a.startLine - 1, 0, a.endLine - 1, doc.lineAt(Math.min(a.endLine - 1, doc.lineCount - 1)).text.length);
      return new vscode.Hover(hoverMarkdown(a, repo, { uri: doc.uri.toString(), line: pos.line, character: pos.character }), range);
    } catch (err) {
      if (isCancelled(err)) return undefined;
      // A hover never interrupts the user: the reason is in the hover itself.
      return new vscode.Hover(new vscode.MarkdownString().appendText(`Commit Corpus: ${err instanceof Error ? err.message : String(err)}`));
    } finally {
      sub.dispose();
      this.lastMs = performance.now() - t0;
    }
  }
}
