/**
 * Append-only temp file for what a run needs again only later: example texts (at write time), token ids
 * and signatures (after the token pass), so they do not stay in memory while the threads that produce
 * them run. On POSIX systems the file is unlinked (and its folder removed) as soon as it is open: nothing is
 * left on disk even when the process is killed; elsewhere dispose() removes it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const PENDING_BYTES = 1 << 20;

export interface SpillRef {
  offset: number;
  bytes: number;
}

export class SpillStore {
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'commit-corpus-spill-'));
  private readonly file = path.join(this.dir, 'texts');
  private readonly fd = fs.openSync(this.file, 'w+');
  /** Bytes written so far (the file's, then the pending buffer's). */
  private size = 0;
  /** Small writes gather here and go to the file 1 MiB at a time (a read of pending bytes writes them first). */
  private readonly pending = Buffer.allocUnsafe(PENDING_BYTES);
  private pendingBytes = 0;
  private last: { ref: SpillRef; text: string } | null = null;

  constructor() {
    try {
      fs.unlinkSync(this.file);
      fs.rmdirSync(this.dir);
    } catch {
      /* an open file cannot be unlinked here (Windows): dispose() removes it */
    }
  }

  put(text: string): SpillRef {
    const buf = Buffer.from(text, 'utf8');
    const ref = { offset: this.size, bytes: buf.length };
    this.append(buf);
    return ref;
  }

  private append(bytes: Uint8Array): void {
    if (this.pendingBytes + bytes.length > PENDING_BYTES) this.flush();
    if (bytes.length >= PENDING_BYTES) fs.writeSync(this.fd, bytes, 0, bytes.length, this.size);
    else {
      this.pending.set(bytes, this.pendingBytes);
      this.pendingBytes += bytes.length;
    }
    this.size += bytes.length;
  }

  private flush(): void {
    if (!this.pendingBytes) return;
    fs.writeSync(this.fd, this.pending, 0, this.pendingBytes, this.size - this.pendingBytes);
    this.pendingBytes = 0;
  }

  get(ref: SpillRef): string {
    if (this.last && this.last.ref === ref) return this.last.text;
    const text = Buffer.from(this.read(ref)).toString('utf8');
    this.last = { ref, text };
    return text;
  }

  /** Keeps typed arrays' bytes, one after the other (read back as one array with getInt32 / getUint32). */
  putArrays(...arrays: Array<Int32Array | Uint32Array>): SpillRef {
    const ref = { offset: this.size, bytes: 0 };
    for (const a of arrays) {
      this.append(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      ref.bytes += a.byteLength;
    }
    return ref;
  }

  getInt32(ref: SpillRef): Int32Array {
    return new Int32Array(this.read(ref).buffer);
  }

  getUint32(ref: SpillRef): Uint32Array {
    return new Uint32Array(this.read(ref).buffer);
  }

  /** The bytes of `ref` in a new buffer of their own (so typed views over it are aligned). */
  private read(ref: SpillRef): Uint8Array {
    if (ref.offset + ref.bytes > this.size - this.pendingBytes) this.flush();
    const buf = new Uint8Array(ref.bytes);
    let read = 0;
    while (read < ref.bytes) {
      const n = fs.readSync(this.fd, buf, read, ref.bytes - read, ref.offset + read);
      if (n === 0) throw new Error('spill file is shorter than expected');
      read += n;
    }
    return buf;
  }

  dispose(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
