/**
 * One panel per view kind, reused across calls. A panel's messages go through here: `ready` →
 * the host posts `show`; `rendered` resolves the handle's `ready`; `openFile`, `copy`,
 * `toggleWhitespace` are acted on. Panels restored after a reload come back through `restorePanel`.
 */
import * as vscode from 'vscode';
import { parsePageMessage, parsePageState, VIEW_TYPES, type PageMessage, type PageState, type PayloadOf, type ProtocolMessage, type RenderedMessage, type ViewKind } from '../../webview/protocol';
import { webviewHtml, webviewOptions } from './html';
import { openFileAtCommit, type OpenedFile } from './openFile';

export interface WebviewHandle {
  panel: vscode.WebviewPanel;
  /** Every message the page sent, for tests. */
  received: ProtocolMessage[];
  /** Resolves when the page sent 'ready' and rendered this handle's payload. */
  ready: Promise<void>;
  /** Files opened from the page (openFile messages that succeeded), for tests. */
  opened: OpenedFile[];
  /** The last `rendered` report of the page. */
  lastRendered(): RenderedMessage | undefined;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

class Panel {
  readonly received: ProtocolMessage[] = [];
  readonly opened: OpenedFile[] = [];
  private seq = 0;
  private pageReady = false;
  private pending: { seq: number; payload: unknown } | undefined;
  private waiters: Waiter[] = [];
  private rendered: RenderedMessage | undefined;
  payload: unknown;
  disposed = false;

  constructor(
    readonly kind: ViewKind,
    readonly panel: vscode.WebviewPanel,
    private readonly onDispose: () => void,
  ) {
    panel.webview.onDidReceiveMessage((m) => void this.onMessage(m));
    // A hidden webview drops posted messages and its page reloads when shown again (it then sends
    // 'ready' anew): hold payloads as pending until then, or they are lost.
    panel.onDidChangeViewState((e) => {
      if (!e.webviewPanel.visible) this.pageReady = false;
    });
    panel.onDidDispose(() => {
      this.disposed = true;
      for (const w of this.waiters) w.reject(new Error(`the ${kind} panel was closed before it rendered`));
      this.waiters = [];
      this.onDispose();
    });
  }

  show(payload: unknown): Promise<void> {
    this.payload = payload;
    const seq = ++this.seq;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
    if (this.pageReady) this.post(seq, payload);
    else this.pending = { seq, payload };
    return done;
  }

  lastRendered(): RenderedMessage | undefined {
    return this.rendered;
  }

  private post(seq: number, payload: unknown): void {
    void this.panel.webview.postMessage({ type: 'show', view: this.kind, payload, seq });
  }

  private settle(upTo: number, err?: Error): void {
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.seq > upTo) keep.push(w);
      else if (err) w.reject(err);
      else w.resolve();
    }
    this.waiters = keep;
  }

  private async onMessage(raw: unknown): Promise<void> {
    const msg: PageMessage | undefined = parsePageMessage(raw);
    if (!msg) return;
    this.received.push(msg);
    switch (msg.type) {
      case 'ready':
        this.pageReady = true;
        if (this.pending) {
          this.post(this.pending.seq, this.pending.payload);
          this.pending = undefined;
        } else if (!msg.restored && this.payload !== undefined) {
          // The page came back without its state (e.g. a restored panel whose state was lost): send ours.
          this.post(++this.seq, this.payload);
        }
        break;
      case 'rendered':
        this.rendered = msg;
        this.settle(msg.seq ?? (this.pending ? 0 : this.seq));
        break;
      case 'error':
        this.settle(this.seq, new Error(msg.message));
        void vscode.window.showErrorMessage(`Commit Corpus: ${msg.message}`);
        break;
      case 'copy':
        await vscode.env.clipboard.writeText(msg.text);
        void vscode.window.setStatusBarMessage('Commit Corpus: copied to the clipboard', 3000);
        break;
      case 'toggleWhitespace':
        break;
      case 'openFile': {
        const repoDir = this.kind === 'context' ? (this.payload as PayloadOf['context'] | undefined)?.repoDir : undefined;
        if (!repoDir) return;
        try {
          this.opened.push(await openFileAtCommit(repoDir, msg));
        } catch (err) {
          void vscode.window.showErrorMessage(`Commit Corpus: ${err instanceof Error ? err.message : String(err)}`);
        }
        break;
      }
    }
  }

  handle(ready: Promise<void>): WebviewHandle {
    return { panel: this.panel, received: this.received, ready, opened: this.opened, lastRendered: () => this.rendered };
  }
}

const panels = new Map<ViewKind, Panel>();
let extensionUri: vscode.Uri | undefined;

export function setExtensionUri(uri: vscode.Uri): void {
  extensionUri = uri;
}

function extUri(): vscode.Uri {
  if (extensionUri) return extensionUri;
  const ext = vscode.extensions.getExtension('commit-corpus.commit-corpus');
  if (!ext) throw new Error('Commit Corpus: registerWebviews(context) was not called');
  return ext.extensionUri;
}

function adopt(kind: ViewKind, panel: vscode.WebviewPanel): Panel {
  const uri = extUri();
  panel.webview.options = webviewOptions(uri);
  const p = new Panel(kind, panel, () => {
    if (panels.get(kind) === p) panels.delete(kind);
  });
  panel.webview.html = webviewHtml(panel.webview, uri, kind);
  panel.iconPath = vscode.Uri.joinPath(uri, 'media', 'commit-corpus.svg');
  const old = panels.get(kind);
  panels.set(kind, p);
  if (old && old.panel !== panel) old.panel.dispose();
  return p;
}

export function showPanel<K extends ViewKind>(kind: K, payload: PayloadOf[K], title: string): WebviewHandle {
  let p = panels.get(kind);
  if (!p || p.disposed) {
    const panel = vscode.window.createWebviewPanel(VIEW_TYPES[kind], title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, webviewOptions(extUri()));
    p = adopt(kind, panel);
  } else {
    p.panel.title = title;
    p.panel.reveal(undefined, false);
  }
  return p.handle(p.show(payload));
}

/**
 * Re-attaches a panel VS Code restored after a reload (the serializer's deserializeWebviewPanel).
 * The page restores its own saved state; `ready` resolves when it has drawn it.
 */
export function restorePanel(kind: ViewKind, panel: vscode.WebviewPanel, state: unknown): WebviewHandle {
  const saved: PageState | undefined = parsePageState(state);
  const p = adopt(kind, panel);
  if (saved && saved.view === kind) {
    p.payload = saved.payload;
    return p.handle(p.show(saved.payload));
  }
  panel.webview.html = `<!DOCTYPE html><html><body><p>Nothing to show: run the command again.</p></body></html>`;
  return p.handle(Promise.resolve());
}

export function currentPanel(kind: ViewKind): WebviewHandle | undefined {
  const p = panels.get(kind);
  return p && !p.disposed ? p.handle(Promise.resolve()) : undefined;
}
