/**
 * The one message protocol between the extension host and the engine worker threads (dist/worker.js).
 * Both sides import this file; it holds only types and tiny pure helpers (no vscode; of the engine only its error envelope).
 *
 *   host → worker: { type: 'request', id, request }   one engine call (see Request)
 *                  { type: 'cancel', id }             abort that call (its signal is aborted)
 *   worker → host: { type: 'progress', id, event }     pipeline progress (phase, done/total)
 *                  { type: 'log', id, line }           a log line for the output channel
 *                  { type: 'result', id, result }      the call's answer (ResultOf<kind>)
 *                  { type: 'error', id, error }        the call failed (name, message, stack)
 *
 * Every request has an id (unique per host) that every answer carries.
 */
import type { ChunkSettings } from '../core/pipeline/stages/chunk';
import type { FormatName, PipelineOptions } from '../core/pipeline/options';
import type { ThreadError } from '../core/threads/envelope';
import type { TestDelay } from '../core/threads/pipelineThread';
import type { ChunkRecord, CommitInfo, ContextItem, ContextKind, FileChange, ProgressEvent, UnitKind } from '../core/types';
import type { ContextViewPayload, OverviewPayload, TokenViewPayload } from '../webview/protocol';

// ───────────────────────── requests ─────────────────────────

export interface BuildRequest {
  kind: 'build';
  options: PipelineOptions;
  /** Token worker threads for the build (the `commitCorpus.workers` setting); 0 = tokenize on this thread. */
  workers?: number;
  /** Testing aid (ignored by the shipped bundles): the pipeline thread sleeps at each progress event of a phase. */
  delay?: TestDelay;
}

export interface ListCommitsRequest {
  kind: 'listCommits';
  repo: string;
  /** Position in the whole newest-first list to start at (a page's `next`). */
  skip: number;
  limit: number;
  /** The Commits view's filter (see matchesPathFilter): only commits that changed a matching path. */
  filter?: string;
}

export interface CommitFilesRequest {
  kind: 'commitFiles';
  repo: string;
  commit: string;
  /** First parent (the diff base); absent for a root commit. */
  parent?: string;
}

export interface ReadBlobRequest {
  kind: 'readBlob';
  repo: string;
  commit: string;
  path: string;
}

/** Chunks of the last build (chunks.jsonl in the output folder), for one commit or all (counts). */
export interface BuildChunksRequest {
  kind: 'buildChunks';
  outDir: string;
  commit: string;
}

export interface BuildCountsRequest {
  kind: 'buildCounts';
  outDir: string;
  /** Count only the chunks of files matching the Commits view's filter. */
  filter?: string;
}

/** The enclosing semantic unit at an offset of a document, with tokens and the context it would receive. */
export interface AnalyzeRequest {
  kind: 'analyze';
  /** Cache key: document URI + version. */
  key: string;
  repo: string | null;
  path: string;
  language: string;
  text: string;
  offset: number;
  tokenizer?: string;
  /** Token budget of the code section (settings: budgets.newCode). */
  budget: number;
  /** The build's chunker settings: the hover cuts units as the build does. */
  chunk: ChunkSettings;
  /** How many of the first tokens to return. */
  firstTokens: number;
}

/** Token boundaries of a text (a selection, or a unit). */
export interface TokenViewRequest {
  kind: 'tokenView';
  text: string;
  title: string;
  tokenizer?: string;
}

/** The serialized example of one chunk (format + sections), as token spans and text. */
export interface ExampleViewRequest {
  kind: 'exampleView';
  chunk: ChunkRecord;
  commit: CommitInfo;
  format: FormatName;
  tokenizer?: string;
}

/** Context view payload of a chunk (token costs computed with the tokenizer). */
export interface ContextViewRequest {
  kind: 'contextView';
  chunk: ChunkRecord;
  commit: { hash: string; subject: string; author: string; date: string };
  repoDir: string;
  tokenizer?: string;
}

