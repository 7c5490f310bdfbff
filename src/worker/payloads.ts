/**
 * Builds Token view payloads from a tokenizer (no vscode import): from text (exact offsets from the
 * encoder) or from token ids (e.g. a serialized example: contextIds ++ targetIds with its sections).
 */
import type { Tokenizer } from '../core/tokenize';
import type { SectionInfo } from '../core/tokenize';
import type { TokenSection, TokenSpan, TokenViewPayload } from '../webview/protocol';

type Tok = Pick<Tokenizer, 'encode' | 'decode' | 'addedTokens' | 'source'>;

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function addedIds(tok: Tok): Map<number, string> {
  return new Map(tok.addedTokens().map((t) => [t.id, t.content]));
}

export function toTokenSections(sections: SectionInfo[] | undefined): TokenSection[] | undefined {
  return sections?.map((s) => ({ name: s.name, startToken: s.start, endToken: s.end, used: s.used, budget: s.budget, truncated: s.truncated }));
}

/**
 * Tokens of `text` with exact character offsets from the encoder. Several byte-level tokens of one
 * character share its offsets: the first gets the character, the others empty text and ranges.
 */
export function tokenViewFromText(tok: Tok, text: string, opts: { title: string; tokenizer?: string; sections?: TokenSection[] }): TokenViewPayload {
  const enc = tok.encode(text, { offsets: true });
  const added = addedIds(tok);
  const tokens: TokenSpan[] = [];
  let bytePos = 0;
  let charPos = 0;
  enc.ids.forEach((id, i) => {
    // Byte-level tokens of one character all carry that character's offsets: the first one gets it.
    const [rawStart, rawEnd] = enc.offsets?.[i] ?? [charPos, charPos];
    const start = Math.max(rawStart, charPos);
    const end = Math.max(rawEnd, start);
    const byteStart = bytePos + utf8Length(text.slice(charPos, start));
    const byteEnd = byteStart + utf8Length(text.slice(start, end));
    tokens.push({ id, text: text.slice(start, end), start, end, byteStart, byteEnd, special: added.has(id) });
    bytePos = byteEnd;
    charPos = end;
  });
  return { title: opts.title, tokenizer: opts.tokenizer ?? tok.source, tokens, sections: opts.sections, chars: text.length };
}

/**
 * Tokens from ids: each token's text is its own decoding; a character split over several byte-level
 * tokens (decoding to U+FFFD alone) is given whole to the first token of the group, the others get
 * empty text (their byte ranges are then empty too).
 */
export function tokenViewFromIds(tok: Tok, ids: number[], opts: { title: string; tokenizer?: string; sections?: SectionInfo[] | TokenSection[] }): TokenViewPayload {
  const added = addedIds(tok);
  const tokens: TokenSpan[] = [];
  let chars = 0;
  let bytes = 0;
  const push = (id: number, text: string, special: boolean) => {
    const b = utf8Length(text);
    tokens.push({ id, text, start: chars, end: chars + text.length, byteStart: bytes, byteEnd: bytes + b, special });
    chars += text.length;
    bytes += b;
  };
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const content = added.get(id);
    if (content !== undefined) {
      push(id, content, true);
      continue;
    }
    let text = tok.decode([id]);
    let j = i;
    while (text.includes('\uFFFD') && j + 1 < ids.length && j - i < 3 && !added.has(ids[j + 1])) {
      const longer = tok.decode(ids.slice(i, j + 2));
      j++;
      if (!longer.includes('\uFFFD')) {
        text = longer;
        break;
      }
    }
    if (j > i && !text.includes('\uFFFD')) {
      push(id, text, false);
      for (let k = i + 1; k <= j; k++) push(ids[k], '', false);
      i = j;
    } else push(id, text, false);
  }
  const sections = opts.sections?.map((s) => ('startToken' in s ? s : { name: s.name, startToken: s.start, endToken: s.end, used: s.used, budget: s.budget, truncated: s.truncated }));
  return { title: opts.title, tokenizer: opts.tokenizer ?? tok.source, tokens, sections, chars };
}
