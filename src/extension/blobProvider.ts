/**
 * Read-only documents of repository files at a commit, on the `commit-corpus:` scheme (URIs made by
 * blobUri in ./webviews/uris.ts). The text is read by a worker; a path missing at that commit (the
 * empty side of an added or deleted file) is an empty document.
 */
import * as vscode from 'vscode';
import { Disposable } from './disposable';
import { BLOB_SCHEME, parseBlobUri } from './webviews/uris';
import type { WorkerPool } from './workerPool';

/** The commit id used for "no such side" (added file's old side, a root commit's parent). */
export const EMPTY_COMMIT = 'empty';

export class BlobContentProvider extends Disposable implements vscode.TextDocumentContentProvider {
  constructor(private readonly pool: WorkerPool) {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(BLOB_SCHEME, this));
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ref = parseBlobUri(uri);
    if (!ref) throw new Error(`not a Commit Corpus blob URI: ${uri.toString()}`);
    if (ref.commit === EMPTY_COMMIT) return '';
    const text = await this.pool.request({ kind: 'readBlob', repo: ref.repo, commit: ref.commit, path: ref.path });
    return text ?? '';
  }
}
