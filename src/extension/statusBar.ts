/** Status-bar item: the last build (commits, examples, age); clicking it opens the overview. */
import * as vscode from 'vscode';
import { Disposable } from './disposable';
import type { LastBuild, PersistentState } from './state';

export function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return 'just now';
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}

export function statusText(b: LastBuild, now = Date.now()): string {
  return `$(database) ${b.commits} commit${b.commits === 1 ? '' : 's'} · ${b.examples} example${b.examples === 1 ? '' : 's'} · ${age(now - b.finishedAt)}`;
}

export class BuildStatusBar extends Disposable {
  readonly item = this._register(vscode.window.createStatusBarItem('commitCorpus.lastBuild', vscode.StatusBarAlignment.Left, 10));

  constructor(private readonly state: PersistentState) {
    super();
    this.item.name = 'Commit Corpus: last build';
    this.item.command = 'commitCorpus.showOverview';
    const timer = setInterval(() => this.update(), 60_000);
    this._register(new vscode.Disposable(() => clearInterval(timer)));
    this.update();
  }

  update(): void {
    const b = this.state.lastBuild;
    if (!b) {
      this.item.hide();
      return;
    }
    this.item.text = statusText(b);
    this.item.tooltip = `Commit Corpus: last build of ${b.repo}\n${b.chunks} chunks, ${b.tokens} tokens, HEAD ${b.head.slice(0, 8)}\n${b.outDir}\nClick to show the overview.`;
    this.item.show();
  }
}
