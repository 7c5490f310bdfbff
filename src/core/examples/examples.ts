/**
 * Training examples from token ids.
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

export type ExampleType = 'commit_based' | 'sequential';

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
  text: string;
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
  /** The text, or a handle the writer resolves (texts can be spilled to disk during a run). */
  text: string | object;
}

export type TextResolver = (ref: object) => string;

export function expandExample(c: CompactExample, w: WindowOptions, resolve?: TextResolver): Example {
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
    text: typeof c.text === 'string' ? c.text : resolve ? resolve(c.text) : '',
  };
}

export interface CommitExampleInput {
  commitHash: string;
  numChunks: number;
  contextIds: ArrayLike<number>;
  targetIds: ArrayLike<number>;
  /** Context tokens that open every window (the commit header and message); default 0. */
  headLength?: number;
  text: string | object;
}

export interface BuildResult {
  examples: CompactExample[];
  /** Context tokens dropped (right after the head) because the context exceeded its window. */
  contextTokensDropped: number;
}

export function buildCommitExamples(input: CommitExampleInput, w: WindowOptions): BuildResult {
  const { contextWindow: cw, targetWindow: tw } = w;
  if (cw <= 0 || tw <= 0) throw new Error('contextWindow and targetWindow must be positive');
  const all = contiguous(input.contextIds, input.targetIds);
  const nCtx = input.contextIds.length;
  const nTgt = input.targetIds.length;
  const parts = Math.max(1, Math.ceil(nTgt / tw));
  // a head that would fill half the window or more is not kept (tiny windows): the window then keeps the end only
  const head = Math.min(nCtx, input.headLength ?? 0) < cw / 2 ? Math.min(nCtx, input.headLength ?? 0) : 0;
  const examples: CompactExample[] = [];
  let dropped = 0;
  for (let p = 0; p < parts; p++) {
    // context of part p = context ++ target[0 : p*tw]; over the window, the head and the last tokens (a view
    // when nothing is dropped)
    const end = nCtx + p * tw;
    const over = Math.max(0, end - cw);
    dropped += over;
    let ctx = all.subarray(0, end);
    if (over > 0) {
      ctx = new Int32Array(cw);
      ctx.set(all.subarray(0, head));
      ctx.set(all.subarray(end - (cw - head), end), head);
    }
    examples.push({
      commit_hash: input.commitHash,
      example_type: 'commit_based',
      num_chunks: input.numChunks,
      part: p,
      parts,
      ctx,
      tgt: all.subarray(end, Math.min(nCtx + nTgt, end + tw)),
      text: input.text,
    });
  }
  return { examples, contextTokensDropped: dropped };
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
  text: string;
}

/** Windows of contextWindow + targetWindow over the concatenated segments (in the given order). */
export function buildSequentialExamples(segments: StreamSegment[], w: WindowOptions): CompactExample[] {
  const { contextWindow: cw, targetWindow: tw } = w;
  const size = cw + tw;
  let total = 0;
  for (const s of segments) total += s.ids.length;
  const ids = new Int32Array(total);
  const owner = new Int32Array(total); // segment index per token
  let k = 0;
  segments.forEach((s, si) => {
    for (let i = 0; i < s.ids.length; i++) {
      ids[k] = s.ids[i];
      owner[k++] = si;
    }
  });
  const out: CompactExample[] = [];
  for (let start = 0; start < total; start += size) {
    const end = Math.min(total, start + size);
    const segs: number[] = [];
    for (let i = start; i < end; i++) if (segs[segs.length - 1] !== owner[i]) segs.push(owner[i]);
    out.push({
      commit_hash: segments[owner[start]].commitHash,
      example_type: 'sequential',
      num_chunks: segs.length,
      part: 0,
      parts: 1,
      ctx: ids.subarray(start, Math.min(end, start + cw)),
      tgt: ids.subarray(Math.min(end, start + cw), end),
      text: segs.map((si) => segments[si].text).join('\n'),
    });
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

/** The compact row's scalar fields, in column order (the token lists `input_ids`, `labels`, `attention_mask` and `text` follow). */
export const COMPACT_SCALARS: ReadonlyArray<{ name: string; type: 'string' | 'int'; get: (c: CompactExample, m: RowMeta) => string | number }> = [
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
];

/**
 * The row of the default layout: the example's real tokens only (a trainer's collator pads per batch), `labels`
 * −100 on the prompt (every token is a label in sequential mode), `attention_mask` all ones, and its metadata.
 * Field order is the files' column order.
 */
export function compactRow(c: CompactExample, meta: RowMeta, resolve?: TextResolver): Record<string, unknown> {
  const seq = c.example_type === 'sequential';
  const ids = [...c.ctx, ...c.tgt];
  return {
    ...Object.fromEntries(COMPACT_SCALARS.map((f) => [f.name, f.get(c, meta)])),
    input_ids: ids,
    labels: seq ? ids : [...new Array<number>(c.ctx.length).fill(IGNORE_INDEX), ...c.tgt],
    attention_mask: new Array<number>(ids.length).fill(1),
    text: typeof c.text === 'string' ? c.text : resolve ? resolve(c.text) : '',
  };
}
