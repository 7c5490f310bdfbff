/** zlib inflate for git objects. When the inflated size is known, the output is one buffer of that size. */
import * as zlib from 'node:zlib';

export function inflate(input: Uint8Array, size?: number): Buffer {
  if (size === undefined) return zlib.inflateSync(input);
  // One output chunk that fits the whole object (+1 so zlib does not ask for a second one).
  return zlib.inflateSync(input, { chunkSize: Math.max(64, size + 1) });
}
