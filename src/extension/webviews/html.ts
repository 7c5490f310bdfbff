/** The HTML shell of every panel: strict CSP with a nonce, the stylesheet from media/, the bundle from dist/. */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ViewKind } from '../../webview/protocol';

export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

/** dist/webview/webview.js when the build puts it there, else dist/webview.js. */
export function webviewBundle(extensionUri: vscode.Uri): { script: vscode.Uri; root: vscode.Uri } {
  for (const rel of [
    ['dist', 'webview', 'webview.js'],
    ['dist', 'webview.js'],
  ]) {
    const script = vscode.Uri.joinPath(extensionUri, ...rel);
    if (fs.existsSync(script.fsPath)) return { script, root: vscode.Uri.joinPath(script, '..') };
  }
  throw new Error(`Commit Corpus: the webview bundle is missing (${vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js').fsPath}). Run "npm run build".`);
}

export function mediaRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'media');
}

/** Options for createWebviewPanel and for panels restored by the serializer. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    enableFindWidget: true,
    localResourceRoots: [webviewBundle(extensionUri).root, mediaRoot(extensionUri)],
  };
}

const TITLES: Record<ViewKind, string> = { tokens: 'Token boundaries', context: 'Cross-file context', overview: 'Dataset overview' };

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, view: ViewKind, nonce = makeNonce()): string {
  const script = webview.asWebviewUri(webviewBundle(extensionUri).script);
  const css = webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot(extensionUri), 'webview', 'webview.css'));
  const csp = [`default-src 'none'`, `style-src ${webview.cspSource} 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`, `img-src ${webview.cspSource} data:`, `font-src ${webview.cspSource}`].join(
    '; ',
  );
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${css.toString()}">
<title>${TITLES[view]}</title>
</head>
<body data-view="${view}">
<main id="app" aria-live="polite"></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
