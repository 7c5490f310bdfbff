/**
 * Turns the old and new analysis of one changed file into chunk drafts:
 * units paired by kind + qualified name (modified / added / deleted; unchanged ones are not emitted),
 * oversized units split on AST boundaries, changes outside every unit as top-level chunks,
 * and plain diff-hunk chunks for files without a grammar.
 */
import type { ChunkChange, ChunkRecord, LineRange, UnitKind } from '../types';
import { diffLines, diffTexts, Hunk } from './diff';
import { ELLIPSIS } from './languages';
import { allLines, LineIndex } from './lines';
import type { FileAnalysis, Unit } from './units';

export interface Draft extends Pick<ChunkRecord, 'kind' | 'qualifiedName' | 'change' | 'oldRange' | 'newRange' | 'oldCode' | 'newCode' | 'split'> {
  /** Part index when one unit gave several chunks. */
  part: number;
  /** The units the chunk comes from (for context: names it defines). */
  oldUnit?: Unit;
  newUnit?: Unit;
}

export interface Side {
  text: string;
  lines: LineIndex;
  analysis: FileAnalysis | null;
}

export interface PairOptions {
  maxChunkChars: number;
  contextLines: number;
  collapse: string;
}

const key = (u: Unit): string => `${u.kind}\0${u.qualifiedName}`;
const textOf = (s: Side, u: Unit): string => s.text.slice(u.start, u.end);
const range = (u: Unit): LineRange => ({ start: u.startLine, end: u.endLine });

export function pairFile(oldSide: Side | null, newSide: Side | null, opts: PairOptions): Draft[] {
  const out: Draft[] = [];
  const oldUnits = oldSide?.analysis?.units ?? [];
  const newUnits = newSide?.analysis?.units ?? [];
  const oldByKey = new Map(oldUnits.map((u) => [key(u), u]));
  const newByKey = new Map(newUnits.map((u) => [key(u), u]));
  const ctx: Ctx = { oldSide, newSide, oldByKey, newByKey, opts, out, depth: 0 };

  for (const n of newUnits) {
    if (n.parent >= 0) continue;
    const o = oldByKey.get(key(n));
    if (!o) emitAdded(ctx, n);
    else if (o.parent >= 0)
      emitAdded(ctx, n); // moved out of a container: treat as new here
    else if (textOf(oldSide!, o) !== textOf(newSide!, n)) emitModified(ctx, o, n);
  }
  for (const o of oldUnits) {
    if (o.parent >= 0) continue;
    const n = newByKey.get(key(o));
    if (!n || n.parent >= 0) emitDeleted(ctx, o);
  }
  out.push(...topLevel(oldSide, newSide, opts));
  return out;
}

interface Ctx {
  oldSide: Side | null;
  newSide: Side | null;
  oldByKey: Map<string, Unit>;
  newByKey: Map<string, Unit>;
  opts: PairOptions;
  out: Draft[];
  /** Containers being split (splitContainer → emit* → splitContainer …): bounded by MAX_SPLIT_DEPTH. */
  depth: number;
}

/**
 * Nesting of containers split into their children at most; deeper ones are split into line windows instead.
 * Real code nests a few levels; without a bound, thousands of nested `mod a {` overflowed the call stack.
 */
const MAX_SPLIT_DEPTH = 64;

function emitAdded(c: Ctx, n: Unit): void {
  const s = c.newSide!;
  if (n.end - n.start <= c.opts.maxChunkChars) {
    c.out.push({ kind: n.kind, qualifiedName: n.qualifiedName, change: 'added', oldRange: null, newRange: range(n), oldCode: '', newCode: textOf(s, n), split: false, part: 0, newUnit: n });
    return;
  }
  if (n.children.length && splitContainer(c, undefined, n)) return;
  splitLeaf(c, undefined, n, 'added');
}

function emitDeleted(c: Ctx, o: Unit): void {
  const s = c.oldSide!;
  if (o.end - o.start <= c.opts.maxChunkChars) {
    c.out.push({ kind: o.kind, qualifiedName: o.qualifiedName, change: 'deleted', oldRange: range(o), newRange: null, oldCode: textOf(s, o), newCode: '', split: false, part: 0, oldUnit: o });
    return;
  }
  if (o.children.length && splitContainer(c, o, undefined)) return;
  splitLeaf(c, o, undefined, 'deleted');
}

function emitModified(c: Ctx, o: Unit, n: Unit): void {
  const max = c.opts.maxChunkChars;
  if (o.end - o.start <= max && n.end - n.start <= max) {
    c.out.push({
      kind: n.kind,
      qualifiedName: n.qualifiedName,
      change: 'modified',
      oldRange: range(o),
      newRange: range(n),
      oldCode: textOf(c.oldSide!, o),
      newCode: textOf(c.newSide!, n),
      split: false,
      part: 0,
      oldUnit: o,
      newUnit: n,
    });
    return;
  }
  if ((o.children.length || n.children.length) && splitContainer(c, o, n)) return;
  splitLeaf(c, o, n, 'modified');
}

