/**
 * The per-run cache of classified blobs. A blob's text is usually asked for twice: as the new side
 * of the commit that writes it and as the old side of the next commit that changes it. Texts are
 * kept as their UTF-8 bytes in one fixed ring buffer (first in, first out): no allocation per blob,
 * nothing on the JS heap for the garbage collector to copy, and memory fixed at the budget.
 */
import type { BlobInfo } from './classify';

interface Entry {
  /** Classification, with `text` null (the text lives in the ring). */
  info: BlobInfo;
  /** Logical position in the ring (grows forever; physical = pos % capacity), or -1 without bytes. */
  pos: number;
  len: number;
  ascii: boolean;
}

/** Room charged for an entry without bytes (binary, missing…), so those age out too. */
const ENTRY_COST = 64;

export class BlobCache {
  private readonly map = new Map<string, Entry>();
  private readonly queue: Array<{ oid: string; entry: Entry; end: number }> = [];
  private queueHead = 0;
  private ring: Buffer | null = null;
  private written = 0;

  constructor(private readonly capacity: number) {}

  get(oid: string): BlobInfo | undefined {
    const e = this.map.get(oid);
    if (!e) return undefined;
    if (e.pos < 0) return e.info;
    const at = e.pos % this.capacity;
    // Validated when first read: decoding again is a copy (ASCII) or a plain UTF-8 decode.
    const text = this.ring!.toString(e.ascii ? 'latin1' : 'utf8', at, at + e.len);
    return { ...e.info, text };
  }

  /** Remembers a classification; `bytes` are the blob's bytes when it is text (copied into the ring). */
  set(oid: string, info: BlobInfo, bytes: Uint8Array | null): void {
    if (this.map.has(oid)) return;
    const len = bytes && info.text !== null ? bytes.length : -1;
    if (len > this.capacity / 8) return; // too big to keep: read again if asked again
    const cost = Math.max(len, ENTRY_COST);
    let start = this.written;
    if (len >= 0 && (start % this.capacity) + len > this.capacity) start += this.capacity - (start % this.capacity); // wrap
    const end = start + cost;
    this.evictBefore(end - this.capacity);
    const entry: Entry = { info: len >= 0 ? { ...info, text: null } : info, pos: len >= 0 ? start : -1, len: Math.max(len, 0), ascii: false };
    if (len >= 0) {
      this.ring ??= Buffer.allocUnsafeSlow(this.capacity);
      this.ring.set(bytes!, start % this.capacity);
      entry.ascii = info.text!.length === len;
    }
    this.map.set(oid, entry);
    this.queue.push({ oid, entry, end });
    this.written = end;
  }

  get count(): number {
    return this.map.size;
  }

  /** Bytes of the ring in use (≤ capacity). */
  get bytes(): number {
    return Math.min(this.written, this.capacity);
  }

  clear(): void {
    this.map.clear();
    this.queue.length = 0;
    this.queueHead = 0;
    this.ring = null;
    this.written = 0;
  }

  /** Drops every entry that starts before logical position `limit` (its bytes get overwritten). */
  private evictBefore(limit: number): void {
    const q = this.queue;
    while (this.queueHead < q.length) {
      const first = q[this.queueHead];
      const start = first.entry.pos >= 0 ? first.entry.pos : first.end - ENTRY_COST;
      if (start >= limit) break;
      if (this.map.get(first.oid) === first.entry) this.map.delete(first.oid);
      this.queueHead++;
    }
    if (this.queueHead > 4096 && this.queueHead * 2 > q.length) {
      q.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }
}
