/**
 * Pipeline settings: every option with its default, normalized into one plain object that goes
 * into the manifest and keys the cache.
 */
import type { SplitRatios } from '../dataset/splits';
import { DEFAULT_RATIOS } from '../dataset/splits';
import { UsageError } from '../errors';

export { UsageError } from '../errors';

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
  /**
   * Seconds one file may take to parse, cut and collect context for (default 5): a file over it is skipped
   * with reason `timeout`, counted and named in the log, so no input can stall a build. Real files take
   * milliseconds; a skip depends on the machine's speed, which is why the log names every one.
   */
  fileTimeout?: number;
  /** Skip files whose objects are missing or corrupt (counted) instead of failing the build. */
  allowMissingObjects?: boolean;
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
  fileTimeout: number;
  allowMissingObjects: boolean;
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
    fileTimeout: o.fileTimeout ?? 5,
    allowMissingObjects: o.allowMissingObjects ?? false,
  };
  if (!FORMATS.includes(s.format)) throw new UsageError(`unknown format "${s.format}" (expected ${FORMATS.join(', ')})`);
  if (s.mode !== 'commit' && s.mode !== 'sequential') throw new UsageError(`unknown mode "${s.mode}" (expected commit or sequential)`);
  if (s.layout !== 'default' && s.layout !== 'seed') throw new UsageError(`unknown layout "${s.layout}" (expected default or seed)`);
  for (const [k, v] of [['since', s.since], ['until', s.until]] as const) {
    if (v !== null && Number.isNaN(new Date(v).getTime())) throw new UsageError(`${k}: "${v}" is not a date (use e.g. 2024-01-31 or an ISO timestamp)`);
  }
  for (const [k, [lo, hi, kind]] of Object.entries(BOUNDS)) {
    const path = k.split('.');
    const v = path.reduce<unknown>((o, p) => (o as Record<string, unknown> | undefined)?.[p], s);
    if (v === null || v === undefined) continue;
    const ok = typeof v === 'number' && v >= lo && v <= hi && (kind === 'number' || Number.isInteger(v));
    if (!ok) throw new UsageError(`${k}${FLAGS[k] ? ` (${FLAGS[k]})` : ''} must be ${kind === 'number' ? 'a number' : 'an integer'} from ${lo} to ${hi}; got ${JSON.stringify(v)}.`);
  }
  return s;
}

/**
 * Allowed range of every numeric setting (the CLI's flags and the editor's settings alike): beyond these the
 * output would be absurd (a 20,000,000-token window writes gigabytes of padding for a few thousand tokens).
 */
export const BOUNDS: Record<string, [number, number, 'integer' | 'number']> = {
  maxCommits: [1, 10_000_000, 'integer'],
  maxFileBytes: [1_000, 50_000_000, 'integer'],
  contextWindow: [64, 32_768, 'integer'],
  targetWindow: [16, 8_192, 'integer'],
  'budgets.message': [0, 4_096, 'integer'],
  'budgets.oldCode': [0, 32_768, 'integer'],
  'budgets.newCode': [16, 32_768, 'integer'],
  'budgets.snippet': [16, 8_192, 'integer'],
  'budgets.example': [64, 65_536, 'integer'],
  nearDupThreshold: [0, 1, 'number'],
  maxChunkChars: [200, 1_000_000, 'integer'],
  contextLines: [0, 100, 'integer'],
  snippetTokens: [16, 8_192, 'integer'],
  contextTokens: [0, 32_768, 'integer'],
  fileTimeout: [0.1, 3_600, 'number'],
};

/** The CLI flag of a setting, for messages. */
const FLAGS: Record<string, string> = { maxCommits: '--max-commits', contextWindow: '--context-window', targetWindow: '--target-window', fileTimeout: '--file-timeout' };

