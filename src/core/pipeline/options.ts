/**
 * Pipeline settings: every option with its default, normalized into one plain object that goes
 * into the manifest and keys the cache.
 */
import type { SplitRatios } from '../examples/splits';
import { DEFAULT_RATIOS } from '../examples/splits';
import { UsageError } from '../errors';
import { bounds, EMITS, engineDefault, ENGINE_SETTINGS, type FORMATS, type LAYOUTS, type MODES } from './schema';
import type { Emit } from '../dataset/emit';

export { UsageError } from '../errors';

export type FormatName = (typeof FORMATS)[number];
export type ExampleMode = (typeof MODES)[number];
export type Layout = (typeof LAYOUTS)[number];

/** The repositories a build is of: `repos` when given, else `repo`. */
export function reposOf(opts: Pick<PipelineOptions, 'repo' | 'repos'>): string[] {
  return opts.repos?.length ? opts.repos : [opts.repo];
}

export interface PipelineOptions {
  /** Repository folder (work tree or bare git dir). */
  repo: string;
  /**
   * Several repositories in one dataset (`repo` is then ignored): their histories are built one after the other,
   * each row names its repository, splits are temporal within each, dedup runs across all.
   */
  repos?: string[];
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
  messageFilter?: boolean;
  /** Benchmark JSON Lines files to decontaminate against (10-word overlap). */
  decontaminate?: string[];
  maxFileBytes?: number;
  detectRenames?: 'exact' | 'similarity';
  /** tokenizer.json path; default: the bundled Qwen tokenizer. */
  tokenizer?: string;
  format?: FormatName;
  mode?: ExampleMode;
  layout?: Layout;
  /** Trainer-shaped files besides the pre-tokenized rows (default prompt-completion). */
  emit?: string[];
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
  messageFilter: boolean;
  decontaminate: string[];
  maxFileBytes: number;
  detectRenames: 'exact' | 'similarity';
  format: FormatName;
  mode: ExampleMode;
  layout: Layout;
  emit: Emit[];
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

export { FORMATS } from './schema';

/** The engine default of a setting (one table: ./schema.ts). */
const d = engineDefault;

/** `--emit a,b --emit c` (or one string): the names, trimmed, without empty ones. */
function emitList(v: string | string[]): string[] {
  return ([] as string[])
    .concat(v)
    .flatMap((e) => String(e).split(','))
    .map((e) => e.trim())
    .filter(Boolean);
}

export function resolveSettings(o: PipelineOptions): ResolvedSettings {
  const s: ResolvedSettings = {
    ref: o.ref ?? d('ref'),
    since: o.since ?? null,
    until: o.until ?? null,
    maxCommits: o.maxCommits ?? null,
    include: [...(o.include ?? [])],
    exclude: [...(o.exclude ?? [])],
    languages: [...(o.languages ?? [])],
    includeMerges: o.includeMerges ?? d('includeMerges'),
    skipBots: o.skipBots ?? d('skipBots'),
    messageFilter: o.messageFilter ?? d('messageFilter'),
    decontaminate: [...(o.decontaminate ?? [])],
    maxFileBytes: o.maxFileBytes ?? d('maxFileBytes'),
    detectRenames: o.detectRenames ?? d('detectRenames'),
    format: o.format ?? d('format'),
    mode: o.mode ?? d('mode'),
    layout: o.layout ?? d('layout'),
    // repeatable and comma-separated; each once, in the table's order (the same setting gives the same run key)
    emit: EMITS.filter((e) => emitList(o.emit ?? d<string[]>('emit')).includes(e)),
    contextWindow: o.contextWindow ?? d('contextWindow'),
    targetWindow: o.targetWindow ?? d('targetWindow'),
    budgets: { message: d('budgets.message'), oldCode: d('budgets.oldCode'), newCode: d('budgets.newCode'), snippet: d('budgets.snippet'), example: d('budgets.example'), ...(o.budgets ?? {}) },
    splits: o.splits ?? DEFAULT_RATIOS,
    dedup: o.dedup ?? d('dedup'),
    nearDupThreshold: o.nearDupThreshold ?? d('nearDupThreshold'),
    redact: o.redact ?? d('redact'),
    keepAuthorEmails: o.keepAuthorEmails ?? d('keepAuthorEmails'),
    maxChunkChars: o.maxChunkChars ?? d('maxChunkChars'),
    contextLines: o.contextLines ?? d('contextLines'),
    snippetTokens: o.snippetTokens ?? d('snippetTokens'),
    contextTokens: o.contextTokens ?? d('contextTokens'),
    context: o.context ?? d('context'),
    fileTimeout: o.fileTimeout ?? d('fileTimeout'),
    allowMissingObjects: o.allowMissingObjects ?? d('allowMissingObjects'),
  };
  for (const v of emitList(o.emit ?? [])) {
    if (!(EMITS as readonly string[]).includes(v)) throw new UsageError(`unknown emit "${v}" (expected ${EMITS.join(', ')})`);
  }
  for (const [k, spec] of ENGINE_SETTINGS) {
    const v = (s as unknown as Record<string, unknown>)[k];
    if (spec.enum && spec.type !== 'array' && !spec.enum.includes(v as string)) throw new UsageError(`unknown ${k} "${String(v)}" (expected ${spec.enum.join(', ')})`);
  }
  for (const [k, v] of [
    ['since', s.since],
    ['until', s.until],
  ] as const) {
    if (v !== null && Number.isNaN(new Date(v).getTime())) throw new UsageError(`${k}: "${v}" is not a date (use e.g. 2024-01-31 or an ISO timestamp)`);
  }
  for (const [k, lo, hi, kind] of bounds()) {
    const path = k.split('.');
    const v = path.reduce<unknown>((o, p) => (o as Record<string, unknown> | undefined)?.[p], s);
    if (v === null || v === undefined) continue;
    const ok = typeof v === 'number' && v >= lo && v <= hi && (kind === 'number' || Number.isInteger(v));
    const flag = ENGINE_SETTINGS.get(k)?.flag;
    if (!ok) throw new UsageError(`${k}${flag ? ` (--${flag})` : ''} must be ${kind === 'number' ? 'a number' : 'an integer'} from ${lo} to ${hi}; got ${JSON.stringify(v)}.`);
  }
  return s;
}
