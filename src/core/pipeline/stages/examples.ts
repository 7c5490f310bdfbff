/**
 * Stage 5, examples: near dedup, the windowed examples of each split, and the run's statistics
 * (dataset/stats.json and chunking_stats.json). Pure functions of what the earlier stages left.
 *
 *   TokenOutput + the prepare pass's rows and tallies → Examples
 */
import type { SpillRef, SpillStore } from '../spill';
import type { CommitPreparer, PrepareTally } from './prepare';
import type { ResolvedSettings } from '../options';
import type { Run, Tokenizer } from '../run';
import type { SpilledGroup, StreamChunk, TokenOutput } from './tokens';
import { nearDedup, type SplitName } from '../../examples/dedup';
import { buildCommitExamples, buildSequentialExamples, type CompactExample, type ExampleInfo, type ExampleRows, type WindowOptions } from '../../examples/examples';
import type { CommitRow } from '../../dataset/model';
import { percentiles } from '../../dataset/output';
import { Redactor } from '../../hygiene/redact';
import { ExactText } from '../../tokenize/exact';
import { SPLITS } from '../../dataset/write';
import type { ChunkTokens } from '../../dataset/safetensors';

export interface Assembled {
  examples: Record<SplitName, SpilledExamples>;
  counts: Record<SplitName, number>;
  near: Record<SplitName, number>;
  contextDropped: number;
  truncatedGroups: number;
  /** Groups without a target token (no example). */
  emptyCompletions: number;
  /** Pieces re-encoded because no exact cut was near (tokenize/exact.ts). */
  reencoded: number;
  /** Examples whose text holds the literal of a special token (commit mode; tokenize/exact.ts specialLiteral). */
  specialLiterals: number;
  /** Groups (commit and unit modes) or chunks (sequential) dropped by --decontaminate. */
  decontaminated: number;
}

/**
 * A split's examples with their ids in the spill file: what stays in memory is their small fields, so the
 * examples of a long history do not hold its tokens a second time until the files are written. Read back one
 * example at a time, as often as the writers need.
 */
export class SpilledExamples implements ExampleRows {
  readonly info: ExampleInfo[] = [];
  private readonly refs: SpillRef[] = [];

  constructor(private readonly spill: SpillStore) {}

  get length(): number {
    return this.info.length;
  }

  add(e: CompactExample): void {
    const { ctx, tgt, ...rest } = e;
    this.info.push({ ...rest, ctxLen: ctx.length, tgtLen: tgt.length });
    this.refs.push(this.spill.putArrays(ctx, tgt));
  }

  *[Symbol.iterator](): Iterator<CompactExample> {
    for (let i = 0; i < this.info.length; i++) {
      const { commit_hash, example_type, num_chunks, part, parts, meta, cut, ctxLen } = this.info[i];
      const ids = this.spill.getInt32(this.refs[i]);
      yield { commit_hash, example_type, num_chunks, part, parts, ctx: ids.subarray(0, ctxLen), tgt: ids.subarray(ctxLen), meta, cut };
    }
  }
}

/** Decides whether a group's (or chunk's) ids are contaminated by a benchmark (--decontaminate). */
export type Contaminated = (ids: Int32Array) => boolean;

