/**
 * Incremental parsing support: the last parsed tree of each path (LRU, bounded by text size), and the
 * tree-sitter edits that turn one text into another (line hunks), so that a new version of a file is
 * parsed with `parser.parse(newText, editedOldTree)` and tree-sitter reuses every unchanged subtree.
 *
 * Offsets and columns are UTF-16 code units, as web-tree-sitter uses them for JS strings.
 */
import { Edit, type Point, type Tree } from 'web-tree-sitter';
import { diffTexts } from './diff';
import { LineIndex } from './lines';
import type { FileAnalysis, RawUnit } from './units';

interface Entry {
  language: string;
  text: string;
  tree: Tree;
  /** The analysis of `text` and its raw units (reused by the next incremental analysis). */
  analysis: FileAnalysis;
  raws: RawUnit[];
}

/** The most recent tree of each path, least recently used evicted first (evicted trees are deleted). */
export class TreeCache {
  private readonly map = new Map<string, Entry>();
  private chars = 0;

  /** `budgetChars`: total length of the texts whose trees are kept (a tree costs roughly 15–20 bytes of wasm memory per character). */
  constructor(private readonly budgetChars: number) {}

  /** Removes and returns the tree of `path` (the caller edits it, then deletes it), if it was parsed as `language`. */
  take(path: string, language: string): Entry | undefined {
    const e = this.map.get(path);
    if (!e) return undefined;
    this.map.delete(path);
    this.chars -= e.text.length;
    if (e.language === language) return e;
    e.tree.delete();
    return undefined;
  }

  /** Keeps `tree` as the latest tree of `path` (takes ownership; deletes it at once when it alone exceeds the budget). */
  put(path: string, language: string, text: string, tree: Tree, analysis: FileAnalysis, raws: RawUnit[]): void {
    const old = this.map.get(path);
    if (old) {
      this.map.delete(path);
      this.chars -= old.text.length;
      if (old.tree !== tree) old.tree.delete();
    }
    if (text.length > this.budgetChars) {
      tree.delete();
      return;
    }
    this.map.set(path, { language, text, tree, analysis, raws });
    this.chars += text.length;
    while (this.chars > this.budgetChars && this.map.size > 0) {
      const [k, e] = this.map.entries().next().value!;
      this.map.delete(k);
      this.chars -= e.text.length;
      e.tree.delete();
    }
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    for (const e of this.map.values()) e.tree.delete();
    this.map.clear();
    this.chars = 0;
  }
}

/** Position (row, column in code units) of an offset, given the index of line starts. */
function point(li: LineIndex, offset: number): Point {
  if (offset >= li.text.length) return advance({ row: 0, column: 0 }, li.text);
  const line = li.lineOf(offset);
  return { row: line - 1, column: offset - li.lineStart(line) };
}

/** Position reached after `text` when it starts at `start`. */
function advance(start: Point, text: string): Point {
  const nl = text.lastIndexOf('\n');
  if (nl < 0) return { row: start.row, column: start.column + text.length };
  let rows = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) rows++;
  return { row: start.row + rows, column: text.length - nl - 1 };
}

/**
 * The edits turning `oldText` into `newText`, one per changed line hunk, last hunk first: applied in this
 * order to a tree of `oldText`, each edit's start and old end are still in old-text coordinates.
 */
export function textEdits(oldText: string, newText: string, oldLines = new LineIndex(oldText), newLines = new LineIndex(newText)): Edit[] {
  if (oldText === newText) return [];
  // LineIndex lines do not see a change of the final newline alone: one exact span edit then
  if (oldText.endsWith('\n') !== newText.endsWith('\n')) return [spanEdit(oldText, newText, oldLines)];
  const hunks = diffTexts(oldLines, newLines);
  if (!hunks.length) return [spanEdit(oldText, newText, oldLines)];
  const edits: Edit[] = [];
  for (let i = hunks.length - 1; i >= 0; i--) {
    const h = hunks[i];
    // whole lines [start, end) including their newline; an empty side is a point at the line start
    const oStart = oldLines.lineStart(h.oldStart);
    const oEnd = h.oldEnd >= h.oldStart ? lineEndWithNewline(oldLines, h.oldEnd) : oStart;
    const nStart = newLines.lineStart(h.newStart);
    const nEnd = h.newEnd >= h.newStart ? lineEndWithNewline(newLines, h.newEnd) : nStart;
    const inserted = newText.slice(nStart, nEnd);
    const startPosition = point(oldLines, oStart);
    edits.push(
      new Edit({
        startIndex: oStart,
        oldEndIndex: oEnd,
        newEndIndex: oStart + inserted.length,
        startPosition,
        oldEndPosition: point(oldLines, oEnd),
        newEndPosition: advance(startPosition, inserted),
      }),
    );
  }
  return edits;
}

/** Offset past line `n` and its newline (or the end of the text). */
function lineEndWithNewline(li: LineIndex, n: number): number {
  return n < li.starts.length ? li.starts[n] : li.text.length;
}

/** One edit replacing what lies between the common prefix and the common suffix of the texts. */
export function spanEdit(oldText: string, newText: string, oldLines = new LineIndex(oldText)): Edit {
  const min = Math.min(oldText.length, newText.length);
  let pre = 0;
  while (pre < min && oldText.charCodeAt(pre) === newText.charCodeAt(pre)) pre++;
  let suf = 0;
  while (suf < min - pre && oldText.charCodeAt(oldText.length - 1 - suf) === newText.charCodeAt(newText.length - 1 - suf)) suf++;
  // never start or end an edit inside a surrogate pair
  if (pre > 0 && isLow(oldText.charCodeAt(pre))) pre--;
  if (suf > 0 && isLow(oldText.charCodeAt(oldText.length - suf))) suf--;
  const startPosition = point(oldLines, pre);
  return new Edit({
    startIndex: pre,
    oldEndIndex: oldText.length - suf,
    newEndIndex: newText.length - suf,
    startPosition,
    oldEndPosition: point(oldLines, oldText.length - suf),
    newEndPosition: advance(startPosition, newText.slice(pre, newText.length - suf)),
  });
}

const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;
