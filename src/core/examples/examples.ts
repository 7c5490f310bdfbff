import { CUT_SLACK, type ExactText, type Ranges, type Stream } from '../tokenize/exact';

/**
 * Training examples from token ids.
 *
 * Every example is exact: encoding the decoded text of its context (the prompt) and of its target (the completion)
 * with the dataset's tokenizer gives back its ids. Windows are cut where that holds (tokenize/exact.ts), a few
 * tokens before the wanted point, and a piece with no such point nearby is re-encoded.
 *
 * Commit-based: context = the serialized "before" side, target = the new code. Both are padded to fixed
 * windows (seed fields `context`/`target` + masks) and also laid out for causal-LM training code
 * (`input_ids` = context ++ target ++ padding, `labels` = −100 on context and padding, `attention_mask`).
 * A target longer than `targetWindow` becomes several examples (parts); part k>0 sees the previous target
 * tokens at the end of its context, so nothing is cut. The context is planned to fit its window (snippets dropped,
 * old code cut from its start: tokenize/format.ts); a later part's context that exceeds it keeps its head (the commit
 * header and message) and its LAST tokens (the target so far), and the dropped middle is counted.
 *
 * Sequential: a token stream cut into windows of contextWindow + targetWindow; labels on every real token.
 */

export type ExampleType = 'commit_based' | 'sequential' | 'unit';

export interface Example {
  commit_hash: string;
  example_type: ExampleType;
  num_chunks: number;
  /** 0-based part index and part count when one commit's target was split. */
  part: number;
  parts: number;
  context: number[];
  target: number[];
  context_mask: number[];
  target_mask: number[];
  context_length: number;
  target_length: number;
  input_ids: number[];
  labels: number[];
  attention_mask: number[];
  /** prompt + completion: the decoded context, then the decoded target. */
  text: string;
}

/** What an example's code is: its chunks' paths, languages and unit kinds (each once, in chunk order). */
export interface ExampleMeta {
  paths: string[];
  languages: string[];
  kinds: string[];
}

export interface WindowOptions {
  contextWindow: number;
  targetWindow: number;
  padId: number;
}

export const IGNORE_INDEX = -100;

function pad(ids: ArrayLike<number>, len: number, padId: number): { ids: number[]; mask: number[] } {
  const out = new Array<number>(len).fill(padId);
  const mask = new Array<number>(len).fill(0);
  const n = Math.min(ids.length, len);
  for (let i = 0; i < n; i++) {
    out[i] = ids[i];
    mask[i] = 1;
  }
  return { ids: out, mask };
}

/**
 * The compact form kept in memory: only the real tokens. `expandExample` produces the padded row
 * (an Example) when a writer needs it, so a large dataset never holds its padding.
 */
export interface CompactExample {
  commit_hash: string;
  example_type: ExampleType;
  num_chunks: number;
  part: number;
  parts: number;
  ctx: Int32Array;
  tgt: Int32Array;
  meta: ExampleMeta;
  /** The completion does not end where the commit's new code does: a later part follows, or a budget cut the new code. */
  cut: boolean;
}

/** An example's fields but its ids, with their lengths (what statistics need). */
export type ExampleInfo = Omit<CompactExample, 'ctx' | 'tgt'> & { ctxLen: number; tgtLen: number };

/**
 * A split's examples as the writers read them: one at a time, in order, as often as each file needs (their ids
 * may wait on disk); their small fields at hand.
 */
export interface ExampleRows extends Iterable<CompactExample> {
  readonly length: number;
  readonly info: readonly ExampleInfo[];
}

/** Decodes ids into text (the dataset's tokenizer). */
export type Decode = (ids: ArrayLike<number>) => string;