/** The Overview payload of a built dataset folder. */
export interface OverviewRequest {
  kind: 'overview';
  outDir: string;
}

export interface FindTokenizersRequest {
  kind: 'findTokenizers';
}

/** Testing aid: crash the worker thread (uncaught error) to exercise the crash handling. */
export interface CrashRequest {
  kind: 'crash';
}

export type Request =
  | BuildRequest
  | ListCommitsRequest
  | CommitFilesRequest
  | ReadBlobRequest
  | BuildChunksRequest
  | BuildCountsRequest
  | AnalyzeRequest
  | TokenViewRequest
  | ExampleViewRequest
  | ContextViewRequest
  | OverviewRequest
  | FindTokenizersRequest
  | CrashRequest;

export type RequestKind = Request['kind'];

// ───────────────────────── results ─────────────────────────

export interface BuildSummary {
  outDir: string;
  head: string;
  upToDate: boolean;
  commits: { total: number; processed: number; cached: number };
  chunks: number;
  examples: { train: number; val: number; test: number };
  tokens: number;
  durationMs: number;
}

export interface CommitPage {
  repo: string;
  commits: CommitInfo[];
  /** True when more commits follow this page. */
  more: boolean;
  /** Where the next page starts in the whole newest-first list (past every commit this page looked at). */
  next: number;
  /** Commits in the whole list. */
  total: number;
}

/** A changed file without its texts (they stay in the worker). */
export type FileSummary = Omit<FileChange, 'oldText' | 'newText'>;

export interface ContextSummary {
  kind: ContextKind;
  symbol: string;
  path: string;
  reason: ContextItem['reason'];
  role?: ContextItem['role'];
  tokens: number;
}

export interface UnitAnalysis {
  kind: UnitKind;
  qualifiedName: string;
  /** 1-based inclusive lines. */
  startLine: number;
  endLine: number;
  tokens: number;
  budget: number;
  /** The first tokens' texts (decoded). */
  firstTokens: string[];
  tokenizer: string;
  context: ContextSummary[];
  /** The chunk this unit would be (for "Show cross-file context"); null when not chunked. */
  chunk: ChunkRecord | null;
  /** HEAD commit the context was taken from (null outside a repository). */
  head: string | null;
  /** Milliseconds the worker spent (0 on a cache hit). */
  computeMs: number;
  cached: boolean;
}

export interface ResultOf {
  build: BuildSummary;
  listCommits: CommitPage;
  commitFiles: FileSummary[];
  readBlob: string | null;
  buildChunks: ChunkRecord[];
  buildCounts: Record<string, number>;
  analyze: UnitAnalysis | null;
  tokenView: TokenViewPayload;
  exampleView: { payload: TokenViewPayload; text: string };
  contextView: ContextViewPayload;
  overview: OverviewPayload;
  findTokenizers: Array<{ model: string; path: string }>;
  crash: never;
}

// ───────────────────────── messages ─────────────────────────

export interface RequestMessage {
  type: 'request';
  id: number;
  request: Request;
}

export interface CancelMessage {
  type: 'cancel';
  id: number;
}

export type HostToWorker = RequestMessage | CancelMessage;

export interface ProgressMessage {
  type: 'progress';
  id: number;
  event: ProgressEvent;
}

export interface LogMessage {
  type: 'log';
  id: number;
  line: string;
}

export interface ResultMessage {
  type: 'result';
  id: number;
  result: unknown;
}

/** An error as it crosses from the worker: the engine's one envelope (src/core/threads/envelope.ts). */
export type WorkerError = ThreadError;

export interface ErrorMessage {
  type: 'error';
  id: number;
  error: WorkerError;
}

export type WorkerToHost = ProgressMessage | LogMessage | ResultMessage | ErrorMessage;

export { toThreadError as toWorkerError } from '../core/threads/envelope';
