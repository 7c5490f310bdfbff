/** A repository opened for reading its history. */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import * as git from 'isomorphic-git';
import type { CommitInfo, CommitRecord, FileChange, RepoReader, SkipReason, TreeEntry } from '../types';
import { linguistAttrs, parseGitattributes, type AttrRule } from './attributes';
import { isLockFile, isVendoredPath, MODE_GITLINK, MODE_SYMLINK } from './classify';
import { diffTrees, type RawChange } from './diff';
import { errorText, GitError, isNotFound, throwIfAborted } from './errors';
import { toPosix } from './fs';
import { PathFilter } from './glob';
import { languageOf } from './languages';
import { Lru } from './lru';
import { ObjectStore, type CacheBudget } from './objects';
import { DEFAULT_MAX_FILE_BYTES, emptyStats, isBotAuthor, type HistoryOptions, type HistoryStats } from './options';
import { selectCommits, type CommitGraph } from './select';

export interface Repository extends RepoReader {
  /** Work tree folder (for a bare repository: the git dir). */
  dir: string;
  gitdir: string;
  isShallow: boolean;
  isEmpty: boolean;
  resolveRef(ref?: string): Promise<string | null>;
  history(opts?: HistoryOptions, signal?: AbortSignal): AsyncIterable<CommitRecord>;
  listCommits(opts?: HistoryOptions & { skip?: number; limit?: number }): Promise<CommitInfo[]>;
  /** The text of the file at `filepath` in a commit's tree: null when there is no such file or it is not text. */
  textAtPath(commit: string, filepath: string): Promise<string | null>;
  stats(): HistoryStats;
  close(): void;
}

export interface OpenOptions {
  cache?: CacheBudget;
}

/** Opens a work tree (or any folder inside one) or a bare repository. Throws GitError 'not-a-repo'. */
export async function openRepository(dir: string, options: OpenOptions = {}): Promise<Repository> {
  const abs = path.resolve(dir);
  if (!nodeFs.existsSync(abs)) throw new GitError('not-a-repo', `Not a git repository: ${abs} does not exist.`);
  const found = findGitdir(abs);
  if (!found) throw new GitError('not-a-repo', `Not a git repository (or any parent up to /): ${abs}`);
  const repo = new GitRepository(toPosix(found.dir), toPosix(found.gitdir), options.cache);
  await repo.init();
  return repo;
}

