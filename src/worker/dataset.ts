/** Reads what the last build wrote (chunks.jsonl, commits.jsonl), cached by file mtime. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChunkRecord } from '../core/types';
import { forEachLine } from '../core/dataset/jsonl';
import { matchesPathFilter } from '../core/git';

interface Loaded<T> {
  mtimeMs: number;
  value: T;
}

const chunkIndex = new Map<string, Loaded<Map<string, ChunkRecord[]>>>();
const countIndex = new Map<string, Loaded<Record<string, number>>>();

function load<T>(cache: Map<string, Loaded<T>>, file: string, read: () => T): T {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new Error(`${file} is missing: build the dataset first`);
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs) return hit.value;
  const value = read();
  cache.clear();
  cache.set(file, { mtimeMs: st.mtimeMs, value });
  return value;
}

/** The chunk rows of one commit in the build at `outDir` (file order as written). */
export function buildChunks(outDir: string, commit: string): ChunkRecord[] {
  const file = path.join(outDir, 'chunks.jsonl');
  const index = load(chunkIndex, file, () => {
    const m = new Map<string, ChunkRecord[]>();
    forEachLine(file, (line) => {
      if (!line.trim()) return;
      const row = JSON.parse(line) as ChunkRecord;
      let list = m.get(row.commit);
      if (!list) m.set(row.commit, (list = []));
      list.push(row);
    });
    return m;
  });
  return index.get(commit) ?? [];
}

/**
 * Chunks per commit hash in the build at `outDir` (from commits.jsonl: every commit the build selected, 0 when it
 * gave no chunk); with a filter, only the chunks of matching files (from chunks.jsonl) of those commits.
 */
export function buildCounts(outDir: string, filter = ''): Record<string, number> {
  const all = allCounts(outDir);
  if (!filter.trim()) return all;
  const counts: Record<string, number> = {};
  for (const hash of Object.keys(all)) counts[hash] = buildChunks(outDir, hash).filter((c) => matchesPathFilter(filter, c.path, c.language)).length;
  return counts;
}

function allCounts(outDir: string): Record<string, number> {
  const file = path.join(outDir, 'commits.jsonl');
  return load(countIndex, file, () => {
    const counts: Record<string, number> = {};
    forEachLine(file, (line) => {
      if (!line.trim()) return;
      const row = JSON.parse(line) as { hash: string; num_chunks?: number };
      counts[row.hash] = row.num_chunks ?? 0;
    });
    return counts;
  });
}
