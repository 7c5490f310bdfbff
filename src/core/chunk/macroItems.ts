/**
 * Items inside Rust item-level macro invocations — `cfg_net! { pub struct TcpStream { … } pub use tcp::TcpListener; }`,
 * tokio's and many crates' way to gate items by feature. The syntax tree holds a macro's body as plain tokens, so
 * those items are neither units nor imports. `macroBodies` finds the bodies, `macroItems` the items and `use`
 * declarations in them, at their offsets in the blob (a snippet cut from them is an exact substring of it).
 */

/** `name! {` starting a line. */
const INVOCATION = /^[ \t]*([a-z_][a-z0-9_]*)![ \t]*\{/gm;
/** `macro_rules! name {`: its body is patterns, not items. */
const MACRO_RULES = /\bmacro_rules![ \t]*[A-Za-z_]\w*[ \t]*\{/g;

/** The closing quote of a char literal opening at `i` ('{', '\u{7d}'), else `i` (a lifetime, 'a, has none nearby). */
function charLiteralEnd(text: string, i: number): number {
  const near = text.slice(i + 1, i + 11).indexOf("'");
  const end = near < 0 ? -1 : i + 1 + near;
  return end > i && !text.slice(i + 1, end).includes('\n') && (end === i + 2 || text.charCodeAt(i + 1) === 0x5c) ? end : i;
}

/**
 * Every closed `{` of a Rust text (of its range [from, to), which must start outside strings and comments) with the
 * offset of its `}`, in one pass (a stack), skipping strings, char literals and comments: each lookup after it is
 * O(1), so no input makes the macro scan quadratic.
 */
export function braceMatches(text: string, from = 0, to = text.length, out = new Map<number, number>()): Map<number, number> {
  const open: number[] = [];
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) open.push(i);
    else if (c === 0x7d /* } */) {
      const o = open.pop();
      if (o !== undefined) out.set(o, i);
    } else if (c === 0x22 /* " */) {
      for (i++; i < to && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c /* \ */) i++;
    } else if (c === 0x27 /* ' */) i = charLiteralEnd(text, i);
    else if (c === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x2f) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? to : nl;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a /* * */) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? to : end + 1;
    }
  }
  return out;
}

/** Where a text's item-level macro bodies are (outermost ones; macroItems finds the nested ones). */
export interface MacroBodies {
  keep: Array<[number, number]>;
}

/**
 * The item-level macro bodies of a Rust text; null when there are none. `bodies`: ranges of function bodies (an
 * invocation there, `quote! { … }`, is an expression, not items), asked for only when the text invokes a macro
 * at the start of a line at all (most files do not: no brace scan for them).
 */
export function macroBodies(text: string, bodies: Array<[number, number]> | (() => Array<[number, number]>) = []): MacroBodies | null {
  const calls = [...text.matchAll(INVOCATION)];
  if (!calls.length) return null;
  const keep: Array<[number, number]> = [];
  let coveredTo = -1;
  const braces = braceMatches(text);
  const skip = typeof bodies === 'function' ? bodies() : bodies.slice();
  for (const m of text.matchAll(MACRO_RULES)) skip.push([m.index, braces.get(m.index + m[0].length - 1) ?? text.length]);
  for (const m of calls) {
    if (m.index < coveredTo || skip.some(([a, b]) => a <= m.index && m.index < b)) continue;
    const open = m.index + m[0].length - 1;
    const close = braces.get(open);
    if (close === undefined) break; // unclosed: everything after it is inside it
    keep.push([open + 1, close]);
    coveredTo = close;
  }
  return keep.length ? { keep } : null;
}

