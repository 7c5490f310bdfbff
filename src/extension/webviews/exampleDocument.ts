/** Opens a serialized example as an untitled `commit-corpus-example` document (coloured by syntaxes/). */
import * as vscode from 'vscode';

export const EXAMPLE_LANGUAGE = 'commit-corpus-example';

export async function openExampleDocument(text: string, opts: { viewColumn?: vscode.ViewColumn; preview?: boolean } = {}): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument({ language: EXAMPLE_LANGUAGE, content: text });
  return vscode.window.showTextDocument(doc, { viewColumn: opts.viewColumn ?? vscode.ViewColumn.Active, preview: opts.preview ?? true });
}
