/** Line bookkeeping of a text: 1-based line numbers and exact line slices. */
export class LineIndex {
  /** Offset of the first character of each line. */
  readonly starts: number[];
  constructor(readonly text: string) {
    const s = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) s.push(i + 1);
    if (s.length > 1 && s[s.length - 1] === text.length) s.pop(); // a final newline does not open a line
    this.starts = s;
  }
  get count(): number {
    return this.text.length === 0 ? 0 : this.starts.length;
  }
  /** 1-based line of an offset. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
  /** Offset where 1-based line `n` starts. */
  lineStart(n: number): number {
    return this.starts[n - 1] ?? this.text.length;
  }
  /** Offset just past 1-based line `n`'s last character (its newline excluded). */
  lineEnd(n: number): number {
    const next = this.starts[n];
    if (next === undefined) {
      return this.text.endsWith('\n') ? this.text.length - 1 : this.text.length;
    }
    return next - 1;
  }
  /** Exact text of lines a..b (inclusive, 1-based), without the final newline. */
  slice(a: number, b: number): string {
    if (b < a) return '';
    return this.text.slice(this.lineStart(a), this.lineEnd(b));
  }
  /** All lines as strings (for diffing). */
  lines(): string[] {
    const out: string[] = [];
    for (let i = 1; i <= this.count; i++) out.push(this.text.slice(this.lineStart(i), this.lineEnd(i)));
    return out;
  }
}

const recent: Array<[LineIndex, string[]]> = [];

/** `li.lines()`, shared by the last few callers (diff, then top-level chunks, of the same texts). Do not modify. */
export function allLines(li: LineIndex): string[] {
  for (const [k, v] of recent) if (k === li) return v;
  const v = li.lines();
  recent.unshift([li, v]);
  if (recent.length > 4) recent.pop();
  return v;
}
