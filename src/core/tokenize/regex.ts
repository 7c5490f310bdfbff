/**
 * Translates a Hugging Face (Oniguruma / PCRE flavoured) regex into an equivalent JavaScript RegExp
 * (`u` flag). Handles `\p{..}`, `\s`/`\d`/`\w` with their Unicode meaning in Oniguruma, `(?i:..)`
 * groups, atomic groups `(?>..)` and possessive quantifiers (emulated with a lookahead + backreference).
 * Capturing groups of the source become non-capturing: splitting only uses whole matches.
 */

const SYNTAX = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);
const WS = '\\p{White_Space}';
const WORD_IN_CLASS = '\\p{L}\\p{M}\\p{Nd}\\p{Pc}';

export class RegexTranslateError extends Error {}

export function translateRegex(src: string): string {
  return new Translator(src).run();
}

/** Compiles a translated regex; throws a clear error naming the pattern when JS cannot express it. */
export function compileRegex(src: string, flags = 'gu'): RegExp {
  const js = translateRegex(src);
  try {
    return new RegExp(js, flags);
  } catch (e) {
    throw new RegexTranslateError(`unsupported regex ${JSON.stringify(src)} (translated to ${JSON.stringify(js)}): ${(e as Error).message}`);
  }
}

function isLetter(c: string): boolean {
  return c.toLowerCase() !== c.toUpperCase();
}

class Translator {
  private i = 0;
  private groups = 0;
  constructor(private readonly s: string) {}

  run(): string {
    const out = this.seq(false);
    if (this.i < this.s.length) throw new RegexTranslateError(`unbalanced ")" at ${this.i} in regex ${JSON.stringify(this.s)}`);
    return out;
  }

  private fail(what: string): never {
    throw new RegexTranslateError(`unsupported regex construct ${what} at ${this.i} in ${JSON.stringify(this.s)}`);
  }

