/**
 * Cross-file context of a chunk, in priority order within a token budget:
 * 1. definitions changed in the same commit in other files that the chunk refers to,
 * 2. the file's own import declarations relevant to the chunk,
 * 3. definitions in the tree at that commit reached through those imports.
 */
import { CONTEXT_ROLES, type ContextItem, type ContextKind, type ContextRole, type UnitKind } from '../types';
import { ELLIPSIS } from './languages';
import { LineIndex } from './lines';
import { render, Side } from './pairing';
import type { FileAnalysis, Unit } from './units';
import { Lru } from '../git/lru';

/** A definition a context item can be cut from. */
export interface Definition {
  path: string;
  oid: string;
  text: string;
  analysis: FileAnalysis;
  unit: Unit;
}

export interface Budget {
  snippetTokens: number;
  contextTokens: number;
  /** Token count of `s`; with a limit, exact when ≤ limit and any number above it otherwise (Tokenizer.count). */
  countTokens: (s: string, limit?: number) => number;
  collapse: string;
  /**
   * Snippets already cut, by blob oid and unit range (a snippet is a function of the blob's text, the unit
   * and the budget, which a chunker keeps fixed): the same definitions are offered to chunk after chunk.
   */
  snippets?: SnippetCache;
  /** The role of a name in the unit's code (roleFinder), the ranking's first key; none: every item 'other'. */
  role?: (name: string) => ContextRole;
}

export type Snippet = { code: string; collapsed: boolean; tokens: number };

/** Snippets already cut (see Budget.snippets): an LRU of about 8 M characters of snippet code. */
export type SnippetCache = Lru<string, Snippet | null>;
export const newSnippetCache = (): SnippetCache => new Lru<string, Snippet | null>(8_000_000, (s) => 64 + (s ? s.code.length : 0));

const IDENT = /[A-Za-z_$][A-Za-z0-9_$]*/g;

/**
 * Identifiers used by a piece of code, its comments aside (a doc comment's example or prose names what the code does
 * not use; Python: `#` comments and docstrings). Without a language, every identifier.
 */
export function references(code: string, language?: string): Set<string> {
  return new Set(withoutComments(code, language).match(IDENT) ?? []);
}

