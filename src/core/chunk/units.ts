/**
 * Cuts one parsed source text into semantic units with the language's query.
 * Offsets are UTF-16 indices into the JS string: `text.slice(u.start, u.end)` is the unit's exact text.
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { UnitKind } from '../types';
import type { LanguageSpec } from './languages';
import type { LoadedLanguage } from './parser';
import { LineIndex } from './lines';
import { importNames, rustIdent, type ImportedName } from './imports';

export interface Unit {
  kind: UnitKind;
  /** Simple name (`fmt`, `Foo`); an impl is named by its header (`impl Display for Foo`); import blocks `use`/`import`. */
  name: string;
  /** Name with its containers: `impl Display for Foo::fmt`, `mod a::b::fn c`, `Court::rule`. */
  qualifiedName: string;
  /** For methods and impls: the simple name of the type (or trait/class) they belong to. */
  owner?: string;
  /** For trait impls: the trait's simple name. */
  trait?: string;
  /** For Go methods: the receiver type as written (`*Server`). */
  receiver?: string;
  start: number;
  end: number;
  /** 1-based inclusive lines. */
  startLine: number;
  endLine: number;
  /** Range of the body (block / declaration list), when the unit has one. */
  bodyStart?: number;
  bodyEnd?: number;
  /** Index of the enclosing unit in the same array, or -1. */
  parent: number;
  children: number[];
}

/** One import/use declaration (before the block grouping), for the context stage. */
export interface ImportDecl {
  start: number;
  end: number;
  text: string;
  /** The names it imports, read from its syntax tree (see imports.ts importNames). */
  names: ImportedName[];
}

export interface FileAnalysis {
  units: Unit[];
  imports: ImportDecl[];
  hasError: boolean;
  lines: LineIndex;
  /** The matched nodes the units were built from (to re-analyze the next version of the file incrementally; the chunker moves them to its tree cache). */
  raws?: RawUnit[];
}

/** One matched unit node, widened, as plain data (UTF-16 offsets). */
export interface RawUnit {
  kind: UnitKind;
  name: string;
  /** The matched node's own range (before widening to wrappers and leading comments). */
  nodeStart: number;
  nodeEnd: number;
  start: number;
  end: number;
  pattern: number;
  owner?: string;
  trait?: string;
  receiver?: string;
  bodyStart?: number;
  bodyEnd?: number;
  /** Text everything above depends on lies in [guard, reach]: the node, its wrapper, its leading siblings and the sibling that stopped them. */
  guard: number;
  reach: number;
  /** Import declarations: the node's text. */
  importText?: string;
  /** Import declarations: the names they import (plain data, read from the node when the raw unit was built). */
  importNames?: ImportedName[];
}

/**
 * What changed since a previous analysis of the file: its raw units, the tree edits (old coordinates, last first)
 * and tree-sitter's changed ranges (new coordinates).
 */
export interface Reuse {
  raws: RawUnit[];
  edits: Array<{ startIndex: number; oldEndIndex: number; newEndIndex: number }>;
  changed: Array<{ startIndex: number; endIndex: number }>;
}

interface Match {
  kind: string;
  node: Node;
  nameNode?: Node;
  pattern: number;
}

/** Simple name of a type expression: `&'a mut crate::x::Foo<T>` → `Foo`. */
export function baseTypeName(t: string): string {
  let s = t;
  for (let i = 0; i < 8 && /<[^<>]*>/.test(s); i++) s = s.replace(/<[^<>]*>/g, '');
  const ids = s.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
  const filtered = ids.filter((x) => x !== 'mut' && x !== 'dyn' && x !== 'impl' && x !== 'const');
  return filtered[filtered.length - 1] ?? s.trim();
}

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

function bodyOf(node: Node, bodies: string[]): Node | null {
  const b = node.childForFieldName('body');
  if (b && bodies.includes(b.type)) return b;
  const ty = node.childForFieldName('type');
  if (ty) {
    for (const c of ty.namedChildren) if (c && bodies.includes(c.type)) return c;
  }
  for (let i = node.namedChildCount - 1; i >= 0; i--) {
    const c = node.namedChild(i);
    if (c && bodies.includes(c.type)) return c;
  }
  return null;
}

/**
 * Units of a parsed text. With `reuse` (the tree was parsed incrementally from the previous version's tree),
 * units whose text and surroundings did not change are carried over (shifted) and only the changed regions
 * are queried again; the result is the same as a full analysis.
 */
