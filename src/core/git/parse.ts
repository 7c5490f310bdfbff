/**
 * Parsers for raw commit, tree and tag objects (the bytes after the "type size\0" header).
 * They follow isomorphic-git's readers (GitCommit, GitTree, GitAnnotatedTag) exactly, so records are
 * the same as when isomorphic-git parsed them, without its intermediate copies.
 */
import type { CommitInfo, Person } from '../types';

export interface TreeItem {
  /** Entry name (one path component). */
  name: string;
  mode: string;
  oid: string;
  type: 'blob' | 'tree' | 'commit';
}

export interface ParsedCommit {
  info: CommitInfo;
  tree: string;
}

export class ObjectFormatError extends Error {
  readonly code = 'ObjectFormatError';
}

const names = new Map<string, string>();

/** One string instance per distinct entry name (tree names repeat across every version of a tree). */
function intern(s: string): string {
  const hit = names.get(s);
  if (hit !== undefined) return hit;
  if (names.size >= 200_000) names.clear();
  names.set(s, s);
  return s;
}

const MODES: Record<string, { mode: string; type: TreeItem['type'] }> = {
  '40000': { mode: '040000', type: 'tree' },
  '040000': { mode: '040000', type: 'tree' },
  '100644': { mode: '100644', type: 'blob' },
  '100755': { mode: '100755', type: 'blob' },
  '120000': { mode: '120000', type: 'blob' },
  '160000': { mode: '160000', type: 'commit' },
};

/** Tree entries sorted by name (isomorphic-git's order). Throws on a malformed tree or an unsafe name. */
export function parseTree(buf: Uint8Array): TreeItem[] {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const items: TreeItem[] = [];
  let cursor = 0;
  let sorted = true;
  let prev = '';
  while (cursor < b.length) {
    const space = b.indexOf(32, cursor);
    const nul = space < 0 ? -1 : b.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 21 > b.length) {
      throw new ObjectFormatError(`Malformed tree object at byte ${cursor}.`);
    }
    const rawMode = b.toString('latin1', cursor, space);
    const m = MODES[rawMode] ?? canonicalMode(rawMode);
    const name = intern(b.toString('utf8', space + 1, nul));
    if (mayBeUnsafe(name)) checkSafeName(name);
    items.push({ name, mode: m.mode, oid: b.toString('hex', nul + 1, nul + 21), type: m.type });
    if (sorted && compareStrings(prev, name) > 0) sorted = false;
    prev = name;
    cursor = nul + 21;
  }
  if (!sorted) items.sort((x, y) => compareStrings(x.name, y.name));
  return items;
}

/** A tree entry's mode as isomorphic-git reports it ("40000" → "040000"); throws for a mode git does not write. */
export function treeEntryMode(raw: string): string {
  return (MODES[raw] ?? canonicalMode(raw)).mode;
}

/**
 * Old or foreign tools wrote modes such as 100664 or 100775; git reads them canonically (a regular
 * file is 100644, or 100755 when any execute bit is set), and so do we.
 */
function canonicalMode(raw: string): { mode: string; type: TreeItem['type'] } {
  const n = /^[0-7]{5,6}$/.test(raw) ? parseInt(raw, 8) : NaN;
  const kind = n & 0o170000;
  if (kind === 0o100000) return n & 0o111 ? MODES['100755'] : MODES['100644'];
  if (kind === 0o040000) return MODES['040000'];
  if (kind === 0o120000) return MODES['120000'];
  if (kind === 0o160000) return MODES['160000'];
  throw new ObjectFormatError(`Unexpected tree entry mode: ${raw}`);
}

/** The entry name, checked like isomorphic-git does (reserved names such as ".git" are refused). */
export function safeName(name: string): string {
  if (mayBeUnsafe(name)) checkSafeName(name);
  return name;
}

/** Names that need the full check below: anything with a dot or "git" start, separators, colons or non-ASCII. */
function mayBeUnsafe(name: string): boolean {
  const c = name.charCodeAt(0);
  return c === 46 /* . */ || c === 103 || c === 71 /* g G */ || /[\\/:]|[^ -~]/.test(name);
}

