/**
 * Tree-to-tree diff on the raw tree objects, like git's tree-diff: both trees are walked in git's
 * entry order side by side, equal entries (same name, mode and oid bytes) are skipped without
 * decoding anything, any subtree whose oid is unchanged is not read, and only the changed entries
 * become strings. Exact renames are paired by blob oid afterwards.
 */
import type { AttrRule } from './attributes';
import { MODE_GITLINK, MODE_SYMLINK } from './classify';
import { ObjectFormatError, safeName, treeEntryMode } from './parse';
import { pairSimilarRenames, type RawChange, type TextSource } from './similarity';

export type { RawChange } from './similarity';

/**
 * Raw tree bytes by oid (cached by the caller). `dir` ("" or "src/") and `old` (the old tree's side)
 * say where the tree is, for the caller's error messages.
 */
export type TreeSource = (oid: string, dir: string, old: boolean) => Buffer;
/** The rules of the .gitattributes blob `oid` in folder `dir` ("" or "src/") of the new tree, or of the old one (`old`). */
export type AttrLoader = (oid: string, dir: string, old: boolean) => AttrRule[];

const EMPTY = Buffer.alloc(0);

/** With `similarTexts`, renames with edits are paired too (see similarity.ts), after the exact ones. */
export function diffTrees(trees: TreeSource, oldTree: string | null, newTree: string, loadAttrs: AttrLoader, similarTexts?: TextSource): RawChange[] {
  const out: RawChange[] = [];
  walk(trees, oldTree, newTree, '', [], loadAttrs, out);
  const exact = pairExactRenames(out);
  return (similarTexts ? pairSimilarRenames(exact, similarTexts) : exact).sort((a, b) => compare(a.path, b.path));
}

/** A position in a raw tree object: `mode SP name NUL oid[20]` entries. */
class Cursor {
  pos = 0;
  nameStart = 0;
  nameEnd = 0;
  isTree = false;
  done = false;

  constructor(readonly buf: Buffer) {
    this.load(0);
  }

  private load(p: number): void {
    const b = this.buf;
    this.pos = p;
    if (p >= b.length) {
      this.done = true;
      return;
    }
    const sp = b.indexOf(32, p);
    const nul = sp < 0 ? -1 : b.indexOf(0, sp);
    if (sp < 0 || nul < 0 || nul + 21 > b.length) throw new ObjectFormatError(`Malformed tree object at byte ${p}.`);
    this.nameStart = sp + 1;
    this.nameEnd = nul;
    this.isTree = b[p] === 52 /* 4 */ || (b[p] === 48 /* 0 */ && b[p + 1] === 52);
  }

  next(): void {
    this.load(this.nameEnd + 21);
  }

  get name(): string {
    return safeName(this.buf.toString('utf8', this.nameStart, this.nameEnd));
  }

  get oid(): string {
    return this.buf.toString('hex', this.nameEnd + 1, this.nameEnd + 21);
  }

  get mode(): string {
    return treeEntryMode(this.buf.toString('latin1', this.pos, this.nameStart - 1));
  }

  sameOid(o: Cursor): boolean {
    const a = this.buf;
    const b = o.buf;
    const pa = this.nameEnd + 1;
    const pb = o.nameEnd + 1;
    for (let i = 0; i < 20; i++) if (a[pa + i] !== b[pb + i]) return false;
    return true;
  }

  /** Same mode once canonical (git reads 100664 as 100644). */
  sameMode(o: Cursor): boolean {
    const la = this.nameStart - this.pos;
    if (la === o.nameStart - o.pos) {
      let same = true;
      for (let i = 0; i < la && same; i++) same = this.buf[this.pos + i] === o.buf[o.pos + i];
      if (same) return true;
    }
    return this.mode === o.mode;
  }

  /** git's base_name_compare: names byte-wise, a tree's name compared as if followed by "/". */
  compare(o: Cursor): number {
    const a = this.buf;
    const b = o.buf;
    const la = this.nameEnd - this.nameStart;
    const lb = o.nameEnd - o.nameStart;
    const n = la < lb ? la : lb;
    for (let i = 0; i < n; i++) {
      const d = a[this.nameStart + i] - b[o.nameStart + i];
      if (d !== 0) return d;
    }
    const ca = la > n ? a[this.nameStart + n] : this.isTree ? 47 : 0;
    const cb = lb > n ? b[o.nameStart + n] : o.isTree ? 47 : 0;
    return ca - cb;
  }

