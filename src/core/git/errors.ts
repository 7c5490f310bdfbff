/** Errors raised by the history engine. Every failure that stops a run is a GitError with a stable code. */
export type GitErrorCode =
  | 'not-a-repo'
  | 'bad-ref'
  | 'unknown-commit'
  | 'missing-object'
  | 'corrupt-object'
  | 'read-only'
  | 'aborted';

export class GitError extends Error {
  constructor(
    public readonly code: GitErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = code === 'aborted' ? 'AbortError' : 'GitError';
  }
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
