/** Errors every shell maps the same way (CLI exit codes, editor notifications). No imports: a leaf module. */

/** Bad input from the user: a flag, a setting, a path (CLI exit code 2). The message is one sentence. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The run was cancelled (CLI exit code 130); nothing was written. */
export class AbortError extends Error {
  override name = 'AbortError';
  constructor() {
    super('cancelled');
  }
}

/** One sentence for a failed file-system call on `what` (a folder or file the tool needed), by errno code. */
export function fsProblem(e: unknown, what: string): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EROFS':
      return `${what} is on a read-only file system`;
    case 'EACCES':
    case 'EPERM':
      return `${what} is not writable (permission denied)`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `the disk holding ${what} is full`;
    case 'ENOTDIR':
      return `a part of the path of ${what} is a file, not a folder`;
    case 'ENAMETOOLONG':
      return `the path of ${what} is too long`;
    case 'EISDIR':
      return `${what} is a folder`;
    case 'ENOENT':
      return `${what} does not exist`;
    default:
      return `${what}: ${(e as Error)?.message ?? String(e)}`;
  }
}

/** True for errors fsProblem words well (the file system refused; not a bug of ours). */
export function isFsError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}
