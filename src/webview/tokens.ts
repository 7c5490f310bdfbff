/** Token boundaries view: coloured token spans, special tokens distinct, section headers, whitespace toggle. */
import type { TokenSection, TokenSpan, TokenViewPayload } from './protocol';
import { button, h, plural } from './dom';
import type { ViewContext, ViewResult } from './view';

/** Number of token colour classes in webview.css (`.c0` … `.c9`). */
export const TOKEN_COLOURS = 10;

/** A stable colour class per token id (Knuth's multiplicative hash), so equal ids look equal everywhere. */
export function colourClass(id: number): string {
  return `c${(Math.imul(id >>> 0, 2654435761) >>> 0) % TOKEN_COLOURS}`;
}

const WS: Record<string, string> = { ' ': '·', '\t': '→', '\n': '↵' };

/** Text of a token as nodes; with `showWs`, spaces/tabs/newlines become dim ·, →, ↵ (newline kept). */
function tokenText(text: string, showWs: boolean): Node[] {
  if (!showWs) return [document.createTextNode(text)];
  const out: Node[] = [];
  let plain = '';
  const flush = () => {
    if (plain) out.push(document.createTextNode(plain));
    plain = '';
  };
  for (const ch of text) {
    const glyph = WS[ch];
    if (glyph === undefined) {
      plain += ch;
      continue;
    }
    flush();
    out.push(h('span', { class: 'ws' }, glyph));
    if (ch === '\n') out.push(document.createTextNode('\n'));
  }
  flush();
  return out;
}

export function tokenTitle(t: TokenSpan, index: number): string {
  return `#${index} id ${t.id}${t.special ? ' (special)' : ''}\nbytes ${t.byteStart}–${t.byteEnd} (${t.byteEnd - t.byteStart})\nchars ${t.start}–${t.end}\n${JSON.stringify(t.text)}`;
}

function tokenSpan(t: TokenSpan, index: number, showWs: boolean): HTMLElement {
  const span = h('span', { class: `tok ${t.special ? 'special' : colourClass(t.id)}${t.text === '' ? ' empty' : ''}`, title: tokenTitle(t, index), attrs: { 'data-id': t.id, 'data-i': index } });
  for (const n of tokenText(t.text, showWs && !t.special)) span.appendChild(n);
  return span;
}

interface Block {
  section?: TokenSection;
  from: number;
  to: number;
}

/** Token ranges in order: each section, and the uncovered gaps between them. */
export function blocks(count: number, sections: TokenSection[] = []): Block[] {
  const sorted = [...sections].filter((s) => s.endToken > s.startToken).sort((a, b) => a.startToken - b.startToken);
  const out: Block[] = [];
  let at = 0;
  for (const sec of sorted) {
    const from = Math.max(at, Math.min(sec.startToken, count));
    const to = Math.min(sec.endToken, count);
    if (from > at) out.push({ from: at, to: from });
    if (to > from) out.push({ section: sec, from, to });
    at = Math.max(at, to);
  }
  if (at < count) out.push({ from: at, to: count });
  return out;
}

function sectionHeader(sec: TokenSection, tokens: number): HTMLElement {
  const budgeted = sec.budget > 0;
  return h(
    'div',
    { class: `sec-head${sec.truncated ? ' truncated' : ''}` },
    h('span', { class: 'sec-name' }, sec.name),
    h(
      'span',
      { class: 'sec-count', title: `${sec.used} content tokens used of a budget of ${sec.budget}; ${tokens} tokens with markers` },
      budgeted ? `${sec.used} / ${sec.budget}` : plural(tokens, 'token'),
    ),
    sec.truncated ? h('span', { class: 'badge warn' }, 'truncated') : null,
  );
}

export function renderTokens(p: TokenViewPayload, ctx: ViewContext): ViewResult {
  const showWs = ctx.whitespace;
  const specials = p.tokens.filter((t) => t.special).length;
  const bytes = p.tokens.length ? p.tokens[p.tokens.length - 1].byteEnd : 0;
  const ratio = p.tokens.length ? (p.chars / p.tokens.length).toFixed(2) : '–';

  const toolbar = h(
    'div',
    { class: 'toolbar' },
    button(showWs ? 'Hide whitespace' : 'Show whitespace', () => ctx.setWhitespace(!showWs), { pressed: showWs, title: 'Show spaces as ·, tabs as → and newlines as ↵' }),
    button('Copy token ids', () => ctx.post({ type: 'copy', text: JSON.stringify(p.tokens.map((t) => t.id)) })),
    button('Copy text', () => ctx.post({ type: 'copy', text: p.tokens.map((t) => t.text).join('') })),
  );

  const header = h(
    'header',
    { class: 'view-head' },
    h('h1', null, p.title),
    h(
      'p',
      { class: 'stats' },
      h('span', { attrs: { 'data-stat': 'tokens' } }, plural(p.tokens.length, 'token')),
      ' · ',
      h('span', { attrs: { 'data-stat': 'chars' } }, plural(p.chars, 'character')),
      ' · ',
      plural(bytes, 'byte'),
      ' · ',
      plural(specials, 'special token'),
      ' · ',
      `${ratio} chars/token`,
      ' · ',
      h('span', { class: 'muted' }, p.tokenizer),
    ),
    toolbar,
  );

  const body = h('div', { class: `token-body${showWs ? ' show-ws' : ''}` });
  const parts = blocks(p.tokens.length, p.sections);
  let sectionCount = 0;
  for (const b of parts) {
    // Marker-only sections (no budget, a token or two) share a line with their neighbours.
    const tiny = !!b.section && b.section.budget === 0 && b.to - b.from <= 2;
    const wrap = h('section', { class: b.section ? `sec${tiny ? ' tiny' : ''}` : 'sec plain' });
    if (b.section) {
      wrap.appendChild(sectionHeader(b.section, b.to - b.from));
      sectionCount++;
    }
    const line = h('div', { class: 'toks' });
    for (let i = b.from; i < b.to; i++) line.appendChild(tokenSpan(p.tokens[i], i, showWs));
    wrap.appendChild(line);
    body.appendChild(wrap);
  }
  if (p.tokens.length === 0) body.appendChild(h('p', { class: 'empty-note' }, 'No tokens: the text is empty.'));

  const root = h('div', { class: 'view tokens-view' }, header, body);
  return { root, counts: { tokens: p.tokens.length, specials, sections: sectionCount, chars: p.chars, bytes } };
}
