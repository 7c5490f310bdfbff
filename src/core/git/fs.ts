/**
 * A read-only filesystem for isomorphic-git, built once per repository and run.
 *
 * It implements isomorphic-git's internal FileSystem wrapper interface (`read`, `readdir`, `_stat`…)
 * and marks itself as already wrapped (`_original_unwrapped_fs`), so every isomorphic-git call uses
 * it as is instead of re-wrapping. The repository does not change during a run, so stat results,
 * directory listings and small files (refs, packed-refs, HEAD) are answered from memory, and a
 * loose-object lookup for an object that is packed is answered "not found" without a syscall.
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { GitError } from './errors';

type Stats = nodeFs.Stats;

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
  /** Real file reads (for stats/tests). */
  fileReads = 0;

  constructor(readonly gitdir: string) {
    this.objectsDir = gitdir.replace(/\/+$/, '') + '/objects/';
  }

  // ── the raw "_" commands isomorphic-git calls directly ──

  _stat(p: string): Promise<Stats> {
    return memo(this.stats, p, () => nodeFs.promises.stat(p));
  }

  _lstat(p: string): Promise<Stats> {
    return memo(this.lstats, p, () => nodeFs.promises.lstat(p));
  }

  _readdir(p: string): Promise<string[]> {
    return memo(this.dirs, p, () => nodeFs.promises.readdir(p));
  }

  async _readFile(p: string, options?: unknown): Promise<Buffer | string> {
    const enc = typeof options === 'string' ? options : (options as { encoding?: string } | undefined)?.encoding;
    const buf = await this.readBytes(p);
    return enc ? buf.toString(enc as BufferEncoding) : buf;
  }

  _readlink(p: string): Promise<string> {
    return nodeFs.promises.readlink(p);
  }

  _writeFile(): Promise<never> { return readOnly(); }
  _mkdir(): Promise<never> { return readOnly(); }
  _rmdir(): Promise<never> { return readOnly(); }
  _unlink(): Promise<never> { return readOnly(); }
  _symlink(): Promise<never> { return readOnly(); }
  _rm(): Promise<never> { return readOnly(); }

  // ── the FileSystem wrapper API ──

  async read(p: string, options: { encoding?: string } | string = {}): Promise<Buffer | string | null> {
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

  write(): Promise<never> { return readOnly(); }
  mkdir(): Promise<never> { return readOnly(); }
  rm(): Promise<never> { return readOnly(); }
  rmdir(): Promise<never> { return readOnly(); }
  writelink(): Promise<never> { return readOnly(); }

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
