/**
 * One packfile and its .idx, read directly: the index stays as raw bytes (binary search on the
 * sorted oids, no map of 100k strings), and entries are read with positional reads of exactly their
 * bytes (the end of an entry is the next entry's offset), so the pack itself is never loaded whole.
 *
 * Formats: https://git-scm.com/docs/pack-format (index v1 and v2, pack v2 and v3).
 */
import * as fs from 'node:fs';
import { ObjectFormatError } from './parse';

/** Pack bytes are read in aligned blocks of this size; this many blocks are kept per pack. */
const BLOCK = 64 * 1024;
const BLOCKS_KEPT = 32;

export const OBJ_COMMIT = 1;
export const OBJ_TREE = 2;
export const OBJ_BLOB = 3;
export const OBJ_TAG = 4;
export const OBJ_OFS_DELTA = 6;
export const OBJ_REF_DELTA = 7;

/** A pack entry as stored: its type, inflated size, where its zlib data starts, and its delta base. */
export interface PackEntry {
  type: number;
  /** Inflated size (for a delta: the size of the delta data). */
  size: number;
  /** The entry's bytes (header included), read from the pack. */
  bytes: Buffer;
  /** Where the zlib stream starts inside `bytes`. */
  dataStart: number;
  /** OFS_DELTA: the base entry's offset. */
  baseOffset?: number;
  /** REF_DELTA: the base object's oid. */
  baseOid?: string;
}

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/** Eight hex digits at `at` as an unsigned 32-bit number, or -1 when not hex. */
function hexWord(s: string, at: number): number {
  let w = 0;
  for (let i = at; i < at + 8; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? HEX[c] : -1;
    if (v < 0) return -1;
    w = w * 16 + v;
  }
  return w;
}

export class PackFile {
  private readonly fanout: Uint32Array;
  private readonly count: number;
  private readonly version: number;
  /** Entry offsets in pack order, to find where each entry ends. */
  private sortedOffsets: Float64Array | null = null;
  private fd: number | null = null;
  private readonly packSize: number;
  private scratch = Buffer.allocUnsafe(64 * 1024);
  private readonly blocks = new Map<number, Buffer>();
  /** read() system calls made (for tests and benchmarks). */
  reads = 0;

  constructor(
    readonly idxPath: string,
    readonly packPath: string,
    private readonly idx: Buffer = fs.readFileSync(idxPath),
  ) {
    const b = this.idx;
    this.version = b.readUInt32BE(0) === 0xff744f63 ? b.readUInt32BE(4) : 1;
    if (this.version !== 1 && this.version !== 2) throw new ObjectFormatError(`${idxPath}: unsupported pack index version ${this.version}.`);
    const base = this.version === 2 ? 8 : 0;
    this.fanout = new Uint32Array(256);
    for (let i = 0; i < 256; i++) this.fanout[i] = b.readUInt32BE(base + i * 4);
    this.count = this.fanout[255];
    const need = this.version === 2 ? 8 + 1024 + this.count * 28 + 40 : 1024 + this.count * 24 + 40;
    if (b.length < need) throw new ObjectFormatError(`${idxPath}: truncated pack index.`);
    this.packSize = fs.statSync(packPath).size;
  }

  get objectCount(): number {
    return this.count;
  }

  /** The pack offset of an object, or -1 when this pack does not hold it. */
  find(oid: string): number {
    if (oid.length !== 40) return -1;
    const w0 = hexWord(oid, 0);
    const w1 = hexWord(oid, 8);
    const w2 = hexWord(oid, 16);
    const w3 = hexWord(oid, 24);
    const w4 = hexWord(oid, 32);
    if (w0 < 0 || w1 < 0 || w2 < 0 || w3 < 0 || w4 < 0) return -1;
    const first = w0 >>> 24;
    const b = this.idx;
    const v2 = this.version === 2;
    const names = v2 ? 8 + 1024 : 1024 + 4;
    const stride = v2 ? 20 : 24;
    let lo = first === 0 ? 0 : this.fanout[first - 1];
    let hi = this.fanout[first];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = names + mid * stride;
      let c = b.readUInt32BE(p) - w0;
      if (c === 0) c = b.readUInt32BE(p + 4) - w1;
      if (c === 0) c = b.readUInt32BE(p + 8) - w2;
      if (c === 0) c = b.readUInt32BE(p + 12) - w3;
      if (c === 0) c = b.readUInt32BE(p + 16) - w4;
      if (c === 0) return this.offsetAt(mid);
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }

  /** Full oids in this pack starting with `prefix` (lowercase hex, at least 2 digits), at most `limit`. */
  matching(prefix: string, limit = 2): string[] {
    const first = parseInt(prefix.slice(0, 2), 16);
    if (Number.isNaN(first)) return [];
    const v2 = this.version === 2;
    const names = v2 ? 8 + 1024 : 1024 + 4;
    const stride = v2 ? 20 : 24;
    const out: string[] = [];
    for (let i = first === 0 ? 0 : this.fanout[first - 1]; i < this.fanout[first] && out.length < limit; i++) {
      const oid = this.idx.toString('hex', names + i * stride, names + i * stride + 20);
      if (oid.startsWith(prefix)) out.push(oid);
    }
    return out;
  }

