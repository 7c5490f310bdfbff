/**
 * Path globs (gitignore-like), compiled to RegExp. Paths are repository-relative with "/".
 *
 *   *      any characters except "/"        ?      one character except "/"
 *   **     any characters including "/"     [a-z]  [!a-z]  character classes
 *   {a,b}  alternatives
 *
 * A pattern without "/" (other than a trailing one) matches a file or directory name at any depth
 * ("*.rs", "target/"); otherwise it is anchored at the root ("src/gen/**", "/build").
 * A pattern that matches a directory matches everything below it.
 */
export function globToRegExp(pattern: string): RegExp {
  let p = pattern.trim();
  if (p === '') throw new Error('empty glob pattern');
  let anchored = false;
  if (p.endsWith('/')) p = p.replace(/\/+$/, '');
  if (p.startsWith('/')) {
    anchored = true;
    p = p.replace(/^\/+/, '');
  } else if (p.includes('/')) {
    anchored = true;
  }
  const body = translate(p);
  return new RegExp(`^${anchored ? '' : '(?:.*/)?'}${body}(?:/.*)?$`);
}

function translate(p: string): string {
  let out = '';
  let braces = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*') {
      if (p[i + 1] === '*') {
        const atStart = i === 0 || p[i - 1] === '/';
        i++;
        if (atStart && p[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else {
          out += '.*';
        }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = p.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let cls = p.slice(i + 1, end);
      if (cls.startsWith('!')) cls = '^' + cls.slice(1);
      out += '[' + cls.replace(/\\/g, '\\\\') + ']';
      i = end;
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) {
      out += '|';
    } else if (c === '\\' && i + 1 < p.length) {
      i++;
      out += escape(p[i]);
    } else {
      out += escape(c);
    }
  }
  if (braces > 0) throw new Error(`unbalanced "{" in glob "${p}"`);
  return out;
}

function escape(c: string): string {
  return /[.+^$(){}|[\]\\/]/.test(c) ? '\\' + c : c;
}

/** include/exclude filtering: excluded if it matches an exclude, or if includes exist and none matches. */
export class PathFilter {
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];

  constructor(include: string[] = [], exclude: string[] = []) {
    this.include = include.map(globToRegExp);
    this.exclude = exclude.map(globToRegExp);
  }

  get active(): boolean {
    return this.include.length > 0 || this.exclude.length > 0;
  }

  accepts(path: string): boolean {
    if (this.exclude.some((r) => r.test(path))) return false;
    return this.include.length === 0 || this.include.some((r) => r.test(path));
  }
}
