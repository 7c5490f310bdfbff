/**
 * Atomic output folder: everything is written into a temp folder next to the target
 * (`.<name>.tmp-<pid>-<n>`, holding a marker file while it is incomplete), each file flushed to disk,
 * then the folder is renamed into place (the previous output, if any, is moved aside to `<temp>.old`
 * and removed only after the rename succeeded). `abort()` removes the temp folder: a cancelled or
 * failed run leaves nothing. A run killed half-way is repaired by the next one (recoverOutput): its
 * temp folder is removed and a previous output it had moved aside is put back.
 *
 * The target is only ever replaced when this tool wrote it (checkOutputFolder): a folder with a
 * manifest.json of this tool listing every file in it, or an empty folder; never the repository, its
 * git folder or the cache, nor a folder that contains one of them.
 *
 * The bytes go through a WriterThread: it writes, hashes and flushes (fdatasync, in the background)
 * each file while this thread produces the next pieces; `commit()` waits for every flush before the rename.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { AbortError, fsProblem, isFsError, UsageError } from '../errors';
import { WriterThread } from './writerThread';

export interface WrittenFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** A path the output folder must never be, nor contain (replacing the folder would delete it). */
export interface ProtectedPath {
  /** What it is, for the message: "repository", "git folder", "cache". */
  label: string;
  path: string;
  /** Nor may the output folder be inside it (the git folder). */
  noInside?: boolean;
}

/** Files of an output folder that no manifest lists (the manifests themselves). */
export const MANIFEST_FILES = ['manifest.json', 'MANIFEST_ENHANCED.json'];

/**
 * An output (or temp) folder inside the repository gets its own `.gitignore` of `*`, from the moment it is
 * created: git, Source Control and "Stage all" never see a dataset. Not listed in the manifest (the same data
 * files wherever the folder is); accepted as this tool's file when it holds exactly this.
 */
export const GITIGNORE = '.gitignore';
export const GITIGNORE_TEXT = '# written by Commit Corpus: this dataset folder stays out of git\n*\n';

/** Files of an output folder that are the tool's own but not data: the manifests and our .gitignore. */
export function isOwnFile(dir: string, rel: string): boolean {
  if (MANIFEST_FILES.includes(rel)) return true;
  if (rel !== GITIGNORE) return false;
  try {
    return fs.readFileSync(path.join(dir, rel), 'utf8') === GITIGNORE_TEXT;
  } catch {
    return false;
  }
}

/** In a temp folder while it is being written: only folders holding it (or a whole dataset) are removed as stale. */
export const PARTIAL_MARKER = '.commit-corpus-partial';

let counter = 0;

export class AtomicDir {
  readonly tmp: string;
  readonly files: WrittenFile[] = [];
  private done = false;
  private readonly open = new Set<string>();
  private writer: WriterThread | null = null;

  /**
   * Checks that `target` may be replaced (see checkOutputFolder) and creates the temp folder beside it; with
   * `ignoredIn` (the repository) and the target inside it, the folder gets its GITIGNORE first.
   */
  constructor(
    readonly target: string,
    private readonly protect: ProtectedPath[] = [],
    ignoredIn?: string,
  ) {
    checkOutputFolder(target, protect);
    const parent = path.dirname(path.resolve(target));
    this.tmp = path.join(parent, `.${path.basename(target)}.tmp-${process.pid}-${++counter}`);
    try {
      fs.mkdirSync(parent, { recursive: true });
      recoverOutput(target, 'dead');
      fs.rmSync(this.tmp, { recursive: true, force: true });
      fs.mkdirSync(this.tmp, { recursive: true });
      if (ignoredIn && within(path.resolve(target), path.resolve(ignoredIn))) fs.writeFileSync(path.join(this.tmp, GITIGNORE), GITIGNORE_TEXT);
      fs.writeFileSync(path.join(this.tmp, PARTIAL_MARKER), '');
    } catch (e) {
      fs.rmSync(this.tmp, { recursive: true, force: true });
      throw isFsError(e) ? new UsageError(`Cannot write the output folder: ${fsProblem(e, parent)}.`) : e;
    }
  }

