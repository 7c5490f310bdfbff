/**
 * One packfile and its .idx, read directly: the index stays as raw bytes (binary search on the
 * sorted oids, no map of 100k strings), and entries are read with positional reads of exactly their
 * bytes (the end of an entry is the next entry's offset), so the pack itself is never loaded whole.
 *
 * Formats: https://git-scm.com/docs/pack-format (index v1 and v2, pack v2 and v3).
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { GitError } from './errors';
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

/** Node ≥ 20.15 (without it, objects are checked by their SHA-1 instead: see odb.ts). */
const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** zlib's best case is about 1032:1: an entry claiming a larger inflated size is damaged. */
const MAX_INFLATE_RATIO = 1032;

/** A damaged pack or index file: fatal for the whole run (every object in it is suspect). */
export function damagedPack(message: string): GitError {
  return new GitError('corrupt-object', `${message}; run "git fsck" to see what is damaged.`);
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
  /** Entries of the 64-bit offset table (idx v2). */
  private readonly largeOffsets: number;
  /** Entry offsets in pack order, to find where each entry ends. */
  private sortedOffsets: Float64Array | null = null;
  /** idx v2 with CRC checks on: each entry's index position, by pack order, and whether its CRC was checked. */
  private positions: Uint32Array | null = null;
  private crcChecked: Uint8Array | null = null;
  /** Pack-order rank of the entry entryEnd() last found. */
  private rank = 0;
  private fd: number | null = null;
  private readonly packSize: number;
  private scratch = Buffer.allocUnsafe(64 * 1024);
  private readonly blocks = new Map<number, Buffer>();
  /** read() system calls made (for tests and benchmarks). */
  reads = 0;

  /**
   * Checks the index's layout (sizes, fan-out order) up front: a damaged index is a clear error, never
   * a RangeError. With `checkCrc`, every entry read is checked once against the CRC-32 that git
   * recorded in the index (v2) when it made the pack and computed each object's id.
   */
  constructor(
    readonly idxPath: string,
    readonly packPath: string,
    private readonly checkCrc = true,
    private readonly idx: Buffer = fs.readFileSync(idxPath),
  ) {
    const b = this.idx;
    const truncated = (need: number) => damagedPack(`Pack index ${idxPath} is truncated or corrupt (expected at least ${need} bytes, found ${b.length})`);
    if (b.length < 8) throw truncated(1024 + 40);
    this.version = b.readUInt32BE(0) === 0xff744f63 ? b.readUInt32BE(4) : 1;
    if (this.version !== 1 && this.version !== 2) throw damagedPack(`Pack index ${idxPath} has an unsupported version (${this.version})`);
    const base = this.version === 2 ? 8 : 0;
    if (b.length < base + 1024 + 40) throw truncated(base + 1024 + 40);
    this.fanout = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      this.fanout[i] = b.readUInt32BE(base + i * 4);
      if (i > 0 && this.fanout[i] < this.fanout[i - 1]) throw damagedPack(`Pack index ${idxPath} is corrupt (its fan-out table is out of order)`);
    }
    this.count = this.fanout[255];
    const need = this.version === 2 ? 8 + 1024 + this.count * 28 + 40 : 1024 + this.count * 24 + 40;
    if (b.length < need) throw truncated(need);
    // v2 ends with one 8-byte entry per offset ≥ 2^31 (at most one per object); v1 has no such table.
    const extra = b.length - need;
    if (extra % 8 !== 0 || extra / 8 > (this.version === 2 ? this.count : 0)) {
      throw damagedPack(`Pack index ${idxPath} is corrupt (${b.length} bytes do not fit its ${this.count} objects)`);
    }
    this.largeOffsets = extra / 8;
    this.packSize = fs.statSync(packPath).size;
  }

  get objectCount(): number {
    return this.count;
  }

  /** True when entries are checked against the index's CRC-32s (index v2, `checkCrc`, and a Node with zlib.crc32). */
  get checksEntries(): boolean {
    return this.checkCrc && this.version === 2 && crc32 !== undefined;
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
    if ((o & 0x7fffffff) >= this.largeOffsets) throw damagedPack(`Pack index ${this.idxPath} is corrupt (object ${i} has no 64-bit offset entry)`);
    const large = offs + this.count * 4 + (o & 0x7fffffff) * 8;
    return b.readUInt32BE(large) * 2 ** 32 + b.readUInt32BE(large + 4);
  }

  /** Where the entry starting at `offset` ends (the next entry, or the pack trailer). Throws when no entry starts there. */
  private entryEnd(offset: number): number {
    const all = this.sortedOffsets!;
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (all[mid] <= offset) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0 || all[lo - 1] !== offset) throw new ObjectFormatError('no pack entry starts there');
    this.rank = lo - 1;
    return lo < all.length ? all[lo] : this.packSize - 20;
  }

  /** Reads the entry at `offset`. Its bytes are valid until the next call (buffers are recycled). */
  entry(offset: number): PackEntry {
    this.open();
    const end = this.entryEnd(offset);
    const len = end - offset;
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
    if (this.crcChecked && this.crcChecked[this.rank] === 0) this.checkEntryCrc(bytes, len);
    let p = 0;
    let c = bytes[p++];
    const type = (c >> 4) & 7;
    let size = c & 15;
    let shift = 4;
    while (c & 0x80) {
      if (p >= len || shift > 49) throw new ObjectFormatError('bad entry header');
      c = bytes[p++];
      size += (c & 0x7f) * 2 ** shift;
      shift += 7;
    }
    const e: PackEntry = { type, size, bytes, dataStart: p };
    if (type === OBJ_OFS_DELTA) {
      let back = -1;
      do {
        if (p >= len || back > 2 ** 45) throw new ObjectFormatError('bad delta base offset');
        c = bytes[p++];
        back = (back + 1) * 128 + (c & 0x7f);
      } while (c & 0x80);
      e.baseOffset = offset - back;
      if (back <= 0 || e.baseOffset < 12) throw new ObjectFormatError('bad delta base offset');
    } else if (type === OBJ_REF_DELTA) {
      if (p + 20 > len) throw new ObjectFormatError('truncated entry');
      e.baseOid = bytes.toString('hex', p, p + 20);
      p += 20;
    } else if (type < OBJ_COMMIT || type > OBJ_TAG) {
      throw new ObjectFormatError(`unknown object type ${type}`);
    }
    if (p >= len) throw new ObjectFormatError('truncated entry');
    if (size > (len - p) * MAX_INFLATE_RATIO + 1024) {
      throw new ObjectFormatError(`its header claims ${size} bytes from ${len - p} compressed bytes (impossible)`);
    }
    e.dataStart = p;
    e.bytes = bytes.subarray(0, len);
    return e;
  }

  /** The entry's bytes (header and zlib data) must have the CRC-32 the index recorded for them. */
  private checkEntryCrc(bytes: Buffer, len: number): void {
    const want = this.idx.readUInt32BE(8 + 1024 + this.count * 20 + this.positions![this.rank] * 4);
    const got = crc32!(bytes.subarray(0, len));
    if (got !== want) throw new ObjectFormatError('its bytes fail the CRC-32 check of the pack index (they changed since the pack was made)');
    this.crcChecked![this.rank] = 1;
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
      if (n <= 0) throw damagedPack(`Pack ${this.packPath} is truncated (it ends at ${offset + got} bytes)`);
      got += n;
    }
    this.reads++;
  }

  /**
   * Opens the pack once and checks it against its index, as git does before using a pack: the header,
   * the object count, every offset inside the pack, and the pack checksum the index was made for.
   */
  private open(): number {
    if (this.fd !== null) return this.fd;
    const fd = fs.openSync(this.packPath, 'r');
    try {
      const head = Buffer.alloc(12);
      const got = fs.readSync(fd, head, 0, 12, 0);
      const version = head.readUInt32BE(4);
      if (got < 12 || head.toString('latin1', 0, 4) !== 'PACK' || (version !== 2 && version !== 3)) {
        throw damagedPack(`Pack ${this.packPath} is not a git pack file (bad header)`);
      }
      if (this.packSize < 32) throw damagedPack(`Pack ${this.packPath} is truncated (${this.packSize} bytes, less than a header and a checksum)`);
      const objects = head.readUInt32BE(8);
      if (objects !== this.count) {
        throw damagedPack(`Pack ${this.packPath} holds ${objects} objects but its index ${this.idxPath} lists ${this.count}`);
      }
      const all = this.offsets();
      const last = all.length > 0 ? all[all.length - 1] : 12;
      if (all.length > 0 && (all[0] < 12 || last >= this.packSize - 20)) {
        throw damagedPack(`Pack ${this.packPath} is truncated or corrupt (its index ${this.idxPath} lists objects up to offset ${last}, the pack has ${this.packSize} bytes)`);
      }
      const trailer = Buffer.alloc(20);
      fs.readSync(fd, trailer, 0, 20, this.packSize - 20);
      if (!trailer.equals(this.idx.subarray(this.idx.length - 40, this.idx.length - 20))) {
        throw damagedPack(`Pack ${this.packPath} does not match its index ${this.idxPath} (the pack checksums differ)`);
      }
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    this.fd = fd;
    return fd;
  }

  /** Every entry offset, in pack order (and, when CRCs are checked, each entry's index position). */
  private offsets(): Float64Array {
    if (this.sortedOffsets) return this.sortedOffsets;
    const n = this.count;
    const all = new Float64Array(n);
    // Sorting "offset × n + position" sorts the offsets and carries the positions along (exact below 2^53).
    const keyed = this.checksEntries && this.packSize * n < 2 ** 53;
    for (let i = 0; i < n; i++) all[i] = keyed ? this.offsetAt(i) * n + i : this.offsetAt(i);
    all.sort();
    if (keyed) {
      const pos = new Uint32Array(n);
      for (let k = 0; k < n; k++) {
        let off = Math.floor(all[k] / n);
        if (off * n > all[k]) off--;
        pos[k] = all[k] - off * n;
        all[k] = off;
      }
      this.positions = pos;
    } else if (this.checksEntries) {
      this.positions = this.positionsByRank(all);
    }
    this.crcChecked = this.positions ? new Uint8Array(n) : null;
    this.sortedOffsets = all;
    return all;
  }

  /** For each entry in pack order, its position in the index (for packs too large for the keyed sort). */
  private positionsByRank(sorted: Float64Array): Uint32Array {
    const pos = new Uint32Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const off = this.offsetAt(i);
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid] < off) lo = mid + 1;
        else hi = mid;
      }
      pos[lo] = i;
    }
    return pos;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    this.sortedOffsets = null;
    this.positions = null;
    this.crcChecked = null;
    this.blocks.clear();
  }
}
