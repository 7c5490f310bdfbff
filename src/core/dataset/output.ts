/**
 * Atomic output folder: everything is written into a temp folder next to the target
 * (`.<name>.tmp-<pid>-<n>`), each file flushed to disk, then the folder is renamed into place
 * (the previous output, if any, is moved aside and removed only after the rename succeeded).
 * `abort()` removes the temp folder: a cancelled or failed run leaves nothing.
 *
 * The bytes go through a WriterThread: it writes, hashes and flushes (fdatasync, in the background)
 * each file while this thread produces the next pieces; `commit()` waits for every flush before the rename.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { WriterThread } from './writerThread';

export interface WrittenFile {
  path: string;
  bytes: number;
  sha256: string;
}

let counter = 0;

export class AtomicDir {
  readonly tmp: string;
  readonly files: WrittenFile[] = [];
  private done = false;
  private readonly open = new Set<string>();
  private writer: WriterThread | null = null;

  constructor(readonly target: string) {
    const parent = path.dirname(path.resolve(target));
    fs.mkdirSync(parent, { recursive: true });
    removeStale(parent, path.basename(target));
    this.tmp = path.join(parent, `.${path.basename(target)}.tmp-${process.pid}-${++counter}`);
    fs.rmSync(this.tmp, { recursive: true, force: true });
    fs.mkdirSync(this.tmp, { recursive: true });
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

  async commit(): Promise<void> {
    if (this.done) throw new Error('output already committed or aborted');
    if (this.open.size) throw new Error('output has unclosed files');
    try {
      await this.writer?.sync();
    } catch (e) {
      if (this.done) throw new Error('output aborted while its files were being flushed', { cause: e });
      throw e;
    }
    if (this.done) throw new Error('output aborted while its files were being flushed');
    const target = path.resolve(this.target);
    let old: string | null = null;
    if (fs.existsSync(target)) {
      old = `${this.tmp}.old`;
      fs.renameSync(target, old);
    }
    try {
      fs.renameSync(this.tmp, target);
    } catch (e) {
      if (old) fs.renameSync(old, target);
      throw e;
    }
    this.done = true;
    if (old) fs.rmSync(old, { recursive: true, force: true });
    try {
      const fd = fs.openSync(path.dirname(target), 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    } catch {
      /* directory fsync is not supported everywhere */
    }
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    this.writer?.stop();
    this.open.clear();
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** Removes temp folders left by runs of processes that no longer exist (e.g. killed by a second Ctrl-C). */
function removeStale(parent: string, name: string): void {
  const prefix = `.${name}.tmp-`;
  for (const entry of fs.readdirSync(parent)) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
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

export function percentiles(values: number[], ps = [50, 90, 95, 99]): Record<string, number> {
  const out: Record<string, number> = {};
  if (values.length === 0) return out;
  const s = [...values].sort((a, b) => a - b);
  for (const p of ps) out[`p${p}`] = s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
  out.min = s[0];
  out.max = s[s.length - 1];
  out.mean = Math.round((s.reduce((a, b) => a + b, 0) / s.length) * 100) / 100;
  return out;
}
