/** Errors raised by the history engine. Every failure that stops a run is a GitError with a stable code. */
export type GitErrorCode = 'not-a-repo' | 'bad-ref' | 'unknown-commit' | 'missing-object' | 'corrupt-object' | 'read-only' | 'aborted';

export class GitError extends Error {
  /** For 'missing-object' / 'corrupt-object' about one object: its id (absent for a damaged pack or index). */
  readonly oid?: string;

  constructor(
    public readonly code: GitErrorCode,
    message: string,
    options?: { cause?: unknown; oid?: string },
  ) {
    super(message, options);
    this.name = code === 'aborted' ? 'AbortError' : 'GitError';
    if (options?.oid !== undefined) this.oid = options.oid;
  }
}

/**
 * An object the history needs cannot be read, as one sentence naming it and what it was needed for,
 * e.g. `Object 3fa7… (blob of src/lib.rs at commit 1a2b3c4d5e6f) is missing from the repository; …`.
 * `what` describes the object ("blob of src/lib.rs at commit 1a2b3c4d5e6f"); `skips` says what
 * --allow-missing-objects would skip ("files", "commits"), mentioned when `hint`. A damaged pack's
 * GitError passes as it is.
 */
export function objectError(err: unknown, oid: string, what: string, skips: 'files' | 'commits', hint = true): GitError {
  if (err instanceof GitError) return err;
  const fix = hint ? `run "git fsck" (or pass --allow-missing-objects to skip such ${skips})` : 'run "git fsck"';
  if (isNotFound(err)) return new GitError('missing-object', `Object ${oid} (${what}) is missing from the repository; ${fix}.`, { cause: err, oid });
  const detail = errorText(err).replace(/\.$/, '');
  return new GitError('corrupt-object', `Object ${oid} (${what}) is corrupt: ${detail}; ${fix}.`, { cause: err, oid });
}

/** A commit hash as the messages show it. */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

/** Throws an AbortError-like GitError (name "AbortError", code "aborted") when the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new GitError('aborted', 'History reading was cancelled.');
}

/** True for isomorphic-git / fs errors meaning "this object or file does not exist". */
export function isNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'NotFoundError' || code === 'ENOENT' || code === 'ENOTDIR';
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
