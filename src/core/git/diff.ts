/**
 * Tree-to-tree diff by recursive readTree: any subtree whose oid is unchanged is skipped without
 * being read. Exact renames are paired by blob oid afterwards.
 */
import type { ChangeType } from '../types';
import type { AttrRule } from './attributes';
import { MODE_GITLINK, MODE_SYMLINK } from './classify';
import type { ObjectStore, Tree, TreeItem } from './objects';

const EMPTY: Tree = { items: [], byName: new Map() };

export interface RawChange {
  path: string;
  oldPath?: string;
  change: ChangeType;
  oldMode?: string;
  newMode?: string;
  oldOid?: string;
  newOid?: string;
  /** .gitattributes rules in effect for this path (root first). */
  rules: readonly AttrRule[];
}

export type AttrLoader = (oid: string, dir: string) => Promise<AttrRule[]>;

export async function diffTrees(
  store: ObjectStore,
  oldTree: string | null,
  newTree: string,
  loadAttrs: AttrLoader,
): Promise<RawChange[]> {
  const out: RawChange[] = [];
  await walk(store, oldTree, newTree, '', [], loadAttrs, out);
  return pairExactRenames(out).sort((a, b) => compare(a.path, b.path));
}

async function walk(
  store: ObjectStore,
  oldOid: string | null,
  newOid: string | null,
  prefix: string,
  inherited: readonly AttrRule[],
  loadAttrs: AttrLoader,
  out: RawChange[],
): Promise<void> {
  const oldTree = oldOid ? await store.readTree(oldOid) : EMPTY;
  const newTree = newOid ? await store.readTree(newOid) : EMPTY;
  const attrSource = (newOid ? newTree : oldTree).attributes;
  const rules = attrSource ? [...inherited, ...(await loadAttrs(attrSource.oid, prefix))] : inherited;

  for (const n of newTree.items) {
    const o = oldTree.byName.get(n.name);
    const path = prefix + n.name;
    if (!o) {
      await added(n, path);
    } else if (o.oid === n.oid && o.mode === n.mode) {
      continue;
    } else if (o.type === 'tree' && n.type === 'tree') {
      await walk(store, o.oid, n.oid, path + '/', rules, loadAttrs, out);
    } else if (o.type === 'tree' || n.type === 'tree') {
      await deleted(o, path);
      await added(n, path);
    } else {
      out.push({ path, change: 'modified', oldMode: o.mode, newMode: n.mode, oldOid: o.oid, newOid: n.oid, rules });
    }
  }
  for (const o of oldTree.items) {
    if (!newTree.byName.has(o.name)) await deleted(o, prefix + o.name);
  }

  async function added(n: TreeItem, path: string): Promise<void> {
    if (n.type === 'tree') await walk(store, null, n.oid, path + '/', rules, loadAttrs, out);
    else out.push({ path, change: 'added', newMode: n.mode, newOid: n.oid, rules });
  }

  async function deleted(o: TreeItem, path: string): Promise<void> {
    if (o.type === 'tree') await walk(store, o.oid, null, path + '/', rules, loadAttrs, out);
    else out.push({ path, change: 'deleted', oldMode: o.mode, oldOid: o.oid, rules });
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
  const targets = changes
    .filter((c) => c.change === 'added' && c.newMode !== MODE_GITLINK)
    .sort((a, b) => compare(a.path, b.path));
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