/**
 * Renders a container with only `keep` children in full: the others are collapsed to their header + `collapse`
 * (mode 'collapse') or left out (mode 'drop'). Gaps between children are kept.
 */
export function render(side: Side, u: Unit, keep: Set<Unit>, mode: 'collapse' | 'drop', collapse: string): string {
  const units = side.analysis!.units;
  let pos = u.start;
  let s = '';
  for (const ci of u.children) {
    const ch = units[ci];
    if (keep.has(ch)) continue;
    if (mode === 'collapse') {
      if (ch.bodyStart === undefined) continue;
      s += side.text.slice(pos, ch.bodyStart) + collapse;
      pos = ch.end > ch.bodyEnd! ? ch.bodyEnd! : ch.end;
    } else {
      // whole lines of the child become one `…` line (consecutive dropped children share it)
      const lineStart = side.text.lastIndexOf('\n', ch.start - 1) + 1;
      const ownLine = side.text.slice(lineStart, ch.start).trim() === '';
      const from = ownLine ? lineStart : ch.start;
      const gap = side.text.slice(pos, from);
      const indent = ownLine ? side.text.slice(lineStart, ch.start) : ' ';
      if (!(s.endsWith(DROPPED) && gap.trim() === '')) s += gap + (ownLine ? indent : '') + ELLIPSIS + DROPPED;
      let to = ch.end;
      const nl = side.text.indexOf('\n', to);
      if (nl >= 0 && side.text.slice(to, nl).trim() === '') to = nl;
      pos = to;
    }
  }
  return (s + side.text.slice(pos, u.end)).split(DROPPED).join('');
}

/** Internal end-of-marker sentinel (removed before returning). */
const DROPPED = '\u0000';

interface ChildPair {
  o?: Unit;
  n?: Unit;
}

/** Split of an oversized container (impl, trait, mod, class): header + changed children, unchanged siblings collapsed. */
function splitContainer(c: Ctx, o: Unit | undefined, n: Unit | undefined): boolean {
  if (c.depth >= MAX_SPLIT_DEPTH) return false;
  c.depth++;
  try {
    return splitChildren(c, o, n);
  } finally {
    c.depth--;
  }
}

function splitChildren(c: Ctx, o: Unit | undefined, n: Unit | undefined): boolean {
  const { maxChunkChars: max, collapse } = c.opts;
  const oUnits = c.oldSide?.analysis?.units ?? [];
  const nUnits = c.newSide?.analysis?.units ?? [];
  const oKids = o ? o.children.map((i) => oUnits[i]) : [];
  const nKids = n ? n.children.map((i) => nUnits[i]) : [];
  const oByKey = new Map(oKids.map((u) => [key(u), u]));
  const nByKey = new Map(nKids.map((u) => [key(u), u]));
  const pairs: ChildPair[] = [];
  for (const nk of nKids) {
    const ok = oByKey.get(key(nk));
    if (!ok) pairs.push({ n: nk });
    else if (textOf(c.oldSide!, ok) !== textOf(c.newSide!, nk)) pairs.push({ o: ok, n: nk });
  }
  for (const ok of oKids) if (!nByKey.has(key(ok))) pairs.push({ o: ok });
  pairs.sort((a, b) => (a.n?.start ?? Infinity) - (b.n?.start ?? Infinity) || (a.o?.start ?? 0) - (b.o?.start ?? 0));
  const u = (n ?? o)!;
  const change: ChunkChange = o && n ? 'modified' : n ? 'added' : 'deleted';
  const renderPair = (ps: ChildPair[], mode: 'collapse' | 'drop'): [string, string] => [
    o ? render(c.oldSide!, o, new Set(ps.map((p) => p.o).filter((x): x is Unit => !!x)), mode, collapse) : '',
    n ? render(c.newSide!, n, new Set(ps.map((p) => p.n).filter((x): x is Unit => !!x)), mode, collapse) : '',
  ];
  // 1. everything that changed, unchanged siblings collapsed
  const [oc, nc] = renderPair(pairs, 'collapse');
  if (oc.length <= max && nc.length <= max && (oc !== '' || nc !== '')) {
    c.out.push({
      kind: u.kind,
      qualifiedName: u.qualifiedName,
      change,
      oldRange: o ? range(o) : null,
      newRange: n ? range(n) : null,
      oldCode: oc,
      newCode: nc,
      split: true,
      part: 0,
      oldUnit: o,
      newUnit: n,
    });
    return true;
  }
  if (pairs.length === 0) return false;
  // 2. header + groups of changed children, other siblings left out; a child too large alone gets its own chunks
  let part = 0;
  let group: ChildPair[] = [];
  const flush = (): void => {
    if (!group.length) return;
    const [go, gn] = renderPair(group, 'drop');
    const os = group.map((p) => p.o).filter((x): x is Unit => !!x);
    const ns = group.map((p) => p.n).filter((x): x is Unit => !!x);
    c.out.push({
      kind: u.kind,
      qualifiedName: u.qualifiedName,
      change,
      split: true,
      part: part++,
      oldUnit: o,
      newUnit: n,
      oldRange: os.length ? { start: os[0].startLine, end: os[os.length - 1].endLine } : null,
      newRange: ns.length ? { start: ns[0].startLine, end: ns[ns.length - 1].endLine } : null,
      oldCode: go,
      newCode: gn,
    });
    group = [];
  };
  for (const p of pairs) {
    const [so, sn] = renderPair([p], 'drop');
    if (so.length > max || sn.length > max) {
      flush();
      if (p.o && p.n) emitModified(c, p.o, p.n);
      else if (p.n) emitAdded(c, p.n);
      else emitDeleted(c, p.o!);
      continue;
    }
    const [to, tn] = renderPair([...group, p], 'drop');
    if (to.length > max || tn.length > max) flush();
    group.push(p);
  }
  flush();
  return true;
}

