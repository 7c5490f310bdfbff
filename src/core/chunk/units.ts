/**
 * Cuts one parsed source text into semantic units with the language's query.
 * Offsets are UTF-16 indices into the JS string: `text.slice(u.start, u.end)` is the unit's exact text.
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { UnitKind } from '../types';
import type { LoadedLanguage } from './parser';
import { LineIndex } from './lines';

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
}

export interface FileAnalysis {
  units: Unit[];
  imports: ImportDecl[];
  hasError: boolean;
  lines: LineIndex;
}

interface Raw {
  kind: UnitKind;
  name: string;
  node: Node;
  start: number;
  end: number;
  pattern: number;
  owner?: string;
  trait?: string;
  receiver?: string;
  bodyStart?: number;
  bodyEnd?: number;
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

export function analyze(tree: Tree, text: string, lang: LoadedLanguage): FileAnalysis {
  const { spec, query } = lang;
  const lines = new LineIndex(text);
  const byRange = new Map<string, Raw>();
  const imports: ImportDecl[] = [];
  for (const m of query.matches(tree.rootNode)) {
    let unitNode: Node | undefined;
    let kind = '';
    let nameNode: Node | undefined;
    for (const c of m.captures) {
      if (c.name === 'name') nameNode = c.node;
      else {
        unitNode = c.node;
        kind = c.name;
      }
    }
    if (!unitNode) continue;
    let name = nameNode ? norm(nameNode.text) : '';
    let owner: string | undefined;
    let traitName: string | undefined;
    let receiver: string | undefined;
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
      imports.push({ start: unitNode.startIndex, end: unitNode.endIndex, text: unitNode.text });
      name = kind;
    }
    byRangeSet(byRange, { kind: kind as UnitKind, name, node: unitNode, start: 0, end: 0, pattern: m.patternIndex, owner, trait: traitName, receiver });
  }

  // Widen to wrappers, take leading attributes/comments, find bodies.
  const raws = [...byRange.values()];
  for (const r of raws) {
    let n = r.node;
    for (;;) {
      const p = n.parent;
      if (!p || !spec.wrappers.includes(p.type)) break;
      const named = p.namedChildren.filter((c) => c && !c.type.includes('comment'));
      if (named.length !== 1 && !(p.type === 'decorated_definition' || p.type === 'export_statement')) break;
      if (p.type === 'export_statement' && named.some((c) => c && c.startIndex !== n.startIndex && c.type !== 'decorator')) break;
      n = p;
    }
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
    // a leading comment that starts after other code on its line belongs to that code
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    if (text.slice(lineStart, start).trim() !== '') start = Math.max(start, n.startIndex);
    r.start = start;
    r.end = n.endIndex;
    const body = bodyOf(r.node, spec.bodies);
    if (body) {
      r.bodyStart = body.startIndex;
      r.bodyEnd = body.endIndex;
    }
  }

  raws.sort((a, b) => a.start - b.start || b.end - a.end || a.pattern - b.pattern);
  // Nesting by containment.
  const units: Unit[] = [];
  const stack: number[] = [];
  for (const r of raws) {
    while (stack.length && units[stack[stack.length - 1]].end < r.end) stack.pop();
    while (stack.length && !(units[stack[stack.length - 1]].start <= r.start && r.end <= units[stack[stack.length - 1]].end)) stack.pop();
    const parent = stack.length ? stack[stack.length - 1] : -1;
    const idx = units.length;
    units.push({
      kind: r.kind, name: r.name, qualifiedName: '', owner: r.owner, trait: r.trait, receiver: r.receiver,
      start: r.start, end: r.end, startLine: lines.lineOf(r.start), endLine: lines.lineOf(Math.max(r.start, r.end - 1)),
      bodyStart: r.bodyStart, bodyEnd: r.bodyEnd, parent, children: [],
    });
    if (parent >= 0) units[parent].children.push(idx);
    stack.push(idx);
  }
  const grouped = groupImports(units, text, spec.importKind);
  qualify(grouped, spec.containers);
  return { units: grouped, imports, hasError: tree.rootNode.hasError, lines };
}

function byRangeSet(map: Map<string, Raw>, r: Raw): void {
  const key = `${r.node.startIndex}:${r.node.endIndex}`;
  const old = map.get(key);
  if (!old || old.pattern > r.pattern) map.set(key, r);
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
      if (!/^(\s|\/\/[^\n]*|#[^\n]*)*$/.test(gap)) break;
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
    u.parent = u.parent >= 0 ? remap.get(u.parent) ?? -1 : -1;
    u.children = u.children.filter((c) => !drop.has(c)).map((c) => remap.get(c)!);
  }
  return out;
}

function qualify(units: Unit[], containers: string[]): void {
  const seen = new Map<string, number>();
  for (const u of units) {
    const p = u.parent >= 0 ? units[u.parent] : undefined;
    if (u.kind === 'fn' && p && containers.includes(p.kind)) u.kind = 'method';
    if (u.kind === 'method' && p && !u.owner) u.owner = p.kind === 'impl' ? p.owner : p.name;
    let q: string;
    if (u.receiver !== undefined) q = `(${u.receiver}).${u.name}`; // Go: (*Server).Handle
    else if (!p) q = u.kind === 'mod' ? `mod ${u.name}` : u.name;
    else if (p.kind === 'mod') q = u.kind === 'mod' || u.kind === 'impl' ? `${p.qualifiedName}::${u.name}` : `${p.qualifiedName}::${u.kind} ${u.name}`;
    else q = `${p.qualifiedName}::${u.name}`;
    const key = `${u.kind}\0${q}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    u.qualifiedName = n > 1 ? `${q}#${n}` : q;
  }
}