  /** Writes a file (relative path with `/`), records its size and sha256. */
  write(rel: string, data: string | Uint8Array | Iterable<string | Uint8Array>): WrittenFile {
    const s = this.stream(rel);
    const parts: Iterable<string | Uint8Array> = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
    for (const part of parts) s.write(part);
    return s.close();
  }

  /** A file written piece by piece (recorded on close). */
  stream(rel: string): { write(data: string | Uint8Array): void; close(): WrittenFile } {
    if (this.done) throw new Error('output already committed or aborted');
    const p = path.join(this.tmp, ...rel.split('/'));
    fs.mkdirSync(path.dirname(p), { recursive: true });
    this.writer ??= new WriterThread();
    const writer = this.writer;
    const file = writer.open(p);
    this.open.add(rel);
    let bytes = 0;
    let pending: string[] = [];
    let pendingLen = 0;
    const flush = () => {
      if (!pending.length) return;
      bytes += writer.writeString(file, pending.length === 1 ? pending[0] : pending.join(''));
      pending = [];
      pendingLen = 0;
    };
    let closed: WrittenFile | null = null;
    return {
      write: (data) => {
        if (closed) throw new Error(`${rel} is closed`);
        if (typeof data === 'string') {
          pending.push(data);
          pendingLen += data.length;
          if (pendingLen > 1 << 20) flush();
        } else {
          flush();
          writer.writeBytes(file, data);
          bytes += data.byteLength;
        }
      },
      close: () => {
        if (!closed) {
          flush();
          closed = { path: rel, bytes, sha256: writer.close(file) };
          this.open.delete(rel);
          this.files.push(closed);
        }
        return closed;
      },
    };
  }

  /**
   * Flushes every file, then puts the folder in place. `mayReplace` is asked right before the rename
   * (a cancel that came during the flush stops here: AbortError, the previous output untouched).
   */
  async commit(mayReplace: () => boolean = () => true): Promise<void> {
    if (this.done) throw new Error('output already committed or aborted');
    if (this.open.size) throw new Error('output has unclosed files');
    try {
      await this.writer?.sync();
    } catch (e) {
      if (this.done) throw new Error('output aborted while its files were being flushed', { cause: e });
      throw isFsError(e) ? new Error(`Cannot write the output folder: ${fsProblem(e, this.tmp)}.`, { cause: e }) : e;
    }
    if (this.done) throw new Error('output aborted while its files were being flushed');
    // the target may have changed while the run went on: the same rule as at the start
    checkOutputFolder(this.target, this.protect);
    if (!mayReplace()) throw new AbortError();
    fs.rmSync(path.join(this.tmp, PARTIAL_MARKER), { force: true });
    swapInto(this.tmp, path.resolve(this.target));
    this.done = true;
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    this.writer?.stop();
    this.open.clear();
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** Renames `tmp` to `target`, moving a previous `target` aside to `<tmp>.old` first and removing it after. */
function swapInto(tmp: string, target: string): void {
  let old: string | null = null;
  if (fs.existsSync(target)) {
    old = `${tmp}.old`;
    fs.renameSync(target, old);
  }
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    if (old) fs.renameSync(old, target);
    throw e;
  }
  if (old) fs.rmSync(old, { recursive: true, force: true });
  try {
    const fd = fs.openSync(path.dirname(target), 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch {
    /* directory fsync is not supported everywhere */
  }
}

/** `p` with symbolic links resolved as far as it exists (the rest appended). */
function realPath(p: string): string {
  const abs = path.resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      return path.join(fs.realpathSync(cur), ...rest.reverse());
    } catch {
      const up = path.dirname(cur);
      if (up === cur) return abs;
      rest.push(path.basename(cur));
      cur = up;
    }
  }
}

/** Is `inner` the same as or inside `outer` (both real, absolute)? */
export function within(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The manifest of a dataset folder this tool wrote, or null. */
function ourManifest(dir: string): { files?: Array<{ path: string }> } | null {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { tool?: { name?: string }; files?: Array<{ path: string }> };
    return m?.tool?.name === 'commit-corpus' ? m : null;
  } catch {
    return null;
  }
}

/** Relative paths (with `/`) of everything in `dir` that is not a folder, symbolic links included (never followed). */
function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, r));
    else out.push(r);
  }
  return out;
}