export function expandExample(c: CompactExample, w: WindowOptions, decode?: Decode): Example {
  const { contextWindow: cw, targetWindow: tw, padId } = w;
  const cp = pad(c.ctx, cw, padId);
  const tp = pad(c.tgt, tw, padId);
  const total = cw + tw;
  const input_ids = new Array<number>(total).fill(padId);
  const labels = new Array<number>(total).fill(IGNORE_INDEX);
  const attention_mask = new Array<number>(total).fill(0);
  const seq = c.example_type === 'sequential';
  for (let i = 0; i < c.ctx.length; i++) {
    input_ids[i] = c.ctx[i];
    attention_mask[i] = 1;
    if (seq) labels[i] = c.ctx[i];
  }
  for (let i = 0; i < c.tgt.length; i++) {
    input_ids[c.ctx.length + i] = c.tgt[i];
    labels[c.ctx.length + i] = c.tgt[i];
    attention_mask[c.ctx.length + i] = 1;
  }
  return {
    commit_hash: c.commit_hash,
    example_type: c.example_type,
    num_chunks: c.num_chunks,
    part: c.part,
    parts: c.parts,
    context: cp.ids,
    target: tp.ids,
    context_mask: cp.mask,
    target_mask: tp.mask,
    context_length: c.ctx.length,
    target_length: c.tgt.length,
    input_ids,
    labels,
    attention_mask,
    text: decode ? decode(c.ctx) + decode(c.tgt) : '',
  };
}

export interface CommitExampleInput {
  commitHash: string;
  numChunks: number;
  contextIds: ArrayLike<number>;
  targetIds: ArrayLike<number>;
  /** Context tokens that open every window (the commit header and message); default 0. */
  headLength?: number;
  meta: ExampleMeta;
  /** A budget cut the commit's new code (the last part's completion is cut too). */
  targetTruncated?: boolean;
  /** 'unit' when the group is one changed unit (`--mode unit`); default commit_based. */
  type?: Exclude<ExampleType, 'sequential'>;
}

export interface BuildResult {
  examples: CompactExample[];
  /** Context tokens dropped (right after the head) because the context exceeded its window. */
  contextTokensDropped: number;
  /** Groups with no target token (no example: a trainer needs a completion). */
  emptyCompletions: number;
}

/**
 * The examples of one commit group. With `exact` (the dataset's tokenizer), every cut lands where prompt and
 * completion re-encode exactly (at most CUT_SLACK tokens before the wanted point, else the piece is re-encoded).
 */
export function buildCommitExamples(input: CommitExampleInput, w: WindowOptions, exact?: ExactText): BuildResult {
  const { contextWindow: cw, targetWindow: tw } = w;
  if (cw <= 0 || tw <= 0) throw new Error('contextWindow and targetWindow must be positive');
  const all = contiguous(input.contextIds, input.targetIds);
  const nCtx = input.contextIds.length;
  const total = all.length;
  if (total === nCtx) return { examples: [], contextTokensDropped: 0, emptyCompletions: 1 };
  // a head that would fill half the window or more is not kept (tiny windows): the window then keeps the end only
  const head = Math.min(nCtx, input.headLength ?? 0) < cw / 2 ? Math.min(nCtx, input.headLength ?? 0) : 0;
  // context and target are encoded apart: a run across their boundary is checked (formats without markers there)
  const stream = exact?.stream(all, [nCtx]);
  const examples: CompactExample[] = [];
  let dropped = 0;
  // part p's context = context ++ target so far (from q); over the window, the head and the last tokens
  for (let q = nCtx; q < total;) {
    let end = Math.min(total, q + tw);
    if (stream && end < total) end = cutBefore(stream, q, end);
    let tgt = stream ? stream.ids([[q, end]]) : all.subarray(q, end);
    // a piece re-encoded (no exact cut near) can come out longer than its window: it is cut shorter until it fits
    while (stream && tgt.length > tw && end - q > 1) tgt = stream.ids([[q, (end = Math.max(q + 1, end - (tgt.length - tw)))]]);
    let from = q > cw ? q - (cw - head) : 0;
    if (stream && from > 0) from = cutAfter(stream, head, from, q);
    const promptOf = (f: number): Ranges =>
      f > 0
        ? [
            [0, head],
            [f, q],
          ]
        : [[0, q]];
    let ctx = stream ? stream.ids(promptOf(from)) : glue(all, promptOf(from));
    while (stream && ctx.length > cw && Math.max(from, head) < q - 1) ctx = stream.ids(promptOf((from = Math.min(q - 1, Math.max(from, head) + (ctx.length - cw)))));
    if (from > 0) dropped += from - head;
    examples.push({
      commit_hash: input.commitHash,
      example_type: input.type ?? 'commit_based',
      num_chunks: input.numChunks,
      part: examples.length,
      parts: 0,
      ctx,
      tgt,
      meta: input.meta,
      cut: end < total || input.targetTruncated === true,
    });
    q = end; // end > q: every round advances
  }
  for (const e of examples) e.parts = examples.length;
  return { examples, contextTokensDropped: dropped, emptyCompletions: 0 };
}

