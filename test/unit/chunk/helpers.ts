import assert from 'node:assert/strict';
import { BRACE_COLLAPSE, createChunker, ELLIPSIS, PYTHON_COLLAPSE, type ChunkOptions, type Chunker } from '../../../src/core/chunk';
import { openRepository, type HistoryOptions } from '../../../src/core/git';
import type { ChunkRecord, CommitRecord } from '../../../src/core/types';
import { FixtureRepo } from '../../fixtures/repo';

export interface Run {
  recs: CommitRecord[];
  chunks: Map<string, ChunkRecord[]>;
  chunker: Chunker;
}

/** Chunks the whole history of a fixture repo with the real history engine, checking the invariants on every chunk. */
export async function chunkHistory(repo: FixtureRepo, opts: ChunkOptions = {}, history: HistoryOptions = {}): Promise<Run> {
  const r = await openRepository(repo.dir);
  const chunker = await createChunker(opts);
  const recs: CommitRecord[] = [];
  const chunks = new Map<string, ChunkRecord[]>();
  try {
    for await (const rec of r.history(history)) {
      recs.push(rec);
      const cs = await chunker.chunkCommit(rec, r);
      checkInvariants(repo, rec, cs, opts.maxChunkChars);
      chunks.set(rec.commit.hash, cs);
    }
  } finally {
    r.close();
  }
  return { recs, chunks, chunker };
}

/** Separators a split chunk or collapsed snippet may hold between exact pieces of the blob. */
const MARKERS = new RegExp([BRACE_COLLAPSE, PYTHON_COLLAPSE, ELLIPSIS].map((m) => m.replace(/[{}]/g, '\\$&')).join('|'));

/** Each piece between markers is an exact substring of `blob`, in order. */
export function piecesInOrder(code: string, blob: string): boolean {
  let pos = 0;
  for (const piece of code.split(MARKERS)) {
    if (piece === '') continue;
    const i = blob.indexOf(piece, pos);
    if (i < 0) return false;
    pos = i + piece.length;
  }
  return true;
}

const blobCache = new Map<string, string>();
function blobText(repo: FixtureRepo, oid: string): string {
  let t = blobCache.get(oid);
  if (t === undefined) blobCache.set(oid, (t = repo.git('cat-file', 'blob', oid)));
  return t;
}

export function checkInvariants(repo: FixtureRepo, rec: CommitRecord, chunks: ChunkRecord[], maxChunkChars = 4000): void {
  const ids = new Set<string>();
  const treeOids = new Set(
    repo
      .git('ls-tree', '-r', rec.commit.hash)
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(/\s+/)[2]),
  );
  for (const c of chunks) {
    assert.ok(!ids.has(c.id), `duplicate id ${c.id}`);
    ids.add(c.id);
    assert.match(c.id, /^[0-9a-f]{40}$/);
    const f = rec.files.find((x) => x.path === c.path);
    assert.ok(f, `chunk path ${c.path} is a changed file`);
    const where = `${c.path} ${c.kind} ${c.qualifiedName}`;
    // an edited rename the chunker paired itself: the old side is the deleted file's
    const oldFile = c.oldPath && f.oldText === null ? (rec.files.find((x) => x.path === c.oldPath && x.change === 'deleted') ?? f) : f;
    for (const [code, text] of [
      [c.newCode, f.newText],
      [c.oldCode, oldFile.oldText],
    ] as const) {
      if (code === '') continue;
      assert.ok(text !== null, `${where}: code on a missing side`);
      if (c.split) assert.ok(piecesInOrder(code, text), `${where}: split code is not made of pieces of the blob:\n${code}`);
      else assert.ok(text.includes(code), `${where}: code is not an exact substring of the blob:\n${code}`);
      assert.ok(code.length <= maxChunkChars, `${where}: ${code.length} chars > ${maxChunkChars}`);
    }
    if (c.newRange && f.newText !== null && !c.split) {
      const lines = f.newText
        .split('\n')
        .slice(c.newRange.start - 1, c.newRange.end)
        .join('\n');
      assert.ok(lines.includes(c.newCode), `${where}: new range does not hold the code`);
    }
    if (c.oldRange && oldFile.oldText !== null && !c.split) {
      const lines = oldFile.oldText
        .split('\n')
        .slice(c.oldRange.start - 1, c.oldRange.end)
        .join('\n');
      assert.ok(lines.includes(c.oldCode), `${where}: old range does not hold the code`);
    }
    for (const it of c.context) {
      const blob = blobText(repo, it.oid);
      assert.ok(treeOids.has(it.oid) || it.oid === oldFile.oldOid, `${where}: context ${it.symbol} from a blob not at this commit`);
      if (it.collapsed) assert.ok(piecesInOrder(it.code, blob), `${where}: collapsed context ${it.symbol} not made of pieces of its blob`);
      else assert.ok(blob.includes(it.code), `${where}: context ${it.symbol} is not an exact substring of ${it.path}`);
    }
  }
}

export const byName = (cs: ChunkRecord[], q: string): ChunkRecord | undefined => cs.find((c) => c.qualifiedName === q);