/**
 * Throws a UsageError (one sentence) unless `target` may be replaced by a build: it does not exist, or is an
 * empty folder, or is a dataset this tool wrote (its manifest.json lists every file in it) — and it is none
 * of the protected paths (the repository, its git folder, the cache) nor contains one.
 */
export function checkOutputFolder(target: string, protect: ProtectedPath[] = []): void {
  const abs = path.resolve(target);
  const real = realPath(abs);
  for (const p of protect) {
    const pr = realPath(p.path);
    if (within(pr, real)) throw new UsageError(`Output folder ${abs} ${pr === real ? 'is' : 'contains'} the ${p.label} (${p.path}): choose a folder outside it.`);
    if (p.noInside && within(real, pr)) throw new UsageError(`Output folder ${abs} is inside the ${p.label} (${p.path}): choose another folder.`);
  }
  let st: fs.Stats;
  try {
    st = fs.lstatSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new UsageError(`Cannot use output folder ${abs}: ${fsProblem(e, abs)}.`);
  }
  if (st.isSymbolicLink()) throw new UsageError(`Output folder ${abs} is a symbolic link: give the folder it points to, or a new folder.`);
  if (!st.isDirectory()) throw new UsageError(`Output folder ${abs} exists and is not a folder: choose a new or empty folder.`);
  let files: string[];
  try {
    files = listFiles(abs);
  } catch (e) {
    throw new UsageError(`Cannot use output folder ${abs}: ${fsProblem(e, abs)}.`);
  }
  if (files.length === 0) return;
  const manifest = ourManifest(abs);
  if (!manifest) throw new UsageError(`Output folder ${abs} is not empty and is not a dataset written by Commit Corpus (no manifest.json of it): choose a new or empty folder.`);
  const listed = new Set((manifest.files ?? []).map((f) => f.path));
  const foreign = files.filter((f) => !listed.has(f) && !isOwnFile(abs, f));
  if (foreign.length) {
    throw new UsageError(
      `Output folder ${abs} holds ${foreign.length === 1 ? 'a file' : `${foreign.length} files`} that Commit Corpus did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}): move ${foreign.length === 1 ? 'it' : 'them'} away or choose another folder.`,
    );
  }
}

/**
 * Repairs what runs killed half-way left beside `target`: temp folders of processes that no longer exist
 * (`'dead'`, at the start of a run) or of process `pid` (after its build thread was terminated) are removed,
 * and a previous output that such a run had moved aside is put back when the target is missing.
 * Only folders of this tool are touched (a temp folder holds its marker or a whole dataset of this tool).
 */
export function recoverOutput(target: string, pids: 'dead' | number): void {
  const abs = path.resolve(target);
  const parent = path.dirname(abs);
  const prefix = `.${path.basename(abs)}.tmp-`;
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return;
  }
  // moved-aside outputs first: one of them may be the target again
  names.sort((a, b) => Number(b.endsWith('.old')) - Number(a.endsWith('.old')));
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid)) continue;
    if (pids === 'dead' ? pid === process.pid || isAlive(pid) : pid !== pids) continue;
    const dir = path.join(parent, name);
    if (name.endsWith('.old')) {
      if (!ourManifest(dir)) continue;
      if (!fs.existsSync(abs)) fs.renameSync(dir, abs);
      else fs.rmSync(dir, { recursive: true, force: true });
    } else if (fs.existsSync(path.join(dir, PARTIAL_MARKER)) || ourManifest(dir)) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * Copies a dataset folder this tool wrote to `target` by the same rules as a build (checkOutputFolder, a
 * temp folder renamed into place): the editor's export of the last build.
 */
