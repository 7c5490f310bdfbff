/**
 * Host side of the webviews: Token boundaries, Cross-file context and Overview panels.
 *
 *   context.subscriptions.push(registerWebviews(context));   // once, in activate()
 *   const h = showTokenBoundaries(payload);  await h.ready;   // page drew it
 *
 * Payload types and the message protocol are in src/webview/protocol.ts.
 */
import * as vscode from 'vscode';
import { VIEW_KINDS, VIEW_TYPES, type ContextViewPayload, type OverviewPayload, type TokenViewPayload } from '../../webview/protocol';
import { restorePanel, setExtensionUri, showPanel, type WebviewHandle } from './panels';

export type { WebviewHandle } from './panels';
export { currentPanel, restorePanel } from './panels';
export { blobUri, parseBlobUri, BLOB_SCHEME } from './uris';
export { openExampleDocument, EXAMPLE_LANGUAGE } from './exampleDocument';
export { openFileAtCommit } from './openFile';
export type { ContextViewPayload, OverviewPayload, TokenViewPayload, ProtocolMessage } from '../../webview/protocol';
export { VIEW_TYPES } from '../../webview/protocol';

/** Registers the serializers that bring the three panels back after a window reload. */
export function registerWebviews(context: vscode.ExtensionContext): vscode.Disposable {
  setExtensionUri(context.extensionUri);
  return vscode.Disposable.from(
    ...VIEW_KINDS.map((kind) =>
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPES[kind], {
        deserializeWebviewPanel: async (panel, state) => {
          restorePanel(kind, panel, state);
        },
      }),
    ),
  );
}

export function showTokenBoundaries(payload: TokenViewPayload): WebviewHandle {
  return showPanel('tokens', payload, `Tokens: ${payload.title}`);
}

export function showChunkContext(payload: ContextViewPayload): WebviewHandle {
  return showPanel('context', payload, `Context: ${payload.chunk.qualifiedName}`);
}

export function showOverview(payload: OverviewPayload): WebviewHandle {
  return showPanel('overview', payload, 'Dataset overview');
}