export function assembleExamples(
  settings: ResolvedSettings,
  w: WindowOptions,
  spill: SpillStore,
  groupsIn: SpilledGroup[],
  segsIn: StreamChunk[],
  exact: ExactText,
  contaminated: Contaminated | null = null,
): Assembled {
  const examples: Record<SplitName, SpilledExamples> = { train: new SpilledExamples(spill), val: new SpilledExamples(spill), test: new SpilledExamples(spill) };
  // decontamination first: a benchmark's text never reaches an example, nor the near-dedup choice
  let decontaminated = 0;
  let groups = groupsIn;
  let segs = segsIn;
  if (contaminated) {
    const clean = (ids: Int32Array) => {
      const bad = contaminated(ids);
      if (bad) decontaminated++;
      return !bad;
    };
    groups = groupsIn.filter((g) => clean(spill.getInt32(g.all)));
    segs = segsIn.filter((s) => clean(s.ids));
  }
  let near: Record<SplitName, number> = { train: 0, val: 0, test: 0 };
  let contextDropped = 0;
  let truncatedGroups = 0;
  let emptyCompletions = 0;
  let specialLiterals = 0;
  const reencodedBefore = exact.reencoded;
  if (settings.mode !== 'sequential') {
    const all = groups.map((g) => spill.getInt32(g.all));
    const items = groups.map((g, i) => ({ split: g.split, ids: all[i].subarray(g.ctxLen), sig: g.sig && spill.getUint32(g.sig) }));
    const keep = settings.dedup ? nearDedup(items, settings.nearDupThreshold) : null;
    if (keep) near = keep.removed;
    groups.forEach((g, i) => {
      if (keep && !keep.keep[i]) return;
      if (g.truncated) truncatedGroups++;
      const b = buildCommitExamples(
        {
          commitHash: g.hash,
          numChunks: g.numChunks,
          contextIds: all[i].subarray(0, g.ctxLen),
          targetIds: all[i].subarray(g.ctxLen),
          headLength: g.head,
          meta: g.meta,
          targetTruncated: g.targetTruncated,
          type: settings.mode === 'unit' ? 'unit' : 'commit_based',
        },
        w,
        exact,
      );
      contextDropped += b.contextTokensDropped;
      emptyCompletions += b.emptyCompletions;
      if (g.literals) specialLiterals += b.examples.length;
      for (const e of b.examples) examples[g.split].add(e);
    });
  } else {
    const keep = settings.dedup ? nearDedup(segs, settings.nearDupThreshold) : null;
    if (keep) near = keep.removed;
    for (const split of SPLITS)
      for (const e of buildSequentialExamples(
        segs.filter((s, i) => s.split === split && (!keep || keep.keep[i])),
        w,
        exact,
      ))
        examples[split].add(e);
  }
  const counts = Object.fromEntries(SPLITS.map((s) => [s, examples[s].length])) as Record<SplitName, number>;
  return { examples, counts, near, contextDropped, truncatedGroups, emptyCompletions, specialLiterals, decontaminated, reencoded: exact.reencoded - reencodedBefore };
}

export interface RunStatsInput {
  commits: number;
  rows: CommitRow[];
  tally: PrepareTally;
  tokens: number;
  chunkTokenLengths: readonly number[];
  redactions: Record<string, number>;
  assembled: Assembled;
  /** Commits the selection left out, by reason (merges, bots, message filter; with several repositories, the commits an earlier one has). */
  skipped: Record<string, number>;
  /** The repositories in build order, with the commits each left to an earlier one. */
  repos: Array<{ name: string; shared: number }>;
}

/** stats.json `repositories`: each repository's commits, chunks, examples and example tokens, by split. */
function perRepository(rows: CommitRow[], examples: Record<SplitName, ExampleRows>, repos: RunStatsInput['repos']): Record<string, unknown> {
  const zero = () => ({ train: 0, val: 0, test: 0 });
  const per = new Map(repos.map((r) => [r.name, { commits: zero(), chunks: 0, examples: zero(), tokens: 0, shared_commits: r.shared }]));
  const repoOf = new Map<string, string>();
  for (const c of rows) {
    repoOf.set(c.hash, c.repo);
    const p = per.get(c.repo);
    if (!p) continue;
    p.commits[c.split]++;
    p.chunks += c.num_chunks;
  }
  for (const split of SPLITS)
    for (const e of examples[split].info) {
      const p = per.get(repoOf.get(e.commit_hash) ?? '');
      if (!p) continue;
      p.examples[split]++;
      p.tokens += e.ctxLen + e.tgtLen;
    }
  return Object.fromEntries(per);
}

