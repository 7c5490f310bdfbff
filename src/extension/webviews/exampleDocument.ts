/**
 * Opens a serialized example as a read-only `commit-corpus-example` document named after its unit and commit
 * (`greet · 1a2b3c4d.ccx`, coloured by syntaxes/), on the `commit-corpus-example:` scheme; "Save As…" keeps a copy.
 */
import * as vscode from 'vscode';

export const EXAMPLE_LANGUAGE = 'commit-corpus-example';
const SCHEME = 'commit-corpus-example';
/** The texts of the example documents opened in this window (the newest few). */
const texts = new Map<string, string>();
const KEEP = 50;
let provider: vscode.Disposable | undefined;

/** `name` names the document (a unit's qualified name and commit); a file-name-safe form of it is used. */
export async function openExampleDocument(text: string, opts: { name?: string; viewColumn?: vscode.ViewColumn; preview?: boolean } = {}): Promise<vscode.TextEditor> {
  provider ??= vscode.workspace.registerTextDocumentContentProvider(SCHEME, { provideTextDocumentContent: (uri) => texts.get(uri.path) ?? '' });
  const base = (opts.name ?? 'example').replace(/[\\/:*?"<>|\p{Cc}]+/gu, '_').slice(0, 120);
  let p = `/${base}.ccx`;
  for (let n = 2; texts.has(p) && texts.get(p) !== text; n++) p = `/${base} (${n}).ccx`;
  texts.set(p, text);
  if (texts.size > KEEP) texts.delete(texts.keys().next().value!);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: SCHEME, path: p }));
  const typed = doc.languageId === EXAMPLE_LANGUAGE ? doc : await vscode.languages.setTextDocumentLanguage(doc, EXAMPLE_LANGUAGE);
  return vscode.window.showTextDocument(typed, { viewColumn: opts.viewColumn ?? vscode.ViewColumn.Active, preview: opts.preview ?? true });
}
