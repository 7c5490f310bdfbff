/**
 * Training examples from token ids.
 *
 * Commit-based: context = the serialized "before" side, target = the new code. Both are padded to fixed
 * windows (seed fields `context`/`target` + masks) and also laid out for causal-LM training code
 * (`input_ids` = context ++ target ++ padding, `labels` = −100 on context and padding, `attention_mask`).
 * A target longer than `targetWindow` becomes several examples (parts); part k>0 sees the previous target
 * tokens at the end of its context, so nothing is cut. A context longer than `contextWindow` keeps its
 * LAST tokens (the old code next to the target) and is counted as truncated.
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

export interface CommitExampleInput {
  commitHash: string;
  numChunks: number;
  contextIds: ArrayLike<number>;
  targetIds: ArrayLike<number>;
  text: string;
}

export interface BuildResult {
  examples: Example[];
  /** Context tokens dropped (from the start) because the context exceeded its window. */
  contextTokensDropped: number;
}

export function buildCommitExamples(input: CommitExampleInput, w: WindowOptions): BuildResult {
  const { contextWindow: cw, targetWindow: tw, padId } = w;
  if (cw <= 0 || tw <= 0) throw new Error('contextWindow and targetWindow must be positive');
  const ctx = Array.from(input.contextIds);
  const tgt = Array.from(input.targetIds);
  const parts = Math.max(1, Math.ceil(tgt.length / tw));
  const examples: Example[] = [];
  let dropped = 0;
  for (let p = 0; p < parts; p++) {
    const full = p === 0 ? ctx : ctx.concat(tgt.slice(0, p * tw));
    const c = full.length > cw ? full.slice(full.length - cw) : full;
    dropped += full.length - c.length;
    const t = tgt.slice(p * tw, (p + 1) * tw);
    const cp = pad(c, cw, padId);
    const tp = pad(t, tw, padId);
    const total = cw + tw;
    const input_ids = new Array<number>(total).fill(padId);
    const labels = new Array<number>(total).fill(IGNORE_INDEX);
    const attention_mask = new Array<number>(total).fill(0);
    for (let i = 0; i < c.length; i++) {
      input_ids[i] = c[i];
      attention_mask[i] = 1;
    }
    for (let i = 0; i < t.length; i++) {
      input_ids[c.length + i] = t[i];
      labels[c.length + i] = t[i];
      attention_mask[c.length + i] = 1;
    }
    examples.push({
      commit_hash: input.commitHash,
      example_type: 'commit_based',
      num_chunks: input.numChunks,
      part: p,
      parts,
      context: cp.ids,
      target: tp.ids,
      context_mask: cp.mask,
      target_mask: tp.mask,
      context_length: c.length,
      target_length: t.length,
      input_ids,
      labels,
      attention_mask,
      text: input.text,
    });
  }
  return { examples, contextTokensDropped: dropped };
}

export interface StreamSegment {
  commitHash: string;
  ids: ArrayLike<number>;
  text: string;
}

/** Windows of contextWindow + targetWindow over the concatenated segments (in the given order). */
export function buildSequentialExamples(segments: StreamSegment[], w: WindowOptions, decode?: (ids: number[]) => string): Example[] {
  const { contextWindow: cw, targetWindow: tw, padId } = w;
  const size = cw + tw;
  const ids: number[] = [];
  const owner: number[] = []; // segment index per token
  segments.forEach((s, k) => {
    for (let i = 0; i < s.ids.length; i++) {
      ids.push(s.ids[i]);
      owner.push(k);
    }
  });
  const out: Example[] = [];
  for (let start = 0; start < ids.length; start += size) {
    const win = ids.slice(start, start + size);
    const segs = new Set(owner.slice(start, start + size));
    const first = segments[owner[start]];
    const c = win.slice(0, cw);
    const t = win.slice(cw);
    const cp = pad(c, cw, padId);
    const tp = pad(t, tw, padId);
    const all = pad(win, size, padId);
    out.push({
      commit_hash: first.commitHash,
      example_type: 'sequential',
      num_chunks: segs.size,
      part: 0,
      parts: 1,
      context: cp.ids,
      target: tp.ids,
      context_mask: cp.mask,
      target_mask: tp.mask,
      context_length: c.length,
      target_length: t.length,
      input_ids: all.ids,
      labels: all.ids.map((id, i) => (all.mask[i] ? id : IGNORE_INDEX)),
      attention_mask: all.mask,
      text: decode ? decode(win) : [...segs].map((k) => segments[k].text).join(''),
    });
  }
  return out;
}