  /** The `.gitattributes` blob of this tree, if any (entries are sorted: stop past the name). */
  static attributes(buf: Buffer): string | undefined {
    const c = new Cursor(buf);
    for (; !c.done; c.next()) {
      const first = buf[c.nameStart];
      if (first > 46 /* . */) return undefined;
      if (!c.isTree && c.nameEnd - c.nameStart === 14 && buf.toString('latin1', c.nameStart, c.nameEnd) === '.gitattributes') {
        const mode = c.mode;
        return mode === MODE_GITLINK ? undefined : c.oid;
      }
    }
    return undefined;
  }
}

function walk(trees: TreeSource, oldOid: string | null, newOid: string | null, prefix: string, inherited: readonly AttrRule[], loadAttrs: AttrLoader, out: RawChange[]): void {
  const oldBuf = oldOid ? trees(oldOid, prefix, true) : EMPTY;
  const newBuf = newOid ? trees(newOid, prefix, false) : EMPTY;
  const attrOid = Cursor.attributes(newOid ? newBuf : oldBuf);
  const rules = attrOid ? [...inherited, ...loadAttrs(attrOid, prefix, !newOid)] : inherited;

  const o = new Cursor(oldBuf);
  const n = new Cursor(newBuf);
  while (!o.done || !n.done) {
    const c = o.done ? 1 : n.done ? -1 : o.compare(n);
    if (c < 0) {
      deleted(o);
      o.next();
    } else if (c > 0) {
      added(n);
      n.next();
    } else {
      // Same name and the same kind (tree/tree or non-tree/non-tree).
      if (!o.sameOid(n) || (!o.isTree && !o.sameMode(n))) {
        const path = prefix + n.name;
        if (o.isTree) walk(trees, o.oid, n.oid, path + '/', rules, loadAttrs, out);
        else out.push({ path, change: 'modified', oldMode: o.mode, newMode: n.mode, oldOid: o.oid, newOid: n.oid, rules });
      }
      o.next();
      n.next();
    }
  }

  function added(e: Cursor): void {
    const path = prefix + e.name;
    if (e.isTree) walk(trees, null, e.oid, path + '/', rules, loadAttrs, out);
    else out.push({ path, change: 'added', newMode: e.mode, newOid: e.oid, rules });
  }

  function deleted(e: Cursor): void {
    const path = prefix + e.name;
    if (e.isTree) walk(trees, e.oid, null, path + '/', rules, loadAttrs, out);
    else out.push({ path, change: 'deleted', oldMode: e.mode, oldOid: e.oid, rules });
  }
}

/**
 * Pairs deletions and additions of the same blob oid (and the same kind: file or symlink) as renames.
 * Among several candidates, a source with the same file name wins, then the first by path.
 */
export function pairExactRenames(changes: RawChange[]): RawChange[] {
  const sources = new Map<string, RawChange[]>();
  for (const c of changes) {
    if (c.change !== 'deleted' || c.oldMode === MODE_GITLINK) continue;
    const key = `${c.oldMode === MODE_SYMLINK ? 'l' : 'f'}:${c.oldOid}`;
    const list = sources.get(key);
    if (list) list.push(c);
    else sources.set(key, [c]);
  }
  if (sources.size === 0) return changes;
  for (const list of sources.values()) list.sort((a, b) => compare(a.path, b.path));

  const used = new Set<RawChange>();
  const result: RawChange[] = [];
  const targets = changes.filter((c) => c.change === 'added' && c.newMode !== MODE_GITLINK).sort((a, b) => compare(a.path, b.path));
  const renamedTargets = new Map<RawChange, RawChange>();
  for (const t of targets) {
    const list = sources.get(`${t.newMode === MODE_SYMLINK ? 'l' : 'f'}:${t.newOid}`);
    if (!list) continue;
    const free = list.filter((s) => !used.has(s));
    if (free.length === 0) continue;
    const base = basename(t.path);
    const src = free.find((s) => basename(s.path) === base) ?? free[0];
    used.add(src);
    renamedTargets.set(t, {
      path: t.path,
      oldPath: src.path,
      change: 'renamed',
      oldMode: src.oldMode,
      newMode: t.newMode,
      oldOid: src.oldOid,
      newOid: t.newOid,
      rules: t.rules,
    });
  }
  for (const c of changes) {
    if (used.has(c)) continue;
    result.push(renamedTargets.get(c) ?? c);
  }
  return result;
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
