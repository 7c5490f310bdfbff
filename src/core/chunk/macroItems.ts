/**
 * Items inside Rust item-level macro invocations — `cfg_net! { pub struct TcpStream { … } pub use tcp::TcpListener; }`,
 * tokio's and many crates' way to gate items by feature. The syntax tree holds a macro's body as plain tokens, so
 * those items are neither units nor imports. `macroItemText` gives the file's text with everything but those bodies
 * blanked out (spaces, newlines kept: every offset and line stays where it was), and the invocations' own
 * `name! {` and closing `}` blanked too, so parsing it finds the items as top-level ones, nested invocations
 * included, at their real offsets: a snippet cut from it is an exact substring of the blob.
 */

/** `name! {` starting a line. */
const INVOCATION = /^[ \t]*([a-z_][a-z0-9_]*)![ \t]*\{/gm;
/** `macro_rules! name {`: its body is patterns, not items. */
const MACRO_RULES = /\bmacro_rules![ \t]*[A-Za-z_]\w*[ \t]*\{/g;

/** Offset of the `}` closing the `{` at `open`, skipping strings, char literals and comments; -1 if none. */
export function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) depth++;
    else if (c === 0x7d /* } */) {
      if (--depth === 0) return i;
    } else if (c === 0x22 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c /* \ */) i++;
    } else if (c === 0x27 /* ' */) {
      // a char literal ('{', '\u{7d}'); a lifetime ('a) has no closing quote nearby
      const end = text.indexOf("'", i + 1);
      if (end > i && end - i <= 10 && !text.slice(i + 1, end).includes('\n') && (end === i + 2 || text.charCodeAt(i + 1) === 0x5c)) i = end;
    } else if (c === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x2f) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a /* * */) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    }
  }
  return -1;
}

const blank = (s: string): string => s.replace(/[^\n]/g, ' ');

/**
 * The text of the items inside item-level macro bodies, offsets kept (see above); null when there are none.
 * `bodies`: ranges of function bodies (an invocation there, `quote! { … }`, is an expression, not items).
 */
export function macroItemText(text: string, bodies: Array<[number, number]> = []): string | null {
  const keep: Array<[number, number]> = []; // body ranges, outermost first
  const cut: Array<[number, number]> = []; // headers and closing braces to blank inside kept bodies
  let coveredTo = -1;
  const skip = bodies.slice();
  for (const m of text.matchAll(MACRO_RULES)) {
    const close = closingBrace(text, m.index + m[0].length - 1);
    skip.push([m.index, close < 0 ? text.length : close]);
  }
  for (const m of text.matchAll(INVOCATION)) {
    if (skip.some(([a, b]) => a <= m.index && m.index < b)) continue;
    const open = m.index + m[0].length - 1;
    const close = closingBrace(text, open);
    if (close < 0) continue;
    const head: [number, number] = [m.index, open + 1];
    if (open < coveredTo) cut.push(head, [close, close + 1]);
    else {
      keep.push([open + 1, close]);
      coveredTo = close;
    }
  }
  if (!keep.length) return null;
  let out = '';
  let pos = 0;
  for (const [a, b] of keep) {
    out += blank(text.slice(pos, a)) + text.slice(a, b);
    pos = b;
  }
  out += blank(text.slice(pos));
  if (!cut.length) return out;
  let res = '';
  pos = 0;
  for (const [a, b] of cut.sort((x, y) => x[0] - y[0])) {
    res += out.slice(pos, a) + blank(out.slice(a, b));
    pos = b;
  }
  return res + out.slice(pos);
}