  private offsetAt(i: number): number {
    const b = this.idx;
    if (this.version === 1) return b.readUInt32BE(1024 + i * 24);
    const offs = 8 + 1024 + this.count * 24;
    const o = b.readUInt32BE(offs + i * 4);
    if ((o & 0x80000000) === 0) return o;
    const large = offs + this.count * 4 + (o & 0x7fffffff) * 8;
    return b.readUInt32BE(large) * 2 ** 32 + b.readUInt32BE(large + 4);
  }

  /** Where the entry starting at `offset` ends (the next entry, or the pack trailer). */
  private entryEnd(offset: number): number {
    if (!this.sortedOffsets) {
      const all = new Float64Array(this.count);
      for (let i = 0; i < this.count; i++) all[i] = this.offsetAt(i);
      all.sort();
      this.sortedOffsets = all;
    }
    const all = this.sortedOffsets;
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (all[mid] <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo < all.length ? all[lo] : this.packSize - 20;
  }

  /** Reads the entry at `offset`. Its bytes are valid until the next call (buffers are recycled). */
  entry(offset: number): PackEntry {
    const end = this.entryEnd(offset);
    const len = end - offset;
    if (len <= 0 || end > this.packSize) throw new ObjectFormatError(`${this.packPath}: bad entry offset ${offset}.`);
    let bytes: Buffer;
    const block = Math.floor(offset / BLOCK);
    if (len <= BLOCK / 4 && Math.floor((end - 1) / BLOCK) === block) {
      // Small entries come from cached aligned blocks: neighbours in the pack are read together.
      const start = offset - block * BLOCK;
      bytes = this.block(block).subarray(start, start + len);
    } else {
      if (len <= 16 << 20) {
        if (this.scratch.length < len) this.scratch = Buffer.allocUnsafe(Math.max(len, this.scratch.length * 2));
        bytes = this.scratch;
      } else {
        bytes = Buffer.allocUnsafe(len);
      }
      this.readAt(bytes, len, offset);
    }
    let p = 0;
    let c = bytes[p++];
    const type = (c >> 4) & 7;
    let size = c & 15;
    let shift = 4;
    while (c & 0x80) {
      if (p >= len) throw new ObjectFormatError(`${this.packPath}: bad entry header at ${offset}.`);
      c = bytes[p++];
      size += (c & 0x7f) * 2 ** shift;
      shift += 7;
    }
    const e: PackEntry = { type, size, bytes, dataStart: p };
    if (type === OBJ_OFS_DELTA) {
      c = bytes[p++];
      let back = c & 0x7f;
      while (c & 0x80) {
        c = bytes[p++];
        back = (back + 1) * 128 + (c & 0x7f);
      }
      e.baseOffset = offset - back;
      if (e.baseOffset < 12) throw new ObjectFormatError(`${this.packPath}: bad delta base offset at ${offset}.`);
    } else if (type === OBJ_REF_DELTA) {
      e.baseOid = bytes.toString('hex', p, p + 20);
      p += 20;
    } else if (type < OBJ_COMMIT || type > OBJ_TAG) {
      throw new ObjectFormatError(`${this.packPath}: unknown object type ${type} at ${offset}.`);
    }
    e.dataStart = p;
    if (p > len) throw new ObjectFormatError(`${this.packPath}: truncated entry at ${offset}.`);
    e.bytes = bytes.subarray(0, len);
    return e;
  }

  /** Reads and caches one aligned block of the pack (a few dozen are kept). */
  private block(n: number): Buffer {
    const hit = this.blocks.get(n);
    if (hit) {
      this.blocks.delete(n);
      this.blocks.set(n, hit);
      return hit;
    }
    const start = n * BLOCK;
    const len = Math.min(BLOCK, this.packSize - start);
    // The least recently used block's buffer is reused (nobody keeps entry bytes across calls).
    let buf: Buffer;
    if (this.blocks.size >= BLOCKS_KEPT) {
      const oldest = this.blocks.keys().next().value!;
      buf = this.blocks.get(oldest)!;
      this.blocks.delete(oldest);
    } else {
      buf = Buffer.allocUnsafe(BLOCK);
    }
    this.readAt(buf, len, start);
    this.blocks.set(n, buf);
    return buf;
  }

  private readAt(bytes: Buffer, len: number, offset: number): void {
    const fd = this.open();
    let got = 0;
    while (got < len) {
      const n = fs.readSync(fd, bytes, got, len - got, offset + got);
      if (n <= 0) throw new ObjectFormatError(`${this.packPath}: unexpected end of pack at ${offset + got}.`);
      got += n;
    }
    this.reads++;
  }

  private open(): number {
    if (this.fd === null) {
      this.fd = fs.openSync(this.packPath, 'r');
      const head = Buffer.alloc(8);
      fs.readSync(this.fd, head, 0, 8, 0);
      const version = head.readUInt32BE(4);
      if (head.toString('latin1', 0, 4) !== 'PACK' || (version !== 2 && version !== 3)) {
        fs.closeSync(this.fd);
        this.fd = null;
        throw new ObjectFormatError(`${this.packPath} is not a git pack file.`);
      }
    }
    return this.fd;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    this.sortedOffsets = null;
    this.blocks.clear();
  }
}