/** isomorphic-git's (and git's verify_path) reserved-name check. */
function checkSafeName(path: string): void {
  const hfsClean = path.replace(/[\u200C-\u200F\u202A-\u202E\u206A-\u206F\uFEFF]/g, '');
  const ntfsClean = hfsClean.split(':')[0];
  const normalized = ntfsClean.toLowerCase().replace(/[. ]+$/, '');
  if (path.includes('\\') || path.includes('/') || hfsClean === '.' || hfsClean === '..' || normalized === '.git' || /^\.?git~[1-9]$/.test(normalized)) {
    throw new ObjectFormatError(`Unsafe tree entry name: ${JSON.stringify(path)}`);
  }
}

/** isomorphic-git's compareStrings: UTF-16 order, except code point order where surrogates are involved. */
export function compareStrings(a: string, b: string): number {
  if (!/[\uD800-\uDFFF]/.test(a) && !/[\uD800-\uDFFF]/.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const ca = [...a].map((ch) => ch.codePointAt(0)!);
  const cb = [...b].map((ch) => ch.codePointAt(0)!);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) if (ca[i] !== cb[i]) return ca[i] < cb[i] ? -1 : 1;
  return ca.length - cb.length < 0 ? -1 : ca.length > cb.length ? 1 : 0;
}

/** A commit object, read the way isomorphic-git's GitCommit reads it. */
export function parseCommit(buf: Uint8Array, oid: string): ParsedCommit {
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8');
  const cut = text.indexOf('\n\n');
  const headerLines = text.slice(0, cut).split('\n');
  const hs: string[] = [];
  for (const h of headerLines) {
    if (h[0] === ' ') hs[hs.length - 1] += '\n' + h.slice(1);
    else hs.push(h);
  }
  const keyOf = (h: string) => h.slice(0, h.indexOf(' '));
  const valueOf = (h: string) => h.slice(h.indexOf(' ') + 1);
  if (hs.length === 0 || keyOf(hs[0]) !== 'tree') {
    throw new ObjectFormatError(`Commit ${oid}: expected "tree" as the first header.`);
  }
  const tree = valueOf(hs[0]);
  const parents: string[] = [];
  let i = 1;
  while (i < hs.length && keyOf(hs[i]) === 'parent') parents.push(valueOf(hs[i++]));
  let author: string | undefined;
  let committer: string | undefined;
  for (; i < hs.length; i++) {
    const key = keyOf(hs[i]);
    if (key === 'author' && author === undefined) author = valueOf(hs[i]);
    else if (key === 'committer' && committer === undefined) committer = valueOf(hs[i]);
  }
  if (author === undefined || committer === undefined) {
    throw new ObjectFormatError(`Commit ${oid}: no ${author === undefined ? 'author' : 'committer'} header.`);
  }
  const message = normalizeNewlines(text.slice(cut + 2));
  const nl = message.indexOf('\n');
  const subject = (nl < 0 ? message : message.slice(0, nl)).trim();
  const body =
    nl < 0
      ? ''
      : message
          .slice(nl + 1)
          .replace(/^\n+/, '')
          .replace(/\s+$/, '');
  return {
    tree,
    info: {
      hash: oid,
      parents,
      author: parsePerson(author, oid),
      committer: parsePerson(committer, oid),
      subject,
      body,
      isMerge: parents.length > 1,
    },
  };
}

function normalizeNewlines(str: string): string {
  return str.replace(/\r/g, '').replace(/^\n+/, '').replace(/\n+$/, '') + '\n';
}

/** "Name <email> 1700000000 +0200" → Person with the offset in minutes east of UTC. */
function parsePerson(s: string, oid: string): Person {
  const m = /^(.*) <(.*)> (.*) (.*)$/.exec(s);
  const tz = m ? /(\+|-)(\d\d)(\d\d)/.exec(m[4]) : null;
  if (!m || !tz) throw new ObjectFormatError(`Commit ${oid}: malformed person "${s}".`);
  const east = (tz[1] === '+' ? 1 : -1) * (Number(tz[2]) * 60 + Number(tz[3]));
  return { name: m[1], email: m[2], timestamp: Number(m[3]), timezoneOffset: east === 0 ? 0 : east };
}

/** The object an annotated tag points at. */
export function parseTagTarget(buf: Uint8Array, oid: string): string {
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8');
  const m = /^object ([0-9a-f]{40})$/m.exec(text.slice(0, text.indexOf('\n\n') >>> 0));
  if (!m) throw new ObjectFormatError(`Tag ${oid}: no "object" header.`);
  return m[1];
}
