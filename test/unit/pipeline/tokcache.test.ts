import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeTokenEntry, encodeTokenEntry } from '../../../src/core/pipeline/tokcache';

test('token cache entries round-trip in binary and reject truncated bytes', () => {
  const e = {
    key: 'k1',
    groups: [
      {
        contextIds: Int32Array.of(1, 2, 3),
        targetIds: Int32Array.of(151643, 5),
        meta: { paths: ['a "b".rs'], languages: ['rust'], kinds: ['fn'] },
        truncated: 1,
        targetTruncated: true,
        literals: false,
        head: 2,
      },
    ],
    chunkIds: [Int32Array.of(7, 8), Int32Array.of()],
  };
  const buf = encodeTokenEntry(e);
  const d = decodeTokenEntry(buf)!;
  assert.equal(d.key, 'k1');
  assert.deepEqual(Array.from(d.groups[0].contextIds), [1, 2, 3]);
  assert.deepEqual(Array.from(d.groups[0].targetIds), [151643, 5]);
  assert.deepEqual(d.groups[0].meta, e.groups[0].meta);
  assert.equal(d.groups[0].targetTruncated, true);
  assert.equal(d.groups[0].truncated, 1);
  assert.equal(d.groups[0].head, 2);
  assert.deepEqual(
    d.chunkIds.map((c) => Array.from(c)),
    [[7, 8], []],
  );
  assert.equal(d.groups[0].sig, undefined);
  const withSig = decodeTokenEntry(encodeTokenEntry({ ...e, groups: [{ ...e.groups[0], sig: Uint32Array.of(1, 0xffffffff, 3) }] }))!;
  assert.deepEqual(Array.from(withSig.groups[0].sig!), [1, 0xffffffff, 3]);
  assert.deepEqual(Array.from(withSig.chunkIds[0]), [7, 8]);
  assert.equal(decodeTokenEntry(buf.subarray(0, buf.length - 4)), undefined);
  assert.equal(decodeTokenEntry(Buffer.from('garbage')), undefined);
  // an entry of the earlier format (no head) is not trusted: the commit is tokenized again
  const old = JSON.stringify({ key: 'k1', groups: [{ ctx: 1, tgt: 0, text: '', truncated: 0 }], chunks: [], sig: 0 });
  const oldBuf = Buffer.alloc(4 + old.length + 4);
  oldBuf.writeUInt32LE(old.length, 0);
  oldBuf.write(old, 4);
  assert.equal(decodeTokenEntry(oldBuf), undefined);
});
