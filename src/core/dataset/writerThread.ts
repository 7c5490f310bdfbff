/**
 * A thread that writes files and hashes them (sha256) while the calling thread produces their bytes.
 *
 * A build writes gigabytes for a large history; on the producing thread the write syscalls and the
 * hashing took most of the write phase, with the other core idle (README, Benchmarks). Here the producer copies (or UTF-8 encodes) each piece into a ring of shared memory
 * and goes on; the thread writes and hashes it. The producer blocks (Atomics.wait) only when the ring
 * is full, so memory stays bounded whatever the file sizes.
 *
 * Ring records, 16-byte aligned: a header (type, file, payload length) then the payload.
 * The shared USED counter is the number of ring bytes written and not yet consumed; the producer adds
 * a record's size after writing it, the thread subtracts it after handling it. The thread's code is a
 * self-contained script (node builtins only), so it runs the same from a bundle or from sources.
 */
import { Worker } from 'node:worker_threads';

const RING_BYTES = 16 << 20;
const MAX_PIECE = RING_BYTES / 4;
const HEADER = 16;
const MAX_FILES = 1024;
const ERROR_BYTES = 4096;
/** Control slots (Int32). */
const USED = 0;
const FAILED = 1;
const STOP = 2;
const STOPPED = 3;
const SYNCED = 4;
const CTRL_INTS = 8;
const OPEN = 1;
const DATA = 2;
const CLOSE = 3;
const SYNC = 4;
const WRAP = 5;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const { sab, ringBytes, maxFiles, errorBytes } = workerData;
const ctrl = new Int32Array(sab, 0, ${CTRL_INTS});
const status = new Int32Array(sab, ${CTRL_INTS * 4}, maxFiles);
const digests = new Uint8Array(sab, ${CTRL_INTS * 4} + maxFiles * 4, maxFiles * 32);
const errorArea = new Uint8Array(sab, ${CTRL_INTS * 4} + maxFiles * 36, errorBytes);
const ringStart = ${CTRL_INTS * 4} + maxFiles * 36 + errorBytes;
const ring = Buffer.from(sab, ringStart, ringBytes);
const head = new Int32Array(sab, ringStart, ringBytes / 4);
const files = new Map(); // file → { fd, hash }
const closed = []; // fds of finished files: flushed (fdatasync) in the background, closed at SYNC
const flushes = [];
let pos = 0;
function closeAll() {
  for (const f of files.values()) try { fs.closeSync(f.fd); } catch {}
  for (const fd of closed) try { fs.closeSync(fd); } catch {}
  files.clear();
  closed.length = 0;
}
function stop() {
  closeAll();
  Atomics.store(ctrl, ${STOPPED}, 1);
  Atomics.notify(ctrl, ${STOPPED});
}
async function main() {
  for (;;) {
    if (Atomics.load(ctrl, ${STOP})) return stop();
    if (Atomics.load(ctrl, ${USED}) === 0) {
      Atomics.wait(ctrl, ${USED}, 0, 1000);
      continue;
    }
    const type = head[pos / 4], file = head[pos / 4 + 1], len = head[pos / 4 + 2];
    let size = ${HEADER} + Math.ceil(len / ${HEADER}) * ${HEADER};
    const payload = ring.subarray(pos + ${HEADER}, pos + ${HEADER} + len);
    if (type === ${WRAP}) size = ringBytes - pos;
    else if (type === ${OPEN}) files.set(file, { fd: fs.openSync(payload.toString('utf8'), 'w'), hash: createHash('sha256') });
    else if (type === ${DATA}) {
      const f = files.get(file);
      f.hash.update(payload);
      let done = 0;
      while (done < len) done += fs.writeSync(f.fd, payload, done, len - done);
    } else if (type === ${CLOSE}) {
      const f = files.get(file);
      files.delete(file);
      closed.push(f.fd);
      const flushed = new Promise((resolve, reject) => fs.fdatasync(f.fd, (e) => (e ? reject(e) : resolve())));
      flushed.catch(() => {}); // awaited at SYNC
      flushes.push(flushed);
      digests.set(f.hash.digest(), file * 32);
      Atomics.store(status, file, 1);
      Atomics.notify(status, file);
    } else if (type === ${SYNC}) {
      await Promise.all(flushes);
      flushes.length = 0;
      closeAll();
      Atomics.store(ctrl, ${SYNCED}, 1);
      Atomics.notify(ctrl, ${SYNCED});
    }
    pos = (pos + size) % ringBytes;
    Atomics.sub(ctrl, ${USED}, size);
    Atomics.notify(ctrl, ${USED});
  }
}
// run from a task, not from the evaluation of this script (a thread terminated while still evaluating its
// script can hit a Node assertion); once stopped, main() returns and the thread ends by itself
setImmediate(() => main().catch((e) => {
  const msg = Buffer.from(String(e && e.message || e)).subarray(0, errorBytes - 4);
  new DataView(errorArea.buffer, errorArea.byteOffset).setInt32(0, msg.length, true);
  errorArea.set(msg, 4);
  Atomics.store(ctrl, ${FAILED}, 1);
  Atomics.notify(ctrl, ${USED});
  Atomics.notify(ctrl, ${SYNCED});
  for (let i = 0; i < maxFiles; i++) Atomics.notify(status, i);
  stop();
}));
`;

export class WriterThread {
  private readonly sab = new SharedArrayBuffer(CTRL_INTS * 4 + MAX_FILES * 36 + ERROR_BYTES + RING_BYTES);
  private readonly ctrl = new Int32Array(this.sab, 0, CTRL_INTS);
  private readonly status = new Int32Array(this.sab, CTRL_INTS * 4, MAX_FILES);
  private readonly digests = new Uint8Array(this.sab, CTRL_INTS * 4 + MAX_FILES * 4, MAX_FILES * 32);
  private readonly errorArea = new Uint8Array(this.sab, CTRL_INTS * 4 + MAX_FILES * 36, ERROR_BYTES);
  private readonly ringStart = CTRL_INTS * 4 + MAX_FILES * 36 + ERROR_BYTES;
  private readonly ring = Buffer.from(this.sab, this.ringStart, RING_BYTES);
  private readonly head = new Int32Array(this.sab, this.ringStart, RING_BYTES / 4);
  private readonly worker: Worker;
  private pos = 0;
  private files = 0;
  private stopped = false;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sab: this.sab, ringBytes: RING_BYTES, maxFiles: MAX_FILES, errorBytes: ERROR_BYTES } });
    this.worker.unref();
    this.worker.on('error', () => undefined); // reported through the shared FAILED flag
  }

  /** Opens `path` for writing (its folder must exist); returns the file's number. */
  open(path: string): number {
    if (this.files >= MAX_FILES) throw new Error(`more than ${MAX_FILES} files in one output`);
    const file = this.files++;
    const p = Buffer.from(path, 'utf8');
    const at = this.reserve(p.length);
    this.ring.set(p, at + HEADER);
    this.publish(at, OPEN, file, p.length);
    return file;
  }

  /** Appends a string (UTF-8) to a file; returns its byte length. */
  writeString(file: number, s: string): number {
    const n = Buffer.byteLength(s, 'utf8');
    if (n > MAX_PIECE) {
      this.writeBytes(file, Buffer.from(s, 'utf8'));
      return n;
    }
    const at = this.reserve(n);
    this.ring.write(s, at + HEADER, n, 'utf8');
    this.publish(at, DATA, file, n);
    return n;
  }

  /** Appends bytes to a file (copied: the caller may reuse them at once). */
  writeBytes(file: number, bytes: Uint8Array): void {
    for (let off = 0; off < bytes.length; off += MAX_PIECE) {
      const piece = bytes.subarray(off, Math.min(bytes.length, off + MAX_PIECE));
      const at = this.reserve(piece.length);
      this.ring.set(piece, at + HEADER);
      this.publish(at, DATA, file, piece.length);
    }
  }

  /** Closes a file once everything before is written; returns its sha256 (hex). Blocks until then. */
  close(file: number): string {
    const at = this.reserve(0);
    this.publish(at, CLOSE, file, 0);
    while (Atomics.load(this.status, file) === 0) {
      this.check();
      Atomics.wait(this.status, file, 0, 100);
    }
    this.check();
    return Buffer.from(this.digests.subarray(file * 32, file * 32 + 32)).toString('hex');
  }

  /** Flushes (fdatasync) and closes every file written; resolves when done. The thread then ends. */
  async sync(): Promise<void> {
    const at = this.reserve(0);
    this.publish(at, SYNC, 0, 0);
    // polled with a timer: it keeps the event loop alive (the thread itself is unref'd)
    while (Atomics.load(this.ctrl, SYNCED) === 0) {
      this.check();
      if (this.stopped) throw new Error('output writer stopped before its files were flushed');
      await new Promise((r) => setTimeout(r, 2));
    }
    this.check();
    this.stop();
  }

  /** Stops the thread (after the piece it is writing) and closes its files. Waits for that. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.notify(this.ctrl, USED);
    for (let waited = 0; Atomics.load(this.ctrl, STOPPED) === 0 && waited < 60_000; waited += 100) Atomics.wait(this.ctrl, STOPPED, 0, 100);
    // it returns and ends by itself once stopped; terminated only if it never said so
    if (Atomics.load(this.ctrl, STOPPED) === 0) void this.worker.terminate();
  }

  private check(): void {
    if (Atomics.load(this.ctrl, FAILED) === 0) return;
    const n = new DataView(this.errorArea.buffer, this.errorArea.byteOffset).getInt32(0, true);
    throw new Error(`writing the output failed: ${Buffer.from(this.errorArea.subarray(4, 4 + n)).toString('utf8')}`);
  }

  /** Room for a record with `len` payload bytes at the returned ring offset (wrapping when needed). */
  private reserve(len: number): number {
    if (this.stopped) throw new Error('output writer already stopped');
    const size = HEADER + Math.ceil(len / HEADER) * HEADER;
    if (this.pos + size > RING_BYTES) {
      const rest = RING_BYTES - this.pos;
      this.waitFor(rest);
      this.head[this.pos / 4] = WRAP;
      this.head[this.pos / 4 + 2] = 0;
      this.commitBytes(rest);
      this.pos = 0;
    }
    this.waitFor(size);
    return this.pos;
  }

  private publish(at: number, type: number, file: number, len: number): void {
    this.head[at / 4] = type;
    this.head[at / 4 + 1] = file;
    this.head[at / 4 + 2] = len;
    const size = HEADER + Math.ceil(len / HEADER) * HEADER;
    this.pos = (at + size) % RING_BYTES;
    this.commitBytes(size);
  }

  private commitBytes(size: number): void {
    Atomics.add(this.ctrl, USED, size);
    Atomics.notify(this.ctrl, USED);
  }

  private waitFor(size: number): void {
    for (;;) {
      this.check();
      const used = Atomics.load(this.ctrl, USED);
      if (RING_BYTES - used >= size) return;
      Atomics.wait(this.ctrl, USED, used, 100);
    }
  }
}