/**
 * The last point in (q, end] where the piece [q, point) is exact, and the next part's prompt (the stream up to the
 * point) too when `prefix`; `end` if none is near.
 */
function cutBefore(s: Stream, q: number, end: number, prefix = true): number {
  for (let c = end; c > q && c >= end - CUT_SLACK; c--) {
    if (s.exact([[q, c]]) && (!prefix || s.exact([[0, c]]))) return c;
  }
  return end;
}

/** The first point in [from, q) where a prompt of the head and [point, q) is exact; `from` if none is near. */
function cutAfter(s: Stream, head: number, from: number, q: number): number {
  for (let c = from; c < q && c <= from + CUT_SLACK; c++) {
    if (
      s.exact([
        [0, head],
        [c, q],
      ])
    )
      return c;
  }
  return from;
}

/** The ranges of `all` laid end to end (a view for one range). */
function glue(all: Int32Array, ranges: Ranges): Int32Array {
  if (ranges.length === 1) return all.subarray(ranges[0][0], ranges[0][1]);
  const out = new Int32Array(ranges.reduce((n, [a, b]) => n + b - a, 0));
  let k = 0;
  for (const [a, b] of ranges) {
    out.set(all.subarray(a, b), k);
    k += b - a;
  }
  return out;
}

/** context ++ target as one array: a view when they already sit back to back in one buffer. */
export function contiguous(ctx: ArrayLike<number>, tgt: ArrayLike<number>): Int32Array {
  if (ctx instanceof Int32Array && tgt instanceof Int32Array && ctx.buffer === tgt.buffer && ctx.byteOffset + ctx.byteLength === tgt.byteOffset) {
    return new Int32Array(ctx.buffer, ctx.byteOffset, ctx.length + tgt.length);
  }
  const all = new Int32Array(ctx.length + tgt.length);
  all.set(ctx);
  all.set(tgt, ctx.length);
  return all;
}

export interface StreamSegment {
  commitHash: string;
  ids: ArrayLike<number>;
  /** The chunk's path, language and kind. */
  path: string;
  language: string;
  kind: string;
}

/**
 * Windows of contextWindow + targetWindow over the concatenated segments (in the given order); with `exact`, each
 * window's context and target are cut where they re-encode exactly (as the commit examples).
 */