  /** A sequence of alternatives up to an unmatched ")" or the end. */
  private seq(ci: boolean): string {
    let out = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === ')') break;
      if (c === '|') {
        out += '|';
        this.i++;
        continue;
      }
      const atom = this.atom(ci);
      if (atom === null) continue;
      out += this.quantified(atom);
    }
    return out;
  }

  private quantified(atom: string): string {
    const s = this.s;
    let q: string;
    const c = s[this.i];
    if (c === '*' || c === '+' || c === '?') {
      q = c;
      this.i++;
    } else if (c === '{') {
      const m = /^\{(\d*)(,(\d*))?\}/.exec(s.slice(this.i));
      if (!m) return atom + this.literal('{');
      q = m[0];
      this.i += m[0].length;
    } else {
      return atom;
    }
    if (s[this.i] === '?') {
      this.i++;
      return atom + q + '?';
    }
    if (s[this.i] === '+') {
      this.i++;
      return this.atomic(atom + q);
    }
    return atom + q;
  }

  private atomic(inner: string): string {
    const name = `a${this.groups++}`;
    return `(?=(?<${name}>${inner}))\\k<${name}>`;
  }

  private literal(ch: string): string {
    if (SYNTAX.has(ch)) return '\\' + ch;
    return ch;
  }

  /** One atom; returns null for constructs that produce nothing (inline flags). */
  private atom(ci: boolean): string | null {
    const s = this.s;
    const c = s[this.i];
    if (c === '(') return this.group(ci);
    if (c === '[') return this.klass(ci);
    if (c === '\\') return this.escape(false);
    if (c === '.') {
      this.i++;
      return '[^\\n]';
    }
    if (c === '^' || c === '$') {
      this.i++;
      return c === '^' ? '(?<![^\\n])' : '(?![^\\n])';
    }
    const cp = s.codePointAt(this.i)!;
    const ch = String.fromCodePoint(cp);
    this.i += ch.length;
    if (ci && isLetter(ch)) return `[${ch.toLowerCase()}${ch.toUpperCase()}]`;
    return this.literal(ch);
  }

  private group(ci: boolean): string | null {
    const s = this.s;
    this.i++; // (
    let open = '(?:';
    let innerCi = ci;
    let atomic = false;
    if (s[this.i] === '?') {
      const rest = s.slice(this.i);
      let m: RegExpExecArray | null;
      if (rest.startsWith('?:')) this.i += 2;
      else if (rest.startsWith('?=') || rest.startsWith('?!')) {
        open = '(' + rest.slice(0, 2);
        this.i += 2;
      } else if (rest.startsWith('?<=') || rest.startsWith('?<!')) {
        open = '(' + rest.slice(0, 3);
        this.i += 3;
      } else if (rest.startsWith('?>')) {
        atomic = true;
        this.i += 2;
      } else if ((m = /^\?<([A-Za-z_]\w*)>/.exec(rest)) || (m = /^\?P<([A-Za-z_]\w*)>/.exec(rest))) {
        this.i += m[0].length;
      } else if ((m = /^\?([imsx]*)(?:-([imsx]*))?(:|\))/.exec(rest))) {
        const on = m[1];
        const off = m[2] ?? '';
        if (/[msx]/.test(on + off)) this.fail(`"(${m[0]}" (only the i flag is supported)`);
        const flag = on.includes('i') ? true : off.includes('i') ? false : ci;
        this.i += m[0].length;
        if (m[3] === ')') {
          // (?i) applies to the rest of the enclosing group.
          const restSeq = this.seq(flag);
          return `(?:${restSeq})`;
        }
        innerCi = flag;
      } else {
        this.fail(`"(${rest.slice(0, 3)}"`);
      }
    }
    const inner = this.seq(innerCi);
    if (s[this.i] !== ')') this.fail('unterminated group');
    this.i++;
    if (atomic) return this.atomic(inner);
    return `${open}${inner})`;
  }

  private klass(ci: boolean): string {
    const s = this.s;
    this.i++; // [
    let out = '[';
    if (s[this.i] === '^') {
      out += '^';
      this.i++;
    }
    let first = true;
    while (this.i < s.length && (s[this.i] !== ']' || first)) {
      first = false;
      const c = s[this.i];
      if (c === '[') this.fail('nested character class');
      if (c === '&' && s[this.i + 1] === '&') this.fail('class intersection "&&"');
      if (c === '\\') {
        out += this.escape(true);
        continue;
      }
      const cp = s.codePointAt(this.i)!;
      const ch = String.fromCodePoint(cp);
      this.i += ch.length;
      if (ch === '-' || ch === '^') out += '\\' + ch;
      else if (ch === ']' || ch === '/' || ch === '(' || ch === ')' || ch === '{' || ch === '}' || ch === '|') out += '\\' + ch;
      else if (ci && isLetter(ch)) out += ch.toLowerCase() + ch.toUpperCase();
      else out += ch;
      // a range "a-z": keep the dash as a range operator
      if (s[this.i] === '-' && s[this.i + 1] !== ']' && s[this.i + 1] !== undefined) {
        this.i++;
        out += '-';
        if (s[this.i] === '\\') out += this.escape(true);
        else {
          const cp2 = s.codePointAt(this.i)!;
          const ch2 = String.fromCodePoint(cp2);
          this.i += ch2.length;
          out += SYNTAX.has(ch2) || ch2 === '-' ? '\\' + ch2 : ch2;
        }
      }
    }
    if (s[this.i] !== ']') this.fail('unterminated character class');
    this.i++;
    return out + ']';
  }

  private escape(inClass: boolean): string {
    const s = this.s;
    const c = s[this.i + 1];
    if (c === undefined) this.fail('trailing backslash');
    this.i += 2;
    switch (c) {
      case 'p':
      case 'P': {
        let name: string;
        if (s[this.i] === '{') {
          const end = s.indexOf('}', this.i);
          if (end < 0) this.fail('unterminated \\p{');
          name = s.slice(this.i + 1, end);
          this.i = end + 1;
        } else {
          name = s[this.i];
          this.i++;
        }
        let neg = c === 'P';
        if (name.startsWith('^')) {
          neg = !neg;
          name = name.slice(1);
        }
        return `\\${neg ? 'P' : 'p'}{${propertyName(name)}}`;
      }
      case 's':
        return inClass ? WS : `[${WS}]`;
      case 'S':
        return `\\P{White_Space}`;
      case 'd':
        return '\\p{Nd}';
      case 'D':
        return '\\P{Nd}';
      case 'w':
        return inClass ? WORD_IN_CLASS : `[${WORD_IN_CLASS}]`;
      case 'W':
        if (inClass) this.fail('\\W inside a character class');
        return `[^${WORD_IN_CLASS}]`;
      case 'h':
        return inClass ? '0-9a-fA-F' : '[0-9a-fA-F]';
      case 'A':
        return '^';
      case 'z':
        return '$';
      case 'Z':
        return '(?=\\n?$)';
      case 'x': {
        if (s[this.i] === '{') {
          const end = s.indexOf('}', this.i);
          const hex = s.slice(this.i + 1, end);
          this.i = end + 1;
          return `\\u{${hex}}`;
        }
        const hex = s.slice(this.i, this.i + 2);
        this.i += 2;
        return `\\x${hex}`;
      }
      case 'u': {
        const hex = s.slice(this.i, this.i + 4);
        this.i += 4;
        return `\\u${hex}`;
      }
      case 'n':
      case 'r':
      case 't':
      case 'f':
      case 'v':
      case 'b':
      case 'B':
        return '\\' + c;
      case '0':
        return '\\0';
      default:
        if (/[1-9]/.test(c)) this.fail(`backreference \\${c}`);
        if (/[A-Za-z]/.test(c)) this.fail(`escape \\${c}`);
        if (SYNTAX.has(c) || (inClass && c === '-')) return '\\' + c;
        return c;
    }
  }
}

const SCRIPT_ALIASES = new Set(['Han', 'Hiragana', 'Katakana', 'Latin', 'Greek', 'Cyrillic', 'Arabic', 'Hebrew', 'Thai', 'Hangul', 'Devanagari']);

function propertyName(name: string): string {
  if (SCRIPT_ALIASES.has(name)) return `Script=${name}`;
  try {
    new RegExp(`\\p{${name}}`, 'u');
    return name;
  } catch {
    try {
      new RegExp(`\\p{Script=${name}}`, 'u');
      return `Script=${name}`;
    } catch {
      throw new RegexTranslateError(`unsupported Unicode property \\p{${name}}`);
    }
  }
}
