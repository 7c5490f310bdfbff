/** Chunking statistics of a run (written by the dataset stage as the run's chunking stats). */
import type { ChunkRecord } from '../types';

export interface ChunkingStats {
  commits: number;
  /** Changed files seen (with text on at least one side). */
  files: number;
  /** Blob sides parsed with tree-sitter (cache misses) and their size in UTF-16 code units. */
  blobsParsed: number;
  charsParsed: number;
  /** Of blobsParsed: parsed incrementally from the previous tree of the same path. */
  incrementalParses: number;
  /** Parses answered from the blob cache. */
  cacheHits: number;
  /** Parsed sides whose tree holds ERROR/MISSING nodes (still chunked). */
  parseErrors: number;
  /** Files chunked as plain diff hunks (no grammar, or the parser gave up). */
  fallbackFiles: number;
  chunks: number;
  chunksByLanguage: Record<string, number>;
  chunksByKind: Record<string, number>;
  chunksByChange: Record<string, number>;
  splitChunks: number;
  chunksWithContext: number;
  contextItems: number;
  contextItemsByKind: Record<string, number>;
  contextItemsByReason: Record<string, number>;
  collapsedContextItems: number;
  maxOldChars: number;
  maxNewChars: number;
  maxContextTokens: number;
  /** Files over the per-file time budget (no chunks). */
  timeouts: number;
  /** Milliseconds spent inside tree-sitter parse + query. */
  parseMs: number;
  /** Of parseMs: cutting parsed trees into units (the rest is tree-sitter parsing). */
  analyzeMs: number;
}

export function emptyStats(): ChunkingStats {
  return {
    commits: 0,
    files: 0,
    blobsParsed: 0,
    incrementalParses: 0,
    charsParsed: 0,
    cacheHits: 0,
    parseErrors: 0,
    fallbackFiles: 0,
    chunks: 0,
    chunksByLanguage: {},
    chunksByKind: {},
    chunksByChange: {},
    splitChunks: 0,
    chunksWithContext: 0,
    contextItems: 0,
    contextItemsByKind: {},
    contextItemsByReason: {},
    collapsedContextItems: 0,
    maxOldChars: 0,
    maxNewChars: 0,
    maxContextTokens: 0,
    timeouts: 0,
    parseMs: 0,
    analyzeMs: 0,
  };
}

const bump = (r: Record<string, number>, k: string): void => {
  r[k] = (r[k] ?? 0) + 1;
};

export function countChunk(s: ChunkingStats, c: ChunkRecord): void {
  s.chunks++;
  bump(s.chunksByLanguage, c.language ?? 'none');
  bump(s.chunksByKind, c.kind);
  bump(s.chunksByChange, c.change);
  if (c.split) s.splitChunks++;
  if (c.context.length) s.chunksWithContext++;
  s.maxOldChars = Math.max(s.maxOldChars, c.oldCode.length);
  s.maxNewChars = Math.max(s.maxNewChars, c.newCode.length);
  let tokens = 0;
  for (const it of c.context) {
    s.contextItems++;
    bump(s.contextItemsByKind, it.kind);
    bump(s.contextItemsByReason, it.reason);
    if (it.collapsed) s.collapsedContextItems++;
    tokens += it.tokens ?? 0;
  }
  s.maxContextTokens = Math.max(s.maxContextTokens, tokens);
}