export function analyze(tree: Tree, text: string, lang: LoadedLanguage, reuse?: Reuse, lines = new LineIndex(text)): FileAnalysis {
  const raws = reuse ? incrementalRaws(tree, text, lang, reuse) : queryRaws(tree, text, lang, null);
  return build(raws, text, lines, lang.spec, tree.rootNode.hasError);
}

/** Raw units of the whole tree, or of the nodes intersecting the given ranges (UTF-16 offsets). */
function queryRaws(tree: Tree, text: string, lang: LoadedLanguage, ranges: Array<[number, number]> | null): RawUnit[] {
  const byRange = new Map<string, Match>();
  const collect = (opts?: { startIndex: number; endIndex: number }): void => {
    for (const m of lang.query.matches(tree.rootNode, opts)) {
      let node: Node | undefined;
      let kind = '';
      let nameNode: Node | undefined;
      for (const c of m.captures) {
        if (c.name === 'name') nameNode = c.node;
        else {
          node = c.node;
          kind = c.name;
        }
      }
      if (!node) continue;
      const key = `${node.startIndex}:${node.endIndex}`;
      const old = byRange.get(key);
      if (!old || old.pattern > m.patternIndex) byRange.set(key, { kind, node, nameNode, pattern: m.patternIndex });
    }
  };
  // web-tree-sitter parses JS strings as UTF-16: query ranges are in bytes
  if (ranges) for (const [a, b] of ranges) collect({ startIndex: 2 * a, endIndex: 2 * b });
  else collect();
  const out: RawUnit[] = [];
  for (const m of byRange.values()) out.push(rawOf(m, text, lang.spec));
  return out;
}

/** Names, widening to wrappers, leading attributes/comments and body of one matched node. */
function rawOf(m: Match, text: string, spec: LanguageSpec): RawUnit {
  const { kind, node: unitNode, nameNode } = m;
  let name = nameNode ? norm(nameNode.text) : '';
  if (spec.id === 'rust') name = rustIdent(name); // `fn r#type` is the function `type`, as `use a::r#type` imports it
  let owner: string | undefined;
  let traitName: string | undefined;
  let receiver: string | undefined;
  let importText: string | undefined;
  let imported: ImportedName[] | undefined;
  if (kind === 'impl') {
    const ty = unitNode.childForFieldName('type');
    const tr = unitNode.childForFieldName('trait');
    const tyText = ty ? norm(ty.text) : '?';
    name = tr ? `impl ${norm(tr.text)} for ${tyText}` : `impl ${tyText}`;
    owner = baseTypeName(tyText);
    if (tr) traitName = baseTypeName(norm(tr.text));
  } else if (kind === 'method' && spec.id === 'go') {
    const recv = unitNode.childForFieldName('receiver');
    const param = recv?.namedChildren.find((c) => c?.type === 'parameter_declaration');
    const ty = param?.childForFieldName('type');
    receiver = ty ? norm(ty.text) : '?';
    owner = baseTypeName(receiver);
  } else if (kind === 'use' || kind === 'import') {
    importText = text.slice(unitNode.startIndex, unitNode.endIndex);
    imported = importNames(spec.id, unitNode, text);
    name = kind;
  }
  // widen to wrappers
  let n = unitNode;
  let guard = n.startIndex;
  let reach = n.endIndex;
  for (;;) {
    const p = spec.wrappers.length ? n.parent : null;
    if (!p || !spec.wrappers.includes(p.type)) break;
    guard = Math.min(guard, p.startIndex);
    reach = Math.max(reach, p.endIndex);
    const named = p.namedChildren.filter((c) => c && !c.type.includes('comment'));
    if (named.length !== 1 && !(p.type === 'decorated_definition' || p.type === 'export_statement')) break;
    if (p.type === 'export_statement' && named.some((c) => c && c.startIndex !== n.startIndex && c.type !== 'decorator')) break;
    n = p;
  }
  // take leading attributes/comments
  let start = n.startIndex;
  let prev = n.previousSibling;
  let line = n.startPosition.row;
  while (prev && spec.leading.includes(prev.type) && prev.endPosition.row >= line - 1 && prev.endPosition.row <= line) {
    if (/^(\/\/!|\/\*!)/.test(prev.text)) break; // inner doc comments document the enclosing module
    if (prev.endPosition.row === line && prev.type.includes('comment') && prev.startPosition.row === line) {
      // a trailing comment of the previous line's code on the same row: not ours
      const before = text.lastIndexOf('\n', prev.startIndex - 1);
      if (text.slice(before + 1, prev.startIndex).trim() !== '') break;
    }
    start = prev.startIndex;
    line = prev.startPosition.row;
    prev = prev.previousSibling;
  }
  // the sibling that stopped the walk (or, for a first child, its parent's start) is part of what decided `start`
  guard = Math.min(guard, start, prev ? prev.startIndex : (n.parent?.startIndex ?? 0));
  // a leading comment that starts after other code on its line belongs to that code
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  if (text.slice(lineStart, start).trim() !== '') start = Math.max(start, n.startIndex);
  guard = Math.min(guard, text.lastIndexOf('\n', guard - 1) + 1);
  const r: RawUnit = {
    kind: kind as UnitKind,
    name,
    nodeStart: unitNode.startIndex,
    nodeEnd: unitNode.endIndex,
    start,
    end: n.endIndex,
    pattern: m.pattern,
    owner,
    trait: traitName,
    receiver,
    guard,
    reach,
    importText,
    importNames: imported,
  };
  const body = bodyOf(unitNode, spec.bodies);
  if (body) {
    r.bodyStart = body.startIndex;
    r.bodyEnd = body.endIndex;
  }
  return r;
}

