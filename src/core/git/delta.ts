/** Applies a git delta (copy/insert instructions, https://git-scm.com/docs/pack-format#_deltified_representation). */
import { ObjectFormatError } from './parse';

/** The result goes to a new buffer, or into `output(size)` (a buffer of at least `size` bytes) when given. */
export function applyDelta(base: Uint8Array, delta: Uint8Array, output?: (size: number) => Buffer): Buffer {
  let p = 0;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    let c: number;
    do {
      if (p >= delta.length) throw new ObjectFormatError('Truncated delta header.');
      c = delta[p++];
      v += (c & 0x7f) * 2 ** shift;
      shift += 7;
    } while (c & 0x80);
    return v;
  };
  const baseSize = varint();
  if (baseSize !== base.length) throw new ObjectFormatError(`Delta base size ${baseSize} ≠ ${base.length}.`);
  const size = varint();
  const out = output ? output(size).subarray(0, size) : Buffer.allocUnsafe(size);
  let o = 0;
  while (p < delta.length) {
    const op = delta[p++];
    if (op & 0x80) {
      let off = 0;
      let len = 0;
      if (op & 0x01) off = delta[p++];
      if (op & 0x02) off |= delta[p++] << 8;
      if (op & 0x04) off |= delta[p++] << 16;
      if (op & 0x08) off = (off | (delta[p++] << 24)) >>> 0;
      if (op & 0x10) len = delta[p++];
      if (op & 0x20) len |= delta[p++] << 8;
      if (op & 0x40) len |= delta[p++] << 16;
      if (len === 0) len = 0x10000;
      if (off + len > base.length || o + len > size) throw new ObjectFormatError('Delta copy out of range.');
      if (len < 16) {
        for (let i = 0; i < len; i++) out[o + i] = base[off + i];
      } else {
        out.set(base.subarray(off, off + len), o);
      }
      o += len;
    } else if (op !== 0) {
      if (p + op > delta.length || o + op > size) throw new ObjectFormatError('Delta insert out of range.');
      if (op < 16) {
        for (let i = 0; i < op; i++) out[o + i] = delta[p + i];
      } else {
        out.set(delta.subarray(p, p + op), o);
      }
      o += op;
      p += op;
    } else {
      throw new ObjectFormatError('Delta opcode 0 is reserved.');
    }
  }
  if (o !== size) throw new ObjectFormatError(`Delta produced ${o} bytes, expected ${size}.`);
  return out;
}
