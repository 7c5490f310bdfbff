/**
 * Append-only temp file for large strings that are needed again only at write time (example texts),
 * so they do not stay in memory for the whole run. Removed by dispose().
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface SpillRef {
  offset: number;
  bytes: number;
}

export class SpillStore {
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'commit-corpus-spill-'));
  private readonly file = path.join(this.dir, 'texts');
  private readonly fd = fs.openSync(this.file, 'w+');
  private size = 0;
  private last: { ref: SpillRef; text: string } | null = null;

  put(text: string): SpillRef {
    const buf = Buffer.from(text, 'utf8');
    fs.writeSync(this.fd, buf, 0, buf.length, this.size);
    const ref = { offset: this.size, bytes: buf.length };
    this.size += buf.length;
    return ref;
  }

  get(ref: SpillRef): string {
    if (this.last && this.last.ref === ref) return this.last.text;
    const buf = Buffer.alloc(ref.bytes);
    let read = 0;
    while (read < ref.bytes) read += fs.readSync(this.fd, buf, read, ref.bytes - read, ref.offset + read);
    const text = buf.toString('utf8');
    this.last = { ref, text };
    return text;
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