export function buildSequentialExamples(segments: StreamSegment[], w: WindowOptions, exact?: ExactText): CompactExample[] {
  const { contextWindow: cw, targetWindow: tw } = w;
  let total = 0;
  for (const s of segments) total += s.ids.length;
  const ids = new Int32Array(total);
  const owner = new Int32Array(total); // segment index per token
  const starts: number[] = [];
  let k = 0;
  segments.forEach((s, si) => {
    starts.push(k);
    for (let i = 0; i < s.ids.length; i++) {
      ids[k] = s.ids[i];
      owner[k++] = si;
    }
  });
  const stream = exact?.stream(ids, starts); // each chunk encoded on its own
  const out: CompactExample[] = [];
  for (let start = 0; start < total;) {
    // the last window: shared between context and target in the windows' ratio, so no completion is empty
    let mid = start + cw < total ? start + cw : start + Math.floor(((total - start) * cw) / (cw + tw));
    if (stream && mid > start) mid = cutBefore(stream, start, mid, false);
    let ctx = stream ? stream.ids([[start, mid]]) : ids.subarray(start, mid);
    while (stream && ctx.length > cw && mid - start > 1) ctx = stream.ids([[start, (mid = Math.max(start + 1, mid - (ctx.length - cw)))]]);
    let end = Math.min(total, mid + tw);
    if (stream && end < total) end = cutBefore(stream, mid, end, false);
    let tgt = stream ? stream.ids([[mid, end]]) : ids.subarray(mid, end);
    while (stream && tgt.length > tw && end - mid > 1) tgt = stream.ids([[mid, (end = Math.max(mid + 1, end - (tgt.length - tw)))]]);
    const segs: number[] = [];
    for (let i = start; i < end; i++) if (segs[segs.length - 1] !== owner[i]) segs.push(owner[i]);
    const of = (f: 'path' | 'language' | 'kind') => [...new Set(segs.map((si) => segments[si][f]))];
    out.push({
      commit_hash: segments[owner[start]].commitHash,
      example_type: 'sequential',
      num_chunks: segs.length,
      part: 0,
      parts: 1,
      ctx,
      tgt,
      meta: { paths: of('path'), languages: of('language'), kinds: of('kind') },
      cut: false,
    });
    start = end; // end > start: every round advances
  }
  return out;
}

/** What a compact row says of its commit besides the example (its split, repository and date). */
export interface RowMeta {
  split: string;
  repo: string;
  /** The commit's committer date, ISO 8601 (UTC). */
  date: string;
}

/** The compact row's scalar fields, in column order (the lists `paths`, `languages`, `kinds`, `input_ids`, `labels` and `attention_mask` follow). */
export const COMPACT_SCALARS: ReadonlyArray<{ name: string; type: 'string' | 'int' | 'bool'; get: (c: CompactExample, m: RowMeta) => string | number | boolean }> = [
  { name: 'commit_hash', type: 'string', get: (c) => c.commit_hash },
  { name: 'split', type: 'string', get: (_, m) => m.split },
  { name: 'repo', type: 'string', get: (_, m) => m.repo },
  { name: 'date', type: 'string', get: (_, m) => m.date },
  { name: 'example_type', type: 'string', get: (c) => c.example_type },
  { name: 'num_chunks', type: 'int', get: (c) => c.num_chunks },
  { name: 'part', type: 'int', get: (c) => c.part },
  { name: 'parts', type: 'int', get: (c) => c.parts },
  { name: 'prompt_tokens', type: 'int', get: (c) => c.ctx.length },
  { name: 'completion_tokens', type: 'int', get: (c) => c.tgt.length },
  { name: 'completion_cut', type: 'bool', get: (c) => c.cut },
];

/** The compact row's lists of strings, after the scalars. */
export const COMPACT_META = ['paths', 'languages', 'kinds'] as const;

/**
 * The row of the default layout: the example's real tokens only (a trainer's collator pads per batch), `labels`
 * −100 on the prompt (every token is a label in sequential mode), `attention_mask` all ones, and its metadata.
 * Field order is the files' column order. The text is in the trainer-shaped files (dataset/write.ts `--emit`).
 */
export function compactRow(c: CompactExample, meta: RowMeta): Record<string, unknown> {
  const seq = c.example_type === 'sequential';
  const ids = [...c.ctx, ...c.tgt];
  return {
    ...Object.fromEntries(COMPACT_SCALARS.map((f) => [f.name, f.get(c, meta)])),
    ...Object.fromEntries(COMPACT_META.map((k) => [k, c.meta[k]])),
    input_ids: ids,
    labels: seq ? ids : [...new Array<number>(c.ctx.length).fill(IGNORE_INDEX), ...c.tgt],
    attention_mask: new Array<number>(ids.length).fill(1),
  };
}