/** Split of an oversized unit without sub-units: line windows around the changed lines, never inside a line. */
function splitLeaf(c: Ctx, o: Unit | undefined, n: Unit | undefined, change: ChunkChange): void {
  const u = (n ?? o)!;
  const oLines = o ? c.oldSide!.lines : null;
  const nLines = n ? c.newSide!.lines : null;
  const oA = o ? o.startLine : 1;
  const nA = n ? n.startLine : 1;
  const oldL = o && oLines ? linesOf(oLines, o.startLine, o.endLine) : [];
  const newL = n && nLines ? linesOf(nLines, n.startLine, n.endLine) : [];
  const hunks = diffLines(oldL, newL);
  const windows = hunkWindows(hunks, oldL.length, newL.length, c.opts.contextLines);
  let part = 0;
  for (const w of windows) {
    for (const piece of capWindow(w, oldL, newL, c.opts.maxChunkChars)) {
      const oldRange = o && piece.oldEnd >= piece.oldStart ? { start: piece.oldStart + oA - 1, end: piece.oldEnd + oA - 1 } : null;
      const newRange = n && piece.newEnd >= piece.newStart ? { start: piece.newStart + nA - 1, end: piece.newEnd + nA - 1 } : null;
      c.out.push({
        kind: u.kind,
        qualifiedName: u.qualifiedName,
        change,
        split: true,
        part: part++,
        oldUnit: o,
        newUnit: n,
        oldRange,
        newRange,
        oldCode: oldRange ? clip(c.oldSide!, o!, oldRange) : '',
        newCode: newRange ? clip(c.newSide!, n!, newRange) : '',
      });
    }
  }
}

/** Exact text of lines of a unit, clipped to the unit's own range (its first/last line may hold other code). */
function clip(side: Side, u: Unit, r: LineRange): string {
  const from = Math.max(side.lines.lineStart(r.start), u.start);
  const to = Math.min(side.lines.lineEnd(r.end), u.end);
  return side.text.slice(from, Math.max(from, to));
}

function linesOf(li: LineIndex, a: number, b: number): string[] {
  const out: string[] = [];
  for (let i = a; i <= b; i++) out.push(li.text.slice(li.lineStart(i), li.lineEnd(i)));
  return out;
}

/** Hunks widened by `ctx` lines and merged when they touch (1-based ranges within the given line counts). */
export function hunkWindows(hunks: Hunk[], oldCount: number, newCount: number, ctx: number): Hunk[] {
  const out: Hunk[] = [];
  for (const h of hunks) {
    const w: Hunk = {
      oldStart: Math.max(1, h.oldStart - ctx),
      oldEnd: Math.min(oldCount, h.oldEnd + ctx),
      newStart: Math.max(1, h.newStart - ctx),
      newEnd: Math.min(newCount, h.newEnd + ctx),
    };
    const last = out[out.length - 1];
    if (last && w.oldStart <= last.oldEnd + 1 && w.newStart <= last.newEnd + 1) {
      last.oldEnd = Math.max(last.oldEnd, w.oldEnd);
      last.newEnd = Math.max(last.newEnd, w.newEnd);
    } else out.push(w);
  }
  return out;
}

