/**
 * Renames with edits (`detectRenames: 'similarity'`), the way git's default `-M` scores them
 * (diffcore-rename + diffcore-delta): each side is cut into chunks ending at a newline or at 64
 * characters (a CR before LF ignored), and the score is the number of characters of chunks the new
 * file shares with the old one over the larger size. Pairs of a deleted and an added regular file
 * of the same commit scoring at least 50% become renames, best score first.
 */
import { MODE_GITLINK, MODE_SYMLINK } from './classify';
import type { FileChange } from '../types';
import type { AttrRule } from './attributes';

/** A change between two trees, as the tree diff makes it (before the text of any file is read). */
export interface RawChange extends Pick<FileChange, 'path' | 'oldPath' | 'change' | 'oldMode' | 'newMode' | 'oldOid' | 'newOid'> {
  /** .gitattributes rules in effect for this path (root first). */
  rules: readonly AttrRule[];
}

/** Text of a blob at `path` in the new tree, or the old one (`old`); null when not text (binary, not UTF-8, too large to compare). */
export type TextSource = (oid: string, path: string, old: boolean) => string | null;

export const MIN_SIMILARITY = 0.5;
/** Like git's diff.renameLimit: beyond this many sources × destinations, no similarity pass. */
const MAX_PAIRS = 1000 * 1000;

export function pairSimilarRenames(changes: RawChange[], textOf: TextSource): RawChange[] {
  const isFile = (mode?: string) => mode !== undefined && mode !== MODE_GITLINK && mode !== MODE_SYMLINK;
  const sources = changes.filter((c) => c.change === 'deleted' && isFile(c.oldMode));
  const targets = changes.filter((c) => c.change === 'added' && isFile(c.newMode));
  if (sources.length === 0 || targets.length === 0 || sources.length * targets.length > MAX_PAIRS) return changes;

  const src = sources.map((c) => ({ c, text: textOf(c.oldOid!, c.path, true) })).filter((s) => s.text !== null && s.text.length > 0);
  const dst = targets.map((c) => ({ c, text: textOf(c.newOid!, c.path, false) })).filter((d) => d.text !== null && d.text.length > 0);
  if (src.length === 0 || dst.length === 0) return changes;
  const srcChunks = src.map((s) => chunkCounts(s.text!));

  const candidates: Array<{ score: number; s: number; d: number }> = [];
  for (let d = 0; d < dst.length; d++) {
    const dLen = dst[d].text!.length;
    let dChunks: Map<string, number> | null = null;
    for (let s = 0; s < src.length; s++) {
      const sLen = src[s].text!.length;
      const max = Math.max(sLen, dLen);
      // Sizes too different for 50% to be possible (git's early exit).
      if (max - Math.min(sLen, dLen) > max * (1 - MIN_SIMILARITY)) continue;
      dChunks ??= chunkCounts(dst[d].text!);
      const score = shared(srcChunks[s], dChunks) / max;
      if (score >= MIN_SIMILARITY) candidates.push({ score, s, d });
    }
  }
  if (candidates.length === 0) return changes;
  candidates.sort((a, b) => b.score - a.score || cmp(dst[a.d].c.path, dst[b.d].c.path) || cmp(src[a.s].c.path, src[b.s].c.path));
  const usedSrc = new Set<number>();
  const renamed = new Map<RawChange, RawChange>();
  const consumed = new Set<RawChange>();
  for (const { s, d } of candidates) {
    const t = dst[d].c;
    if (usedSrc.has(s) || renamed.has(t)) continue;
    usedSrc.add(s);
    const o = src[s].c;
    consumed.add(o);
    renamed.set(t, { path: t.path, oldPath: o.path, change: 'renamed', oldMode: o.oldMode, newMode: t.newMode, oldOid: o.oldOid, newOid: t.newOid, rules: t.rules });
  }
  const out: RawChange[] = [];
  for (const c of changes) {
    if (consumed.has(c)) continue;
    out.push(renamed.get(c) ?? c);
  }
  return out;
}

/** Characters per distinct chunk (a chunk ends after "\n" or at 64 characters; "\r\n" counts as "\n"). */
export function chunkCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  let start = 0;
  let chunk = '';
  const flush = (end: number) => {
    const piece = chunk + text.slice(start, end);
    counts.set(piece, (counts.get(piece) ?? 0) + piece.length);
    chunk = '';
  };
  let i = 0;
  while (i < text.length) {
    const nl = text.indexOf('\n', i);
    const lineEnd = nl < 0 ? text.length : nl + 1;
    // Split the line into 64-character pieces; a CR right before the LF is dropped.
    let p = i;
    while (lineEnd - p > 64) {
      start = p;
      flush(p + 64);
      p += 64;
    }
    start = p;
    if (nl >= 0 && nl > p && text.charCodeAt(nl - 1) === 13) {
      chunk = text.slice(p, nl - 1);
      start = nl;
    }
    flush(lineEnd);
    i = lineEnd;
  }
  return counts;
}

function shared(a: Map<string, number>, b: Map<string, number>): number {
  let n = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const [k, v] of small) {
    const w = large.get(k);
    if (w !== undefined) n += v < w ? v : w;
  }
  return n;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