/**
 * Raw units after an incremental parse: previous raws whose [guard, reach] touches no edit and no changed range
 * are shifted; the others, and everything in the changed regions, are queried again.
 */
function incrementalRaws(tree: Tree, text: string, lang: LoadedLanguage, reuse: Reuse): RawUnit[] {
  const edits = reuse.edits.slice().sort((a, b) => a.startIndex - b.startIndex);
  // regions to query, in new coordinates
  const regions: Array<[number, number]> = [];
  const shifts: number[] = []; // shift after edit i
  let delta = 0;
  for (const e of edits) {
    // one past the end: a node starting right after an insertion is re-queried too
    regions.push([e.startIndex + delta, e.newEndIndex + delta + 1]);
    delta += e.newEndIndex - e.oldEndIndex;
    shifts.push(delta);
  }
  for (const c of reuse.changed) regions.push([c.startIndex, c.endIndex + 1]);
  const changed = regions.slice();
  /** Shift of an old offset that lies outside every edit, or null when [a, b] touches one. */
  const shiftOf = (a: number, b: number): number | null => {
    let d = 0;
    for (let i = 0; i < edits.length; i++) {
      const e = edits[i];
      if (e.startIndex > b) break;
      if (e.oldEndIndex < a) {
        d = shifts[i];
        continue;
      }
      return null;
    }
    return d;
  };
  const touches = (a: number, b: number): boolean => changed.some(([x, y]) => x <= b && y >= a);
  const kept: RawUnit[] = [];
  for (const r of reuse.raws) {
    const d = shiftOf(r.guard, r.reach);
    if (d !== null && !touches(r.guard + d, r.reach + d)) {
      kept.push(shifted(r, d));
      continue;
    }
    // re-query this unit where its node starts (a start inside an edit is queried with the edit's region)
    const ds = shiftOf(r.nodeStart, r.nodeStart);
    if (ds !== null) regions.push([r.nodeStart + ds, r.nodeStart + ds]);
  }
  const fresh = queryRaws(tree, text, lang, mergeRegions(regions, text.length));
  const seen = new Set(fresh.map((r) => `${r.nodeStart}:${r.nodeEnd}`));
  for (const r of kept) if (!seen.has(`${r.nodeStart}:${r.nodeEnd}`)) fresh.push(r);
  return fresh;
}

function shifted(r: RawUnit, d: number): RawUnit {
  if (d === 0) return r;
  const o: RawUnit = { ...r, nodeStart: r.nodeStart + d, nodeEnd: r.nodeEnd + d, start: r.start + d, end: r.end + d, guard: r.guard + d, reach: r.reach + d };
  if (r.bodyStart !== undefined) o.bodyStart = r.bodyStart + d;
  if (r.bodyEnd !== undefined) o.bodyEnd = r.bodyEnd + d;
  return o;
}

/** Regions closer than this are queried as one (fewer query calls, faster: README, Benchmarks). */
const MERGE_GAP = 256;

/** Sorted, merged, at least one character wide, within the text. */
function mergeRegions(regions: Array<[number, number]>, length: number): Array<[number, number]> {
  const rs = regions.map(([a, b]): [number, number] => [Math.max(0, Math.min(a, length - 1)), Math.min(length, Math.max(b, a + 1))]).sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const r of rs) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + MERGE_GAP) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** Nesting, import blocks and qualified names from the raw units. */
