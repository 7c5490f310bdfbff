/**
 * A read-only filesystem for isomorphic-git, built once per repository and run.
 *
 * It implements isomorphic-git's internal FileSystem wrapper interface (`read`, `readdir`, `_stat`…)
 * and marks itself as already wrapped (`_original_unwrapped_fs`), so every isomorphic-git call uses
 * it as is instead of re-wrapping. The repository does not change during a run, so stat results,
 * directory listings and small files (refs, packed-refs, HEAD) are answered from memory, and a
 * loose-object lookup for an object that is packed is answered "not found" without a syscall.
 *
 * For a linked worktree (`git worktree add`), paths under its own git dir are sent where git keeps
 * them: HEAD and the per-worktree refs stay in the worktree's git dir, everything shared (objects,
 * refs/heads, refs/tags, packed-refs, shallow, config…) comes from the common dir.
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { GitError } from './errors';

type Stats = nodeFs.Stats;

/** Shared by all worktrees (git's path.c common_list), unless PER_WORKTREE says otherwise. */
const COMMON = /^(?:(?:branches|common|hooks|info|logs|lost-found|objects|refs|remotes|worktrees|rr-cache|svn)(?:\/|$)|(?:config|gc\.pid|packed-refs|shallow)$)/;
const PER_WORKTREE = /^(?:info\/sparse-checkout$|logs\/HEAD$|(?:logs\/)?refs\/(?:bisect|rewritten|worktree)(?:\/|$))/;

/** Whether a path relative to a linked worktree's git dir lives in the common dir. */
export function isCommonPath(rel: string): boolean {
  return COMMON.test(rel) && !PER_WORKTREE.test(rel);
}

function notFound(p: string): NodeJS.ErrnoException {
  const e = new Error(`ENOENT: no such file or directory, '${p}'`) as NodeJS.ErrnoException;
  e.code = 'ENOENT';
  return e;
}

export class CachedFs {
  /** Marks this object as an isomorphic-git FileSystem wrapper (its constructor then returns it as is). */
  readonly _original_unwrapped_fs = nodeFs;
  private readonly stats = new Map<string, Promise<Stats>>();
  private readonly lstats = new Map<string, Promise<Stats>>();
  private readonly dirs = new Map<string, Promise<string[]>>();
  private readonly sortedDirs = new Map<string, Promise<string[]>>();
  private readonly smallFiles = new Map<string, Promise<Buffer>>();
  private readonly looseDirs = new Map<string, Promise<Set<string>>>();
  private readonly objectsDir: string;
  /** The git dir with a slash, when it differs from the common dir (a linked worktree); else null. */
  private readonly ownPrefix: string | null;
  /** Real file reads (for stats/tests). */
  fileReads = 0;

  /** `commondir`: for a linked worktree, the main git dir that holds the shared files (see isCommonPath). */
  constructor(
    readonly gitdir: string,
    readonly commondir: string = gitdir,
  ) {
    const own = gitdir.replace(/\/+$/, '');
    const common = commondir.replace(/\/+$/, '');
    this.objectsDir = common + '/objects/';
    this.ownPrefix = own === common ? null : own + '/';
  }

  /** Where a path really is: a linked worktree's shared paths are in the common dir. */
  private route(p: string): string {
    const own = this.ownPrefix;
    if (own === null || !p.startsWith(own)) return p;
    const rel = p.slice(own.length);
    return isCommonPath(rel) ? `${this.commondir.replace(/\/+$/, '')}/${rel}` : p;
  }

  // ── the raw "_" commands isomorphic-git calls directly ──

  _stat(file: string): Promise<Stats> {
    const p = this.route(file);
    return memo(this.stats, p, () => nodeFs.promises.stat(p));
  }

  _lstat(file: string): Promise<Stats> {
    const p = this.route(file);
    return memo(this.lstats, p, () => nodeFs.promises.lstat(p));
  }

  _readdir(file: string): Promise<string[]> {
    const p = this.route(file);
    return memo(this.dirs, p, () => nodeFs.promises.readdir(p));
  }

  async _readFile(p: string, options?: unknown): Promise<Buffer | string> {
    const enc = typeof options === 'string' ? options : (options as { encoding?: string } | undefined)?.encoding;
    const buf = await this.readBytes(this.route(p));
    return enc ? buf.toString(enc as BufferEncoding) : buf;
  }

