/**
 * Pipeline settings: every option with its default, normalized into one plain object that goes
 * into the manifest and keys the cache.
 */
import type { SplitRatios } from '../dataset/splits';
import { DEFAULT_RATIOS } from '../dataset/splits';

export type FormatName = 'seed' | 'starcoder' | 'repo' | 'plain';
export type ExampleMode = 'commit' | 'sequential';
export type Layout = 'default' | 'seed';

export interface PipelineOptions {
  /** Repository folder (work tree or bare git dir). */
  repo: string;
  /** Output folder (replaced atomically). */
  out: string;
  ref?: string;
  since?: string;
  until?: string;
  maxCommits?: number;
  include?: string[];
  exclude?: string[];
  languages?: string[];
  includeMerges?: boolean;
  skipBots?: boolean;
  maxFileBytes?: number;
  detectRenames?: 'exact' | 'similarity';
  /** tokenizer.json path; default: the bundled Qwen tokenizer. */
  tokenizer?: string;
  format?: FormatName;
  mode?: ExampleMode;
  layout?: Layout;
  contextWindow?: number;
  targetWindow?: number;
  budgets?: Partial<{ message: number; oldCode: number; newCode: number; snippet: number; example: number }>;
  splits?: SplitRatios;
  dedup?: boolean;
  nearDupThreshold?: number;
  redact?: boolean;
  /** Keep author e-mails in commits.jsonl (code/messages are still redacted). */
  keepAuthorEmails?: boolean;
  maxChunkChars?: number;
  contextLines?: number;
  snippetTokens?: number;
  contextTokens?: number;
  /** Cross-file context on (default true). */
  context?: boolean;
  /** Reuse and fill the cache under `<repo>/.commit-corpus/cache` (default true). */
  cache?: boolean;
  cacheDir?: string;
}

export interface ResolvedSettings {
  ref: string;
  since: string | null;
  until: string | null;
  maxCommits: number | null;
  include: string[];
  exclude: string[];
  languages: string[];
  includeMerges: boolean;
  skipBots: boolean;
  maxFileBytes: number;
  detectRenames: 'exact' | 'similarity';
  format: FormatName;
  mode: ExampleMode;
  layout: Layout;
  contextWindow: number;
  targetWindow: number;
  budgets: { message: number; oldCode: number; newCode: number; snippet: number; example: number };
  splits: SplitRatios;
  dedup: boolean;
  nearDupThreshold: number;
  redact: boolean;
  keepAuthorEmails: boolean;
  maxChunkChars: number;
  contextLines: number;
  snippetTokens: number;
  contextTokens: number;
  context: boolean;
}

export const FORMATS: FormatName[] = ['seed', 'starcoder', 'repo', 'plain'];

export function resolveSettings(o: PipelineOptions): ResolvedSettings {
  const s: ResolvedSettings = {
    ref: o.ref ?? 'HEAD',
    since: o.since ?? null,
    until: o.until ?? null,
    maxCommits: o.maxCommits ?? null,
    include: [...(o.include ?? [])],
    exclude: [...(o.exclude ?? [])],
    languages: [...(o.languages ?? [])],
    includeMerges: o.includeMerges ?? false,
    skipBots: o.skipBots ?? true,
    maxFileBytes: o.maxFileBytes ?? 100_000,
    detectRenames: o.detectRenames ?? 'exact',
    format: o.format ?? 'seed',
    mode: o.mode ?? 'commit',
    layout: o.layout ?? 'default',
    contextWindow: o.contextWindow ?? 2048,
    targetWindow: o.targetWindow ?? 256,
    budgets: { message: 64, oldCode: 512, newCode: 2048, snippet: 256, example: 4096, ...(o.budgets ?? {}) },
    splits: o.splits ?? DEFAULT_RATIOS,
    dedup: o.dedup ?? true,
    nearDupThreshold: o.nearDupThreshold ?? 0.7,
    redact: o.redact ?? true,
    keepAuthorEmails: o.keepAuthorEmails ?? false,
    maxChunkChars: o.maxChunkChars ?? 6000,
    contextLines: o.contextLines ?? 3,
    snippetTokens: o.snippetTokens ?? 256,
    contextTokens: o.contextTokens ?? 1024,
    context: o.context ?? true,
  };
  if (!FORMATS.includes(s.format)) throw new UsageError(`unknown format "${s.format}" (expected ${FORMATS.join(', ')})`);
  if (s.mode !== 'commit' && s.mode !== 'sequential') throw new UsageError(`unknown mode "${s.mode}" (expected commit or sequential)`);
  if (s.layout !== 'default' && s.layout !== 'seed') throw new UsageError(`unknown layout "${s.layout}" (expected default or seed)`);
  if (s.maxCommits !== null && !(Number.isInteger(s.maxCommits) && s.maxCommits > 0)) throw new UsageError(`max-commits must be a positive integer`);
  for (const [k, v] of [['since', s.since], ['until', s.until]] as const) {
    if (v !== null && Number.isNaN(new Date(v).getTime())) throw new UsageError(`${k}: "${v}" is not a date (use e.g. 2024-01-31 or an ISO timestamp)`);
  }
  for (const k of ['contextWindow', 'targetWindow'] as const) {
    if (!(Number.isInteger(s[k]) && s[k] > 0)) throw new UsageError(`${k} must be a positive integer`);
  }
  return s;
}

/** An error caused by bad input from the user (CLI exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}