function build(raws: RawUnit[], text: string, lines: LineIndex, spec: LanguageSpec, hasError: boolean): FileAnalysis {
  raws.sort((a, b) => a.start - b.start || b.end - a.end || a.pattern - b.pattern || a.nodeStart - b.nodeStart || b.nodeEnd - a.nodeEnd);
  const imports: ImportDecl[] = raws
    .filter((r) => r.importText !== undefined)
    .map((r) => ({ start: r.nodeStart, end: r.nodeEnd, text: r.importText!, names: r.importNames ?? [] }))
    .sort((a, b) => a.start - b.start || b.end - a.end);
  // Nesting by containment.
  const units: Unit[] = [];
  const stack: number[] = [];
  for (const r of raws) {
    while (stack.length && units[stack[stack.length - 1]].end < r.end) stack.pop();
    while (stack.length && !(units[stack[stack.length - 1]].start <= r.start && r.end <= units[stack[stack.length - 1]].end)) stack.pop();
    const parent = stack.length ? stack[stack.length - 1] : -1;
    const idx = units.length;
    units.push({
      kind: r.kind,
      name: r.name,
      qualifiedName: '',
      owner: r.owner,
      trait: r.trait,
      receiver: r.receiver,
      start: r.start,
      end: r.end,
      startLine: lines.lineOf(r.start),
      endLine: lines.lineOf(Math.max(r.start, r.end - 1)),
      bodyStart: r.bodyStart,
      bodyEnd: r.bodyEnd,
      parent,
      children: [],
    });
    if (parent >= 0) units[parent].children.push(idx);
    stack.push(idx);
  }
  const grouped = groupImports(units, text, spec.importKind);
  qualify(grouped, spec.containers);
  return { units: grouped, imports, hasError, lines, raws };
}

/** Merges consecutive sibling import declarations into one block unit. */
function groupImports(units: Unit[], text: string, importKind: 'use' | 'import'): Unit[] {
  const drop = new Set<number>();
  for (let i = 0; i < units.length; i++) {
    const u = units[i];
    if ((u.kind !== 'use' && u.kind !== 'import') || drop.has(i)) continue;
    u.kind = importKind;
    u.name = importKind;
    const siblings = u.parent >= 0 ? units[u.parent].children : units.map((_, k) => k).filter((k) => units[k].parent === -1);
    let pos = siblings.indexOf(i);
    while (pos + 1 < siblings.length) {
      const next = units[siblings[pos + 1]];
      if (next.kind !== 'use' && next.kind !== 'import') break;
      const gap = text.slice(u.end, next.start);
      if (!onlyComments(gap)) break;
      u.end = next.end;
      u.endLine = next.endLine;
      drop.add(siblings[pos + 1]);
      pos++;
    }
  }
  if (drop.size === 0) return units;
  const remap = new Map<number, number>();
  const out: Unit[] = [];
  units.forEach((u, i) => {
    if (!drop.has(i)) {
      remap.set(i, out.length);
      out.push(u);
    }
  });
  for (const u of out) {
    u.parent = u.parent >= 0 ? (remap.get(u.parent) ?? -1) : -1;
    u.children = u.children.filter((c) => !drop.has(c)).map((c) => remap.get(c)!);
  }
  return out;
}

/**
 * Is the text between two import declarations only blank lines and line comments (`//`, `#`)? Line by line:
 * the single regex this replaces, /^(\s|\/\/[^\n]*|#[^\n]*)*$/, backtracked exponentially on a gap holding
 * code after comment lines with several `/` or `#` (serde's history stalled on it).
 */
export function onlyComments(gap: string): boolean {
  for (const line of gap.split('\n')) {
    const t = line.trim();
    if (t !== '' && !t.startsWith('//') && !t.startsWith('#')) return false;
  }
  return true;
}

function qualify(units: Unit[], containers: string[]): void {
  const seen = new Map<string, number>();
  for (const u of units) {
    const p = u.parent >= 0 ? units[u.parent] : undefined;
    if (u.kind === 'fn' && p && containers.includes(p.kind)) u.kind = 'method';
    if (u.kind === 'method' && p && !u.owner) u.owner = p.kind === 'impl' ? p.owner : p.name;
    let q: string;
    if (u.receiver !== undefined)
      q = `(${u.receiver}).${u.name}`; // Go: (*Server).Handle
    else if (!p) q = u.kind === 'mod' ? `mod ${u.name}` : u.name;
    else if (p.kind === 'mod') q = u.kind === 'mod' || u.kind === 'impl' ? `${p.qualifiedName}::${u.name}` : `${p.qualifiedName}::${u.kind} ${u.name}`;
    else q = `${p.qualifiedName}::${u.name}`;
    const key = `${u.kind}\0${q}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    u.qualifiedName = n > 1 ? `${q}#${n}` : q;
  }
}
