/**
 * zlib inflate for git objects.
 *
 * `zlib.inflateSync` builds a whole stream object per call (and a fresh output buffer), which costs
 * more than inflating a small tree or commit. When the inflated size is known (it always is for
 * pack entries) we instead drive one long-lived native zlib handle directly, writing into a buffer
 * we choose: a reusable scratch buffer for objects that are used once, an exact-size buffer for
 * objects that are kept. If Node's internals ever lack that handle, `inflateSync` is used.
 */
import * as zlib from 'node:zlib';
import { ObjectFormatError } from './parse';

interface NativeHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  reset(): void;
  onerror: (message: string, errno: number) => void;
}

let stream: zlib.Inflate | null = null;
let handle: NativeHandle | null = null;
let state: Uint32Array | null = null;
let lastError: string | null = null;
let nativeTried = false;

function native(): NativeHandle | null {
  if (nativeTried) return handle;
  nativeTried = true;
  try {
    const s = zlib.createInflate() as zlib.Inflate & { _handle?: NativeHandle; _writeState?: Uint32Array };
    const h = s._handle;
    const st = s._writeState;
    if (!h || typeof h.writeSync !== 'function' || typeof h.reset !== 'function' || !(st instanceof Uint32Array)) return null;
    h.onerror = (message: string) => {
      lastError = message;
    };
    // Self-test before trusting it.
    const probe = Buffer.from('commit corpus inflate probe');
    const out = Buffer.alloc(probe.length + 1);
    const z = zlib.deflateSync(probe);
    lastError = null;
    h.writeSync(zlib.constants.Z_FINISH, z, 0, z.length, out, 0, out.length);
    h.reset();
    if (lastError || st[0] !== 1 || st[1] !== 0 || !out.subarray(0, probe.length).equals(probe)) return null;
    stream = s;
    handle = h;
    state = st;
  } catch {
    handle = null;
  }
  return handle;
}

/** Inflates a whole zlib stream (size unknown: loose objects). */
export function inflate(input: Uint8Array): Buffer {
  return zlib.inflateSync(input);
}

/**
 * Inflates a zlib stream of exactly `size` bytes into `out` (at least size + 1 bytes long) and
 * returns `out.subarray(0, size)`. Throws when the stream is corrupt or its size is not `size`.
 */
export function inflateInto(input: Uint8Array, size: number, out: Buffer): Buffer {
  const h = native();
  if (!h || !state) {
    const r = zlib.inflateSync(input, { chunkSize: Math.max(64, size + 1) });
    if (r.length !== size) throw new ObjectFormatError(`Object inflates to ${r.length} bytes, expected ${size}.`);
    r.copy(out);
    return out.subarray(0, size);
  }
  lastError = null;
  h.writeSync(zlib.constants.Z_FINISH, input, 0, input.length, out, 0, size + 1);
  const availOut = state[0];
  h.reset();
  if (lastError) throw new ObjectFormatError(`zlib: ${lastError}`);
  const written = size + 1 - availOut;
  if (written !== size) throw new ObjectFormatError(`Object inflates to ${written > size ? 'more than ' + size : written} bytes, expected ${size}.`);
  return out.subarray(0, size);
}

/** Inflates into a new buffer of its own (not shared with any pool slab): for objects that are kept. */
export function inflateOwned(input: Uint8Array, size: number): Buffer {
  return inflateInto(input, size, Buffer.allocUnsafe(size + 1));
}

/** Keeps the stream object alive as long as its handle is used (and lets tests see which path runs). */
export function usesNativeHandle(): boolean {
  return native() !== null && stream !== null;
}