  _readlink(p: string): Promise<string> {
    return nodeFs.promises.readlink(this.route(p));
  }

  _writeFile(): Promise<never> {
    return readOnly();
  }
  _mkdir(): Promise<never> {
    return readOnly();
  }
  _rmdir(): Promise<never> {
    return readOnly();
  }
  _unlink(): Promise<never> {
    return readOnly();
  }
  _symlink(): Promise<never> {
    return readOnly();
  }
  _rm(): Promise<never> {
    return readOnly();
  }

  // ── the FileSystem wrapper API ──

  async read(file: string, options: { encoding?: string } | string = {}): Promise<Buffer | string | null> {
    const p = this.route(file);
    // isomorphic-git probes the loose object path before the packs for every object: answer from memory.
    if (p.startsWith(this.objectsDir) && !(await this.looseExists(p.slice(this.objectsDir.length)))) return null;
    try {
      return await this._readFile(p, options);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
      throw err;
    }
  }

  async exists(p: string): Promise<boolean> {
    try {
      await this._stat(p);
      return true;
    } catch {
      return false;
    }
  }

  /** Sorted names, or null when not a directory (memoized: isomorphic-git lists objects/pack per object read). */
  async readdir(p: string): Promise<string[] | null> {
    try {
      return await memo(this.sortedDirs, p, async () => [...(await this._readdir(p))].sort(compareStrings));
    } catch {
      return null;
    }
  }

  async readdirDeep(dir: string): Promise<string[]> {
    const out: string[] = [];
    for (const name of (await this.readdir(dir)) ?? []) {
      const p = `${dir}/${name}`;
      const st = await this._stat(p);
      if (st.isDirectory()) out.push(...(await this.readdirDeep(p)));
      else out.push(p);
    }
    return out;
  }

  async lstat(p: string): Promise<Stats | null> {
    try {
      return await this._lstat(p);
    } catch {
      return null;
    }
  }

  async readlink(p: string): Promise<Buffer | null> {
    try {
      return Buffer.from(await this._readlink(p));
    } catch {
      return null;
    }
  }

  write(): Promise<never> {
    return readOnly();
  }
  mkdir(): Promise<never> {
    return readOnly();
  }
  rm(): Promise<never> {
    return readOnly();
  }
  rmdir(): Promise<never> {
    return readOnly();
  }
  writelink(): Promise<never> {
    return readOnly();
  }

  // ── internals ──

  /** False only for a loose-object path ("ab/cdef…") whose file does not exist. */
  private async looseExists(rest: string): Promise<boolean> {
    if (rest.length !== 41 || rest[2] !== '/' || !/^[0-9a-f]{2}\/[0-9a-f]{38}$/.test(rest)) return true;
    return (await this.looseNames(rest.slice(0, 2))).has(rest.slice(3));
  }

  private async readBytes(p: string): Promise<Buffer> {
    if (p.startsWith(this.objectsDir)) {
      if (!(await this.looseExists(p.slice(this.objectsDir.length)))) throw notFound(p);
      // Objects and packs are read once by their callers' caches; do not keep a second copy here.
      this.fileReads++;
      return nodeFs.promises.readFile(p);
    }
    return memo(this.smallFiles, p, () => {
      this.fileReads++;
      return nodeFs.promises.readFile(p);
    });
  }

  private looseNames(fanout: string): Promise<Set<string>> {
    return memo(this.looseDirs, fanout, async () => {
      try {
        return new Set(await nodeFs.promises.readdir(this.objectsDir + fanout));
      } catch {
        return new Set<string>();
      }
    });
  }
}

function memo<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (!p) {
    p = make();
    p.catch(() => undefined); // a rejected lookup is remembered too (the answer will not change)
    map.set(key, p);
  }
  return p;
}

function readOnly(): Promise<never> {
  return Promise.reject(new GitError('read-only', 'Commit Corpus reads repositories and never writes to them.'));
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Normalizes a filesystem path for isomorphic-git (which joins with "/"). */
export function toPosix(p: string): string {
  return path.resolve(p).split(path.sep).join('/');
}