function findGitdir(start: string): { dir: string; gitdir: string } | null {
  if (looksLikeGitdir(start)) return { dir: start, gitdir: start };
  let dir = start;
  for (;;) {
    const dotgit = path.join(dir, '.git');
    try {
      const st = nodeFs.statSync(dotgit);
      if (st.isDirectory() && looksLikeGitdir(dotgit)) return { dir, gitdir: dotgit };
      if (st.isFile()) {
        const m = /^gitdir:\s*(.+?)\s*$/m.exec(nodeFs.readFileSync(dotgit, 'utf8'));
        if (m) {
          const gitdir = path.resolve(dir, m[1]);
          if (looksLikeGitdir(gitdir)) return { dir, gitdir };
        }
      }
    } catch {
      // no .git here
    }
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

function looksLikeGitdir(p: string): boolean {
  try {
    return nodeFs.statSync(path.join(p, 'HEAD')).isFile() && nodeFs.statSync(path.join(p, 'objects')).isDirectory();
  } catch {
    return false;
  }
}

class GitRepository implements Repository, CommitGraph {
  private store: ObjectStore;
  private shallow = new Set<string>();
  private headOid: string | null = null;
  private runStats = emptyStats();
  /** Parsed commits (bounded: a run keeps its own list of the selected commits). */
  private readonly commits = new Lru<string, { info: CommitInfo; tree: string }>(50_000, () => 1);
  private readonly attrs = new Map<string, AttrRule[]>();
  isShallow = false;
  isEmpty = false;

  constructor(
    readonly dir: string,
    readonly gitdir: string,
    private readonly budget?: CacheBudget,
  ) {
    this.store = new ObjectStore(gitdir, budget);
  }

  async init(): Promise<void> {
    const shallowText = await this.store.fs.read(`${this.gitdir}/shallow`, 'utf8');
    if (typeof shallowText === 'string') {
      for (const line of shallowText.split('\n')) if (/^[0-9a-f]{40}$/.test(line.trim())) this.shallow.add(line.trim());
    }
    this.isShallow = this.shallow.size > 0;
    this.headOid = await this.resolveRef('HEAD');
    this.isEmpty = this.headOid === null;
  }

  isShallowCommit(hash: string): boolean {
    return this.shallow.has(hash);
  }

  // ── refs ──

  async resolveRef(ref = 'HEAD'): Promise<string | null> {
    let oid: string | null = null;
    const args = { fs: this.store.fs as unknown as git.CallbackFsClient, gitdir: this.gitdir };
    if (/^[0-9a-f]{40}$/i.test(ref)) {
      oid = ref.toLowerCase();
    } else {
      try {
        oid = await git.resolveRef({ ...args, ref });
      } catch (err) {
        if (!isNotFound(err)) throw new GitError('bad-ref', `Cannot resolve "${ref}": ${errorText(err)}`, { cause: err });
      }
      if (oid === null && /^[0-9a-f]{4,39}$/i.test(ref)) {
        try {
          oid = this.store.odb.expand(ref);
        } catch (err) {
          throw new GitError('bad-ref', `Cannot resolve "${ref}": ${errorText(err)}`, { cause: err });
        }
      }
      if (oid === null) {
        if (ref === 'HEAD') return null; // unborn HEAD: an empty repository
        throw new GitError('bad-ref', `Unknown ref or commit "${ref}" in ${this.dir}.`);
      }
    }
    try {
      return (await this.readCommit(oid)).info.hash; // peels annotated tags
    } catch (err) {
      if (err instanceof GitError) throw err; // a damaged pack: its own message
      throw new GitError(
        isNotFound(err) ? 'bad-ref' : 'corrupt-object',
        `"${ref}" does not name a readable commit (${errorText(err)}).`,
        { cause: err },
      );
    }
  }

  async readCommit(oid: string): Promise<{ info: CommitInfo; tree: string }> {
    const hit = this.commits.get(oid);
    if (hit) return hit;
    const c = await this.store.readCommit(oid);
    this.commits.set(oid, c);
    if (c.info.hash !== oid) this.commits.set(c.info.hash, c);
    return c;
  }

  // ── history ──

  history(opts: HistoryOptions = {}, signal?: AbortSignal): AsyncIterable<CommitRecord> {
    return { [Symbol.asyncIterator]: () => this.run(opts, signal) };
  }

  private async *run(opts: HistoryOptions, signal?: AbortSignal): AsyncGenerator<CommitRecord> {
    const started = performance.now();
    const before = { ...this.store.counters };
    const stats = (this.runStats = emptyStats());
    const sync = () => {
      stats.blobsRead = this.store.counters.blobsRead - before.blobsRead;
      stats.blobCacheHits = this.store.counters.blobCacheHits - before.blobCacheHits;
      stats.treesRead = this.store.counters.treesRead - before.treesRead;
      stats.elapsedMs = performance.now() - started;
    };
    throwIfAborted(signal);
    const filter = new PathFilter(opts.include, opts.exclude);
    const languages = opts.languages && opts.languages.length > 0 ? new Set(opts.languages) : null;
    const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    const commits = await this.select(opts, stats, signal);
    let lastYield = performance.now();
    let sinceYield = 0;
    for (const info of commits) {
      // Objects are read synchronously: give the event loop a turn every few milliseconds or
      // commits (an abort, a progress message, the editor stay responsive).
      if (++sinceYield >= 32 || performance.now() - lastYield > 10) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
        sinceYield = 0;
      }
      throwIfAborted(signal);
      const record = await this.diffCommit(info, { filter, languages, maxBytes, similarity: opts.detectRenames === 'similarity' }, stats, signal);
      stats.commitsYielded++;
      sync();
      yield record;
    }
    sync();
  }

  private async select(opts: HistoryOptions, stats: HistoryStats, signal?: AbortSignal): Promise<CommitInfo[]> {
    const head = opts.ref === undefined || opts.ref === 'HEAD' ? await this.resolveRef('HEAD') : await this.resolveRef(opts.ref);
    if (head === null) return [];
    let stop: string | null = null;
    if (opts.sinceCommit) {
      try {
        stop = await this.resolveRef(opts.sinceCommit);
      } catch (err) {
        throw new GitError('unknown-commit', `Incremental start "${opts.sinceCommit}" is not a commit of this repository.`, { cause: err });
      }
    }
    const all = await selectCommits(this, head, stop, signal);
    const since = opts.since ? opts.since.getTime() / 1000 : -Infinity;
    const until = opts.until ? opts.until.getTime() / 1000 : Infinity;
    const dated = all.filter((c) => c.committer.timestamp >= since && c.committer.timestamp <= until);
    stats.commitsSeen = dated.length;
    const skipBots = opts.skipBots ?? true;
    let kept = dated.filter((c) => {
      if (c.isMerge && !opts.includeMerges) {
        stats.commitsSkipped.merges++;
        return false;
      }
      if (skipBots && isBotAuthor(c.author.name, c.author.email)) {
        stats.commitsSkipped.bots++;
        return false;
      }
      return true;
    });
    if (opts.maxCommits !== undefined && opts.maxCommits >= 0 && kept.length > opts.maxCommits) {
      stats.commitsSkipped.maxCommits = kept.length - opts.maxCommits;
      kept = kept.slice(kept.length - opts.maxCommits);
    }
    return kept;
  }

  async listCommits(opts: HistoryOptions & { skip?: number; limit?: number } = {}): Promise<CommitInfo[]> {
    const list = await this.select(opts, emptyStats());
    const newestFirst = list.reverse();
    const skip = Math.max(0, opts.skip ?? 0);
    return newestFirst.slice(skip, opts.limit === undefined ? undefined : skip + Math.max(0, opts.limit));
  }

  private async diffCommit(
    info: CommitInfo,
    run: { filter: PathFilter; languages: Set<string> | null; maxBytes: number; similarity: boolean },
    stats: HistoryStats,
    signal?: AbortSignal,
  ): Promise<CommitRecord> {
    let raw: RawChange[];
    try {
      const tree = (await this.readCommit(info.hash)).tree;
      const parentTree =
        info.parents.length > 0 && !this.shallow.has(info.hash) ? (await this.readCommit(info.parents[0])).tree : null;
      const similar = run.similarity ? (oid: string) => this.similarityText(oid, run.maxBytes) : undefined;
      raw = diffTrees((oid) => this.store.treeBytes(oid), parentTree, tree, (oid, dir) => this.loadAttrs(oid, dir), similar);
    } catch (err) {
      stats.commitErrors++;
      return { commit: info, files: [], error: `Could not read commit ${info.hash}: ${errorText(err)}` };
    }
    const files: FileChange[] = [];
    for (const c of raw) {
      throwIfAborted(signal);
      const f = await this.fileChange(c, run, stats);
      stats.files[f.change]++;
      if (f.skip) stats.skips[f.skip] = (stats.skips[f.skip] ?? 0) + 1;
      files.push(f);
    }
    return { commit: info, files };
  }

  private async fileChange(
    c: RawChange,
    run: { filter: PathFilter; languages: Set<string> | null; maxBytes: number },
    stats: HistoryStats,
  ): Promise<FileChange> {
    const language = languageOf(c.path);
    const f: FileChange = { path: c.path, change: c.change, language, oldText: null, newText: null };
    if (c.oldPath !== undefined) f.oldPath = c.oldPath;
    if (c.oldMode !== undefined) f.oldMode = c.oldMode;
    if (c.newMode !== undefined) f.newMode = c.newMode;
    if (c.oldOid !== undefined) f.oldOid = c.oldOid;
    if (c.newOid !== undefined) f.newOid = c.newOid;

    const skip = this.pathSkip(c, language, run);
    if (skip) {
      f.skip = skip;
      return f;
    }
    const sides: Array<'old' | 'new'> = [];
    if (c.oldOid) sides.push('old');
    if (c.newOid) sides.push('new');
    let bytes = 0;
    for (const side of sides) {
      const info = await this.store.blobInfo(side === 'old' ? c.oldOid! : c.newOid!);
      const reason: SkipReason | undefined =
        info.reason === 'missing-object'
          ? 'missing-object'
          : info.size > run.maxBytes
            ? 'too-large'
            : (info.reason ?? (info.minified ? 'minified' : info.generatedMarker ? 'generated' : undefined));
      if (reason) {
        f.skip = reason;
        f.oldText = null;
        f.newText = null;
        return f;
      }
      if (side === 'old') f.oldText = info.text;
      else f.newText = info.text;
      bytes += info.size;
    }
    stats.textBytes += bytes;
    return f;
  }

  private pathSkip(
    c: RawChange,
    language: string | null,
    run: { filter: PathFilter; languages: Set<string> | null },
  ): SkipReason | undefined {
    if (run.filter.active && !run.filter.accepts(c.path)) return 'excluded-path';
    if (run.languages && (language === null || !run.languages.has(language))) return 'excluded-language';
    if (c.oldMode === MODE_GITLINK || c.newMode === MODE_GITLINK) return 'submodule';
    if (c.oldMode === MODE_SYMLINK || c.newMode === MODE_SYMLINK) return 'symlink';
    if (isLockFile(c.path)) return 'lock-file';
    const attrs = linguistAttrs(c.rules, c.path);
    if (attrs.vendored || (isVendoredPath(c.path) && !hasVendoredOverride(c.rules, c.path))) return 'vendored';
    if (attrs.generated) return 'generated';
    if (c.change === 'modified' && c.oldOid === c.newOid) return 'mode-only';
    return undefined;
  }

  /** A blob's text for rename similarity (null when binary, not UTF-8, missing or too large). */
  private similarityText(oid: string, maxBytes: number): string | null {
    const info = this.store.blobInfoSync(oid);
    return info.reason || info.size > maxBytes ? null : info.text;
  }

  private loadAttrs(oid: string, dir: string): AttrRule[] {
    const key = `${dir}\0${oid}`;
    const hit = this.attrs.get(key);
    if (hit) return hit;
    const info = this.store.blobInfoSync(oid);
    const rules = info.text ? parseGitattributes(info.text, dir.replace(/\/$/, '')) : [];
    this.attrs.set(key, rules);
    return rules;
  }

  // ── RepoReader ──

  async listTree(commitHash: string): Promise<TreeEntry[]> {
    const { tree } = await this.readCommit(commitHash);
    const out: TreeEntry[] = [];
    const visit = async (oid: string, prefix: string): Promise<void> => {
      for (const e of await this.store.readTree(oid)) {
        if (e.type === 'tree') await visit(e.oid, prefix + e.name + '/');
        else if (e.type === 'blob') out.push({ path: prefix + e.name, oid: e.oid, mode: e.mode });
      }
    };
    await visit(tree, '');
    return out;
  }

  readBlob(oid: string): Promise<Uint8Array> {
    return this.store.readBlob(oid);
  }

  async readText(oid: string): Promise<string | null> {
    const info = await this.store.blobInfo(oid);
    return info.size > DEFAULT_MAX_FILE_BYTES ? null : info.text;
  }

  async textAtPath(commit: string, filepath: string): Promise<string | null> {
    let oid = (await this.readCommit(commit)).tree;
    const parts = filepath.split('/');
    for (let i = 0; i < parts.length; i++) {
      const e = (await this.store.readTree(oid)).find((t) => t.name === parts[i]);
      if (!e || e.type !== (i === parts.length - 1 ? 'blob' : 'tree')) return null;
      oid = e.oid;
    }
    return (await this.store.blobInfo(oid)).text;
  }

  stats(): HistoryStats {
    return structuredClone(this.runStats);
  }

  close(): void {
    this.store.clear();
    this.commits.clear();
    this.attrs.clear();
  }
}

/** `-linguist-vendored` in .gitattributes un-vendors a path under vendor/ or node_modules/. */
function hasVendoredOverride(rules: readonly AttrRule[], p: string): boolean {
  return rules.some((r) => r.vendored === false && (r.base === '' || p.startsWith(r.base)) && r.re.test(p.slice(r.base.length)));
}
