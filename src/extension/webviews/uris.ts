/** URIs of repository blobs at a commit, served by the `commit-corpus:` read-only content provider. */
import * as vscode from 'vscode';

export const BLOB_SCHEME = 'commit-corpus';

export interface BlobRef {
  repo: string;
  commit: string;
  path: string;
}

/** `commit-corpus:/<path>?<json {repo, commit, path}>` (the path part makes tabs show the file name and language). */
export function blobUri(repoDir: string, commit: string, filePath: string): vscode.Uri {
  const rel = filePath.replace(/^\/+/, '');
  return vscode.Uri.from({ scheme: BLOB_SCHEME, path: `/${rel}`, query: JSON.stringify({ repo: repoDir, commit, path: rel } satisfies BlobRef) });
}

/** The reverse of blobUri; undefined for any other URI. */
export function parseBlobUri(uri: vscode.Uri): BlobRef | undefined {
  if (uri.scheme !== BLOB_SCHEME) return undefined;
  try {
    const q = JSON.parse(uri.query) as Partial<BlobRef>;
    if (typeof q.repo === 'string' && typeof q.commit === 'string' && typeof q.path === 'string') return { repo: q.repo, commit: q.commit, path: q.path };
  } catch {
    // not ours
  }
  return undefined;
}