/** An item header at the start of a line: visibility, qualifiers, then its keyword and name. */
const ITEM_HEAD =
  /^(?:pub(?:\([^)\n]{0,40}\))?[ \t]+)?(?:(?:async|const|unsafe|default|extern[ \t]+"[^"\n]*")[ \t]+)*(fn|struct|enum|union|trait|type|const|static)[ \t]+([A-Za-z_][A-Za-z0-9_]*)|^macro_rules![ \t]*([A-Za-z_][A-Za-z0-9_]*)/;

/** The longest item header (up to its `{` or `;`) macroItems reads. */
const MAX_HEADER = 1024;

/** A definition found by macroItems: its kind and name, its range (doc comments and attributes included), its body. */
export interface MacroItem {
  kind: 'fn' | 'struct' | 'enum' | 'union' | 'trait' | 'type' | 'const' | 'static' | 'macro';
  name: string;
  start: number;
  end: number;
  bodyStart?: number;
  bodyEnd?: number;
}

/**
 * Offset just past an item whose header starts at `from`: its `;`, or the `}` closing its first `{` (outside () and
 * []), looked for within MAX_HEADER characters.
 */
function itemEnd(text: string, braces: Map<number, number>, from: number, limit: number): { end: number; open?: number } | null {
  let depth = 0;
  for (let i = from; i < Math.min(limit, from + MAX_HEADER); i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '"') {
      for (i++; i < limit && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === "'") i = charLiteralEnd(text, i);
    else if (depth === 0 && c === ';') return { end: i + 1 };
    else if (depth === 0 && c === '{') {
      const close = braces.get(i);
      return close === undefined || close >= limit ? null : { end: close + 1, open: i };
    }
  }
  return null;
}

/**
 * The items and `use` declarations inside item-level macro bodies, found line by line without a parser (a second
 * parse of the blob would cost as much as the first): each body's top-level `fn`, `struct`, `enum`, `union`,
 * `trait`, `type`, `const`, `static` and `macro_rules!` (with the doc comments and attributes above them), nested
 * invocations' bodies too; impl blocks are skipped whole.
 */
export function macroItems(text: string, bodies: MacroBodies): { items: MacroItem[]; uses: string[] } {
  const items: MacroItem[] = [];
  const uses: string[] = [];
  // the bodies' braces only: each body starts just past a `{` the whole text's scan matched, outside any string
  const braces = new Map<number, number>();
  for (const [s, e] of bodies.keep) braceMatches(text, s, e, braces);
  const stack = bodies.keep.slice().reverse();
  for (let body = stack.pop(); body; body = stack.pop()) {
    const [s, e] = body;
    let pos = s;
    let lead = -1; // start of the doc comments and attributes above the next item
    while (pos < e) {
      const nl = text.indexOf('\n', pos);
      const lineEnd = nl < 0 || nl > e ? e : nl;
      let at = pos;
      while (at < lineEnd && (text[at] === ' ' || text[at] === '\t')) at++;
      const line = text.slice(at, lineEnd);
      let next = lineEnd + 1;
      if (line === '') lead = -1;
      else if (line.startsWith('///') || line.startsWith('#[') || line.startsWith('//!')) {
        if (lead < 0) lead = at;
      } else if (line.startsWith('//')) {
        /* a comment line */
      } else {
        const inv = /^[a-z_][a-z0-9_]*![ \t]*\{/.exec(line);
        const head = inv ? null : ITEM_HEAD.exec(line);
        if (inv) {
          const open = at + inv[0].length - 1;
          const close = braces.get(open) ?? -1;
          if (close > open && close <= e) {
            stack.push([open + 1, close]);
            next = close + 1;
          }
        } else if (head) {
          const r = itemEnd(text, braces, at, e);
          if (r) {
            const kind = head[3] ? 'macro' : (head[1] as MacroItem['kind']);
            const item: MacroItem = { kind, name: head[3] ?? head[2], start: lead >= 0 ? lead : at, end: r.end };
            if (r.open !== undefined && kind === 'fn') {
              item.bodyStart = r.open;
              item.bodyEnd = r.end;
            }
            items.push(item);
            next = r.end;
          }
        } else if (/^(?:pub(?:\([^)\n]{0,40}\))?[ \t]+)?use[ \t]/.test(line)) {
          const semi = text.indexOf(';', at);
          if (semi > 0 && semi < e && semi - at < 4000) {
            uses.push(text.slice(at, semi + 1));
            next = semi + 1;
          }
        } else if (/^(?:unsafe[ \t]+)?impl\b/.test(line)) {
          const r = itemEnd(text, braces, at, e);
          if (r) next = r.end;
        }
        lead = -1;
      }
      pos = Math.max(next, pos + 1); // always forward
    }
  }
  return { items: items.sort((a, b) => a.start - b.start), uses };
}