/** Cuts a window so that each side stays within `max` characters, at line boundaries. */
function capWindow(w: Hunk, oldL: string[], newL: string[], max: number): Hunk[] {
  const size = (ls: string[], a: number, b: number): number => {
    let s = 0;
    for (let i = a; i <= b; i++) s += ls[i - 1].length + 1;
    return s - 1;
  };
  if (size(oldL, w.oldStart, w.oldEnd) <= max && size(newL, w.newStart, w.newEnd) <= max) return [w];
  // walk both sides in step, each piece takes as many lines as fit
  const out: Hunk[] = [];
  let oi = w.oldStart;
  let ni = w.newStart;
  while (oi <= w.oldEnd || ni <= w.newEnd) {
    const take = (ls: string[], from: number, end: number): number => {
      let s = 0;
      let i = from;
      while (i <= end && (i === from || s + ls[i - 1].length + 1 <= max + 1)) s += ls[i++ - 1].length + 1;
      return i - 1;
    };
    const oe = oi <= w.oldEnd ? take(oldL, oi, w.oldEnd) : oi - 1;
    const ne = ni <= w.newEnd ? take(newL, ni, w.newEnd) : ni - 1;
    out.push({ oldStart: oi, oldEnd: oe, newStart: ni, newEnd: ne });
    oi = oe + 1;
    ni = ne + 1;
  }
  return out;
}

/** Changes outside every unit: changed lines not covered by a unit, with context lines. */
function topLevel(oldSide: Side | null, newSide: Side | null, opts: PairOptions): Draft[] {
  const oldL = oldSide ? allLines(oldSide.lines) : [];
  const newL = newSide ? allLines(newSide.lines) : [];
  const covered = (side: Side | null): Uint8Array => {
    const n = side ? side.lines.count : 0;
    const cov = new Uint8Array(n + 2);
    for (const u of side?.analysis?.units ?? []) if (u.parent < 0) cov.fill(1, u.startLine, u.endLine + 1);
    return cov;
  };
  const oCov = covered(oldSide);
  const nCov = covered(newSide);
  const raw: Hunk[] = [];
  for (const h of oldSide && newSide ? diffTexts(oldSide.lines, newSide.lines) : diffLines(oldL, newL)) {
    const un: number[] = [];
    const uo: number[] = [];
    for (let i = h.newStart; i <= h.newEnd; i++) if (!nCov[i] && newL[i - 1].trim() !== '') un.push(i);
    for (let i = h.oldStart; i <= h.oldEnd; i++) if (!oCov[i] && oldL[i - 1].trim() !== '') uo.push(i);
    if (!un.length && !uo.length) continue;
    raw.push({
      newStart: un.length ? un[0] : h.newStart,
      newEnd: un.length ? un[un.length - 1] : h.newStart - 1,
      oldStart: uo.length ? uo[0] : h.oldStart,
      oldEnd: uo.length ? uo[uo.length - 1] : h.oldStart - 1,
    });
  }
  return windowsToDrafts(hunkWindows(raw, oldL.length, newL.length, opts.contextLines), oldSide, newSide, oldL, newL, opts, 'top-level', 'top-level');
}

/** Diff-hunk chunks for a file without a grammar (or that could not be parsed at all). */
export function hunkChunks(oldSide: Side | null, newSide: Side | null, opts: PairOptions, change: ChunkChange): Draft[] {
  const oldL = oldSide ? allLines(oldSide.lines) : [];
  const newL = newSide ? allLines(newSide.lines) : [];
  const windows = hunkWindows(diffLines(oldL, newL), oldL.length, newL.length, opts.contextLines);
  return windowsToDrafts(windows, oldSide, newSide, oldL, newL, opts, 'hunk', change);
}

function windowsToDrafts(windows: Hunk[], oldSide: Side | null, newSide: Side | null, oldL: string[], newL: string[], opts: PairOptions, kind: UnitKind, change: ChunkChange): Draft[] {
  const out: Draft[] = [];
  for (const w of windows) {
    for (const p of capWindow(w, oldL, newL, opts.maxChunkChars)) {
      const oldRange = oldSide && p.oldEnd >= p.oldStart ? { start: p.oldStart, end: p.oldEnd } : null;
      const newRange = newSide && p.newEnd >= p.newStart ? { start: p.newStart, end: p.newEnd } : null;
      if (!oldRange && !newRange) continue;
      const at = newRange ? `L${newRange.start}` : `old L${oldRange!.start}`;
      out.push({
        kind,
        qualifiedName: `${kind}@${at}`,
        change,
        split: false,
        part: 0,
        oldRange,
        newRange,
        oldCode: oldRange ? oldSide!.lines.slice(oldRange.start, oldRange.end) : '',
        newCode: newRange ? newSide!.lines.slice(newRange.start, newRange.end) : '',
      });
    }
  }
  return out;
}
