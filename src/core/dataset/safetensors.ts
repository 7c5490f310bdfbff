/**
 * Minimal safetensors writer/reader: 8-byte little-endian header length, JSON header
 * (`{name: {dtype, shape, data_offsets:[begin,end]}}`, plus `__metadata__` of strings), then raw
 * little-endian data. Tensors are written in name order, header padded with spaces to 8 bytes.
 */

export type DType = 'I32' | 'I64';

export interface Tensor {
  dtype: DType;
  shape: number[];
  data: Int32Array | BigInt64Array;
}

const WIDTH: Record<DType, number> = { I32: 4, I64: 8 };

/**
 * The file's start: the 8-byte header length and the JSON header of the given tensors (data laid out in this
 * order, which must be name order), padded with spaces to 8 bytes.
 */
function headerBytes(tensors: Array<{ name: string; dtype: DType; shape: number[] }>, metadata: Record<string, string>): Buffer {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * WIDTH[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + head.length);
  out.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(out, 8);
  return out;
}

export function encodeSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Buffer {
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const t = tensors[name];
    const expected = t.shape.reduce((a, b) => a * b, 1);
    if (expected !== t.data.length) throw new Error(`tensor ${name}: shape ${JSON.stringify(t.shape)} does not match ${t.data.length} values`);
  }
  const head = headerBytes(
    names.map((name) => ({ name, ...tensors[name] })),
    metadata,
  );
  return Buffer.concat([head, ...names.map((name) => littleEndian(tensors[name].data, WIDTH[tensors[name].dtype]))]);
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

export interface DecodedSafetensors {
  metadata: Record<string, string>;
  tensors: Record<string, Tensor>;
}

export function decodeSafetensors(buf: Uint8Array): DecodedSafetensors {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 8) throw new Error('safetensors: file shorter than its 8-byte header length');
  const n = Number(b.readBigUInt64LE(0));
  if (8 + n > b.length) throw new Error('safetensors: header length exceeds file size');
  const header = JSON.parse(b.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: DType; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + n;
  const tensors: Record<string, Tensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, h] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = h as unknown as Record<string, string>;
      continue;
    }
    const [s, e] = h.data_offsets;
    if (base + e > b.length || s > e) throw new Error(`safetensors: tensor ${name} offsets out of range`);
    const slice = b.subarray(base + s, base + e);
    const copy = new Uint8Array(slice.length);
    copy.set(slice);
    const data = h.dtype === 'I32' ? new Int32Array(copy.buffer) : h.dtype === 'I64' ? new BigInt64Array(copy.buffer) : null;
    if (!data) throw new Error(`safetensors: unsupported dtype ${h.dtype}`);
    tensors[name] = { dtype: h.dtype, shape: h.shape, data };
  }
  return { metadata, tensors };
}

/** Chunk token ids as the tokens.safetensors tensors read them: each chunk's length, and its ids by index. */
export interface ChunkTokens {
  lengths: readonly number[];
  ids: (i: number) => ArrayLike<number>;
}

/**
 * All chunk token ids in one I32 tensor `token_ids`, plus `offsets` (I64, n+1 entries: chunk i = ids[off[i]..off[i+1]]),
 * as the file's pieces in order: the header and offsets, then the ids about 1 MB at a time, each chunk read only when
 * its turn comes (so the whole tensor is never in memory).
 */
export function* chunkTokenParts(chunks: ChunkTokens, metadata: Record<string, string> = {}): Generator<Uint8Array> {
  const n = chunks.lengths.length;
  const offsets = new BigInt64Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = BigInt(total);
    total += chunks.lengths[i];
  }
  offsets[n] = BigInt(total);
  // tensors in name order: offsets, then token_ids
  yield headerBytes(
    [
      { name: 'offsets', dtype: 'I64', shape: [n + 1] },
      { name: 'token_ids', dtype: 'I32', shape: [total] },
    ],
    metadata,
  );
  yield littleEndian(offsets, 8);
  const batch = new Int32Array(1 << 18);
  let fill = 0;
  for (let i = 0; i < n; i++) {
    const ids = chunks.ids(i);
    if (ids.length !== chunks.lengths[i]) throw new Error(`chunk ${i}: ${ids.length} token ids, ${chunks.lengths[i]} expected`);
    if (fill + ids.length > batch.length && fill > 0) {
      yield littleEndian(batch.subarray(0, fill), 4);
      fill = 0;
    }
    if (ids.length > batch.length) {
      yield littleEndian(Int32Array.from(ids), 4);
      continue;
    }
    batch.set(ids, fill);
    fill += ids.length;
  }
  if (fill > 0) yield littleEndian(batch.subarray(0, fill), 4);
}

/** A typed array's bytes in little-endian order (a copy: the caller may reuse the array). */
function littleEndian(a: Int32Array | BigInt64Array, width: number): Uint8Array {
  const out = Buffer.from(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  if (!isLittleEndian()) for (let i = 0; i < out.length; i += width) out.subarray(i, i + width).reverse();
  return out;
}

/** chunkTokenParts in one buffer (tests, small outputs). */
export function encodeChunkTokens(chunks: Array<ArrayLike<number>>, metadata: Record<string, string> = {}): Buffer {
  return Buffer.concat([...chunkTokenParts({ lengths: chunks.map((c) => c.length), ids: (i) => chunks[i] }, metadata)]);
}