export function copyDataset(from: string, target: string, protect: ProtectedPath[] = [], ignoredIn?: string): void {
  if (!ourManifest(from)) throw new UsageError(`${from} is not a dataset written by Commit Corpus (no manifest.json of it).`);
  checkOutputFolder(target, protect);
  const parent = path.dirname(path.resolve(target));
  const tmp = path.join(parent, `.${path.basename(target)}.tmp-${process.pid}-${++counter}`);
  try {
    fs.mkdirSync(parent, { recursive: true });
    recoverOutput(target, 'dead');
    fs.mkdirSync(tmp);
    if (ignoredIn && within(path.resolve(target), path.resolve(ignoredIn))) fs.writeFileSync(path.join(tmp, GITIGNORE), GITIGNORE_TEXT);
    fs.writeFileSync(path.join(tmp, PARTIAL_MARKER), '');
    for (const f of listFiles(from)) {
      if (f === GITIGNORE && isOwnFile(from, f)) continue;
      fs.mkdirSync(path.dirname(path.join(tmp, f)), { recursive: true });
      fs.copyFileSync(path.join(from, f), path.join(tmp, f));
    }
    fs.rmSync(path.join(tmp, PARTIAL_MARKER));
    swapInto(tmp, path.resolve(target));
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw isFsError(e) ? new UsageError(`Cannot write the output folder: ${fsProblem(e, parent)}.`) : e;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Size and sha256 of a file, read in blocks. */
export function fileSha256(file: string): { bytes: number; sha256: string } {
  const fd = fs.openSync(file, 'r');
  try {
    const h = createHash('sha256');
    const block = Buffer.allocUnsafe(8 << 20);
    let bytes = 0;
    for (let n = fs.readSync(fd, block, 0, block.length, null); n > 0; n = fs.readSync(fd, block, 0, block.length, null)) {
      h.update(block.subarray(0, n));
      bytes += n;
    }
    return { bytes, sha256: h.digest('hex') };
  } finally {
    fs.closeSync(fd);
  }
}

/** True when `dir` holds its manifest.json with sha256 `manifestSha256` and every file it lists, byte for byte. */
export function datasetIntact(dir: string, manifestSha256: string): boolean {
  try {
    const text = fs.readFileSync(path.join(dir, 'manifest.json'));
    if (sha256(text) !== manifestSha256) return false;
    const m = JSON.parse(text.toString('utf8')) as { files?: WrittenFile[] };
    const files = m.files ?? [];
    // sizes first: a missing or resized file answers without hashing anything
    for (const f of files) if (fs.statSync(path.join(dir, ...f.path.split('/'))).size !== f.bytes) return false;
    for (const f of files) if (fileSha256(path.join(dir, ...f.path.split('/'))).sha256 !== f.sha256) return false;
    return true;
  } catch {
    return false;
  }
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Deterministic JSON (sorted keys, 2-space indent, trailing newline). */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) o[k] = sortKeys((v as Record<string, unknown>)[k]);
    return o;
  }
  return v;
}

/** JSON Lines, produced lazily in blocks (large datasets never become one string). */
export function* jsonl(rows: Iterable<unknown>): Generator<string> {
  let s = '';
  for (const r of rows) {
    s += JSON.stringify(r) + '\n';
    if (s.length > 1 << 20) {
      yield s;
      s = '';
    }
  }
  if (s) yield s;
}

export function percentiles(values: readonly number[], ps = [50, 90, 95, 99]): Record<string, number> {
  const out: Record<string, number> = {};
  if (values.length === 0) return out;
  const s = [...values].sort((a, b) => a - b);
  for (const p of ps) out[`p${p}`] = s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
  out.min = s[0];
  out.max = s[s.length - 1];
  out.mean = Math.round((s.reduce((a, b) => a + b, 0) / s.length) * 100) / 100;
  return out;
}
