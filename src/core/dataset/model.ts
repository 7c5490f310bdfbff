/** The in-memory dataset a run produces, handed to the writers (files, manifest, card). */
import type { ChunkRecord, CommitInfo } from '../types';
import type { SplitName } from '../examples/dedup';
import type { Decode, ExampleRows, WindowOptions } from '../examples/examples';
import type { ChunkTokens } from './safetensors';

export interface CommitRow {
  hash: string;
  /** The repository's name (several repositories: their folders' names, told apart). */
  repo: string;
  parents: string[];
  author: { name: string; email: string; timestamp: number; timezoneOffset: number };
  committer_time: number;
  subject: string;
  message: string;
  split: SplitName;
  files_changed: number;
  num_chunks: number;
  error?: string;
}

export interface ChunkRow extends ChunkRecord {
  repo: string;
  /** The dataset split of the chunk's commit (`split` is the chunker's "unit was split" flag). */
  dataset_split: SplitName;
  tokens: number;
  redactions: number;
}

export interface RepoInfo {
  name: string;
  path: string;
  ref: string;
  head: string;
  first: string | null;
  last: string | null;
  commits: number;
  /** Commits an earlier repository of the build has (a fork's shared history), left to that one. */
  shared: number;
}

export interface PhaseTiming {
  phase: string;
  /** The repository a history, chunks or tokens phase was of, in a build of several. */
  repo?: string;
  start: string;
  end: string;
  duration_ms: number;
  counts: Record<string, number>;
}

export interface TokenizerInfo {
  source: string;
  sha256: string;
  vocab_size: number;
  added_tokens: string[];
  /** tokenizer.json with the markers added. */
  json: string;
  special_tokens_json: string;
  vocab?: () => Record<string, number>;
}

export interface BuiltDataset {
  toolVersion: string;
  /** The repositories, in build order (one for a plain build). */
  repos: RepoInfo[];
  settings: Record<string, unknown>;
  tokenizer: TokenizerInfo;
  commits: CommitRow[];
  /** Chunk rows are streamed to chunks.jsonl (and chunks_enhanced.jsonl) during the run; this is their count. */
  chunkCount: number;
  /** Each chunk's token ids (tokens.safetensors), read one chunk at a time. */
  chunkTokens: ChunkTokens;
  examples: Record<SplitName, ExampleRows>;
  windows: WindowOptions;
  /** The dataset tokenizer's decoder: an example's prompt and completion are the decoded ids. */
  decode: Decode;
  stats: Record<string, unknown>;
  chunkingStats: Record<string, unknown>;
  phases: PhaseTiming[];
  previousRun: { head: string; manifest_sha256: string; commits: number } | null;
  /** A merged sharded build: its plan and shards (src/core/shard), for the manifest. */
  sharded?: Record<string, unknown>;
}

export type { CommitInfo };