/** Code with its comments blanked (Python: `#` comments and docstrings); without a language, as it is. */
export function withoutComments(code: string, language?: string): string {
  if (language === 'python') return code.replace(/("""|''')[\s\S]*?\1/g, ' ').replace(/#[^\n]*/g, ' ');
  return language ? code.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ' ') : code;
}

export function contextKind(k: UnitKind): ContextKind | null {
  switch (k) {
    case 'fn':
    case 'method':
      return 'fn';
    case 'struct':
    case 'union':
      return 'struct';
    case 'enum':
    case 'trait':
    case 'impl':
    case 'type':
    case 'class':
    case 'interface':
    case 'mod':
    case 'macro':
      return k;
    case 'const':
    case 'static':
      return 'const';
    case 'use':
    case 'import':
      return 'import';
    default:
      return null;
  }
}

/** Order of kinds inside one priority level: types and traits before functions before impls. */
const KIND_RANK: Record<string, number> = { trait: 0, interface: 0, struct: 1, enum: 1, class: 1, type: 2, union: 1, const: 3, static: 3, macro: 3, fn: 4, method: 5, mod: 6, impl: 7 };

/** Does a chunk that uses `refs` refer to this definition? */
export function refersTo(u: Unit, refs: Set<string>): boolean {
  if (u.kind === 'impl') return !!u.owner && refs.has(u.owner) && (!u.trait || (refs.has(u.trait) && traitArgs(u.name).every((a) => refs.has(a))));
  if (u.kind === 'use' || u.kind === 'import' || u.kind === 'top-level' || u.kind === 'hunk') return false;
  if (!refs.has(u.name)) return false;
  if (u.kind === 'method') return !!u.owner && refs.has(u.owner);
  return true;
}

/**
 * refersTo for a definition, with its containers: an item of a trait impl (its methods, associated types and
 * consts) is used only where that impl is; an item inside a function body is that function's own.
 */
export function refersToDef(def: Definition, refs: Set<string>): boolean {
  if (!refersTo(def.unit, refs)) return false;
  const units = def.analysis.units;
  for (let p = def.unit.parent; p >= 0; p = units[p].parent) {
    const a = units[p];
    if (a.kind === 'fn' || a.kind === 'method') return false;
    if (a.kind === 'impl' && a.trait && !refersTo(a, refs)) return false;
  }
  return true;
}

/**
 * The type names in a trait impl's trait arguments: `impl From<ParseError> for io::Error` → [ParseError] (a chunk
 * implementing `From<Error>` does not use that impl). Capitalised names only: lifetimes and paths' modules are not types.
 */
export function traitArgs(implName: string): string[] {
  const head = implName.replace(/^impl\s*/, '');
  const at = head.search(/\sfor\s/);
  if (at < 0) return [];
  const trait = head.slice(0, at);
  const open = trait.indexOf('<');
  if (open < 0) return [];
  return (trait.slice(open).match(/\b[A-Z]\w*/g) ?? []).filter((n, i, all) => all.indexOf(n) === i);
}

export function rankDefinitions(defs: Definition[]): Definition[] {
  return defs.slice().sort((a, b) => (KIND_RANK[a.unit.kind] ?? 9) - (KIND_RANK[b.unit.kind] ?? 9) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.unit.start - b.unit.start);
}

/** The snippet of a definition within `snippetTokens`: exact text, else bodies collapsed, else cut at a line. */
export function snippet(def: Definition, b: Budget): Snippet | null {
  if (!b.snippets || !def.oid) return cutSnippet(def, b);
  const key = `${def.oid}:${def.unit.start}:${def.unit.end}:${b.collapse}:${b.snippetTokens}`;
  let s = b.snippets.get(key);
  if (s === undefined) b.snippets.set(key, (s = cutSnippet(def, b)));
  return s;
}

function cutSnippet(def: Definition, b: Budget): Snippet | null {
  const { text, unit } = def;
  const exact = text.slice(unit.start, unit.end);
  let t = b.countTokens(exact, b.snippetTokens);
  if (t <= b.snippetTokens) return { code: exact, collapsed: false, tokens: t };
  // the doc comment above it goes first: the signature and fields say more per token than its prose and examples
  const start = unit.start + leadingDocs(exact);
  const u = start === unit.start ? unit : { ...unit, start };
  let code = text.slice(u.start, u.end);
  if (start !== unit.start) {
    t = b.countTokens(code, b.snippetTokens);
    if (t <= b.snippetTokens) return { code, collapsed: true, tokens: t };
  }
  if (u.children.length) {
    const side: Side = { text, lines: def.analysis.lines ?? new LineIndex(text), analysis: def.analysis };
    code = render(side, u, new Set(), 'collapse', b.collapse);
  } else if (u.bodyStart !== undefined && u.bodyEnd !== undefined && (u.kind === 'fn' || u.kind === 'method')) {
    code = text.slice(u.start, u.bodyStart) + b.collapse + text.slice(u.bodyEnd, u.end);
  }
  t = b.countTokens(code, b.snippetTokens);
  if (t <= b.snippetTokens) return { code, collapsed: true, tokens: t };
  // keep the first lines that fit
  const lines = code.split('\n');
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (b.countTokens(`${lines.slice(0, mid).join('\n')}\n${ELLIPSIS}`, b.snippetTokens) <= b.snippetTokens) lo = mid;
    else hi = mid - 1;
  }
  if (lo === 0) return null;
  code = `${lines.slice(0, lo).join('\n')}\n${ELLIPSIS}`;
  return { code, collapsed: true, tokens: b.countTokens(code, b.snippetTokens) };
}

/**
 * A definition's compact form when the candidates do not all fit: at most this many tokens (its signature with the
 * body collapsed, or its first lines). A unit that names many types gets each of them short rather than the first few whole.
 */
const COMPACT_TOKENS = 64;
/** The compact forms tried in turn: a unit that names more than the budget holds at 64 gets its definitions' first line or two. */
const COMPACT_SIZES = [COMPACT_TOKENS, 32];
/** Candidates are gathered up to this many times the context budget before the fit (measured: README, the context benchmark). */
const GATHER_FACTOR = 3;

/**
 * Length of the doc comment lines a unit's text starts with (`///`, `//!`, `//`, a `/* … *\/` block), up to the
 * first other line (an attribute, a decorator, the signature): what is left is one contiguous substring.
 */
export function leadingDocs(code: string): number {
  let pos = 0;
  while (pos < code.length) {
    const rest = code.slice(pos);
    const ws = /^[ \t]*/.exec(rest)![0].length;
    if (rest.startsWith('//', ws)) {
      const nl = code.indexOf('\n', pos);
      if (nl < 0) return 0; // nothing but comments: keep it whole
      pos = nl + 1;
    } else if (rest.startsWith('/*', ws)) {
      const end = code.indexOf('*/', pos + ws + 2);
      const nl = end < 0 ? -1 : code.indexOf('\n', end + 2);
      if (nl < 0) return 0;
      pos = nl + 1;
    } else break;
  }
  return pos;
}

interface Candidate {
  item: ContextItem & { tokens: number };
  /** The definition (null for an import line, which has no shorter form). */
  def: Definition | null;
}

/**
 * Collects candidate items in rank order (duplicates skipped) up to GATHER_FACTOR times the total budget, then fits
 * them (`items`): all whole when they fit; else the biggest ones compacted (COMPACT_TOKENS: bodies collapsed or
 * first lines), biggest first, until they fit; then the lowest-ranked dropped. So a unit that names many
 * definitions gets each of them, short, before it gets the first few whole.
 */
export class ContextCollector {
  private readonly pending: Candidate[] = [];
  private fitted: ContextItem[] | null = null;
  private gathered = 0;
  private seen = new Set<string>();
  constructor(private readonly budget: Budget) {}

  /** Enough candidates gathered: the searches stop. */
  get full(): boolean {
    return this.gathered >= this.budget.contextTokens * GATHER_FACTOR;
  }

  has(path: string, start: number, end: number): boolean {
    return this.seen.has(`${path}:${start}:${end}`);
  }

  addDefinition(def: Definition, reason: ContextItem['reason']): boolean {
    const kind = contextKind(def.unit.kind);
    if (!kind || this.full) return false;
    const k = `${def.path}:${def.unit.start}:${def.unit.end}`;
    if (this.seen.has(k)) return false;
    const s = snippet(def, this.budget);
    if (!s) return false;
    this.seen.add(k);
    // a whole impl block is the least specific of what a unit uses
    const role = def.unit.kind === 'impl' ? 'other' : this.roleOf(def.unit.name);
    this.push({ item: { path: def.path, oid: def.oid, kind, symbol: def.unit.qualifiedName, code: s.code, collapsed: s.collapsed, reason, role, tokens: s.tokens }, def });
    return true;
  }

  addImport(path: string, oid: string, start: number, end: number, code: string, symbol: string): boolean {
    const k = `${path}:${start}:${end}`;
    if (this.seen.has(k) || this.full) return false;
    const tokens = this.budget.countTokens(code, this.budget.snippetTokens);
    if (tokens > this.budget.snippetTokens) return false;
    this.seen.add(k);
    // an import line ranks with the best-placed name it binds
    const role = CONTEXT_ROLES[Math.min(...symbol.split(', ').map((n) => CONTEXT_ROLES.indexOf(this.roleOf(n))))];
    this.push({ item: { path, oid, kind: 'import', symbol, code, collapsed: false, reason: 'import', role, tokens }, def: null });
    return true;
  }

  private roleOf(name: string): ContextRole {
    return this.budget.role?.(name) ?? 'other';
  }

  private push(c: Candidate): void {
    this.pending.push(c);
    this.gathered += c.item.tokens;
    this.fitted = null;
  }

  /** The items that fit the budget, in rank order. */
  get items(): ContextItem[] {
    this.fitted ??= this.fit();
    return this.fitted;
  }

  private fit(): ContextItem[] {
    // by role first (Array.sort is stable: within a role, the order they were gathered in — by source, then kind)
    const rank = (c: Candidate) => CONTEXT_ROLES.indexOf(c.item.role ?? 'other');
    const pending = this.pending.slice().sort((a, b) => rank(a) - rank(b));
    const items: Array<ContextItem & { tokens: number }> = pending.map((c) => c.item);
    const cap = this.budget.contextTokens;
    let total = items.reduce((n, i) => n + i.tokens, 0);
    // biggest first (ties: the lower-ranked), each to its compact form; then, if that is not enough, shorter still
    for (const size of COMPACT_SIZES) {
      if (total <= cap) break;
      const order = items.map((_, i) => i).sort((a, b) => items[b].tokens - items[a].tokens || b - a);
      for (const i of order) {
        if (total <= cap) break;
        const def = pending[i].def;
        if (!def || items[i].tokens <= size) continue;
        const s = compact(def, this.budget, size);
        if (!s || s.tokens >= items[i].tokens) continue;
        total -= items[i].tokens - s.tokens;
        items[i] = { ...items[i], code: s.code, collapsed: true, tokens: s.tokens };
      }
    }
    const kept: ContextItem[] = [];
    let used = 0;
    for (const item of items) {
      if (used + item.tokens > cap) continue; // the lowest-ranked that no longer fit are left out
      used += item.tokens;
      kept.push(item);
    }
    return kept;
  }
}

/** Words after which a name is a type: `impl Trait`, `dyn Trait`, `x as u32`, `extends Base`, `implements I`. */
const TYPE_WORDS = new Set(['impl', 'dyn', 'as', 'extends', 'implements', 'satisfies']);
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isWord = (c: string | undefined) => {
  const k = c === undefined ? -1 : c.charCodeAt(0);
  return (k >= 48 && k <= 57) || (k >= 65 && k <= 90) || (k >= 97 && k <= 122) || k === 95 || k === 36;
};

/**
 * Is the name at `at` in a type position: after `:` (not `::`), `->`, `<`, `&`/`&mut`/a lifetime, or a TYPE_WORDS
 * word; and not followed by `::`, `(`, `{`, `!` or `.` (a path, a call, a literal, a macro, a member: uses).
 */
function inTypePosition(s: string, at: number, end: number): boolean {
  let k = end;
  while (isSpace(s[k])) k++;
  const next = s[k];
  if (next === '(' || next === '{' || next === '!' || next === '.' || (next === ':' && s[k + 1] === ':')) return false;
  let j = at - 1;
  for (;;) {
    while (isSpace(s[j])) j--;
    if (s[j] === '&') {
      j--;
      continue;
    }
    let w = j;
    while (isWord(s[w])) w--;
    const word = s.slice(w + 1, j + 1);
    if (word === 'mut' || (s[w] === "'" && word)) {
      j = s[w] === "'" ? w - 1 : w;
      continue;
    }
    if (word) return TYPE_WORDS.has(word);
    break;
  }
  const c = s[j];
  return (c === ':' && s[j - 1] !== ':') || (c === '>' && s[j - 1] === '-') || c === '<';
}

/**
 * The role of each name in a unit's code (ContextItem.role): `trait` for the trait an impl implements; `uses` where
 * the name appears outside type positions (a call, a value, a path, a literal, a macro); `type` where it appears only
 * as a type (Go's `x Foo` is not told apart: uses); `other` where it does not appear (a member reached through its
 * type). `plain`: the code without comments (withoutComments). Each name asked is looked for once (indexOf, not a scan
 * of every identifier: a unit asks about a few).
 */
export function roleFinder(plain: string, language: string, implTrait?: string): (name: string) => ContextRole {
  const memo = new Map<string, ContextRole>();
  return (name) => {
    if (name === implTrait) return 'trait';
    let r = memo.get(name);
    if (r) return r;
    r = 'other';
    for (let at = plain.indexOf(name); name && at >= 0; at = plain.indexOf(name, at + name.length)) {
      const end = at + name.length;
      if (isWord(plain[at - 1]) || isWord(plain[end])) continue;
      if (language !== 'go' && inTypePosition(plain, at, end)) r = 'type';
      else {
        r = 'uses';
        break;
      }
    }
    memo.set(name, r);
    return r;
  };
}

/** A definition in at most `size` tokens (cached like its whole snippet). */
function compact(def: Definition, b: Budget, size: number): Snippet | null {
  return snippet(def, { ...b, snippetTokens: size });
}