/** dataset/stats.json and chunking_stats.json. */
export function runStats({ commits, rows, tally, tokens, chunkTokenLengths, redactions, assembled, skipped, repos }: RunStatsInput): {
  stats: Record<string, unknown>;
  chunkingStats: Record<string, unknown>;
} {
  const { examples, counts, near } = assembled;
  const splitStats = Object.fromEntries(
    SPLITS.map((s) => [
      s,
      {
        examples: examples[s].length,
        commits: rows.filter((c) => c.split === s).length,
        context_tokens: percentiles(examples[s].info.map((e) => e.ctxLen)),
        target_tokens: percentiles(examples[s].info.map((e) => e.tgtLen)),
      },
    ]),
  );
  const stats = {
    splits: splitStats,
    examples: counts,
    commits,
    chunks: tally.chunks,
    tokens,
    chunk_tokens: percentiles(chunkTokenLengths),
    languages: tally.languages,
    kinds: tally.kinds,
    skips: tally.skips,
    redactions,
    duplicates: { exact: tally.exactDupes, near },
    context_tokens_dropped: assembled.contextDropped,
    truncated_groups: assembled.truncatedGroups,
    empty_completions: assembled.emptyCompletions,
    completions_cut: SPLITS.reduce((a, s) => a + examples[s].info.filter((e) => e.cut).length, 0),
    reencoded_pieces: assembled.reencoded,
    special_literals: assembled.specialLiterals,
    decontaminated: assembled.decontaminated,
    commits_skipped: skipped,
    split_targets: SPLITS.reduce((a, s) => a + examples[s].info.filter((e) => e.part > 0).length, 0),
    commit_errors: tally.commitErrors,
    repositories: perRepository(rows, examples, repos),
  };
  const chunkingStats = {
    commits,
    files_changed: tally.filesChanged,
    changed_bytes: tally.changedBytes,
    file_languages: tally.fileLanguages,
    chunks: tally.chunks,
    kinds: tally.kinds,
    languages: tally.languages,
    skips: tally.skips,
    split_chunks: tally.splitChunks,
    context_items: tally.contextItems,
  };
  return { stats, chunkingStats };
}

export interface Examples extends Assembled {
  windows: WindowOptions;
  stats: Record<string, unknown>;
  chunkingStats: Record<string, unknown>;
  /** Each chunk's ids, read back from the spill file one chunk at a time (tokens.safetensors). */
  chunkTokens: ChunkTokens;
  /** Redactions by kind (empty when redaction is off). */
  redactions: Record<string, number>;
}

export function buildExamples(run: Run, commits: number, skipped: Record<string, number>, tokens: TokenOutput, preparer: CommitPreparer, spill: SpillStore, repos: RunStatsInput['repos']): Examples {
  const { settings } = run;
  const end = run.begin('examples', 1);
  const { tally } = preparer;
  const windows = { contextWindow: settings.contextWindow, targetWindow: settings.targetWindow, padId: padTokenId(run.tokenizer()) };
  const tok = run.tokenizer();
  const decontam = run.decontam;
  const contaminated = decontam ? (ids: Int32Array) => decontam.contaminated(tok.decode(ids)) : null;
  const assembled = assembleExamples(settings, windows, spill, tokens.groups, tokens.segs, new ExactText(tok), contaminated);
  const { counts, near } = assembled;
  end({ ...counts, near_duplicates: near.train + near.val + near.test, exact_duplicates: tally.exactDupes });
  run.progress('examples', 1, 1);
  run.checkAbort();
  const refs = tokens.chunkIdRefs;
  const chunkTokens: ChunkTokens = { lengths: refs.map((r) => r.bytes / 4), ids: (i) => spill.getInt32(refs[i]) };
  const redactions = settings.redact ? { ...new Redactor().counts, ...tally.redactions } : {};
  const { stats, chunkingStats } = runStats({ commits, rows: preparer.rows, tally, tokens: tokens.tokens, chunkTokenLengths: chunkTokens.lengths, redactions, assembled, skipped, repos });
  return { ...assembled, windows, stats, chunkingStats, chunkTokens, redactions };
}

function padTokenId(tok: Tokenizer): number {
  for (const t of ['<|endoftext|>', '<pad>', '<|pad|>', '</s>']) {
    const id = tok.tokenToId?.(t);
    if (typeof id === 'number') return id;
  }
  return 0;
}
