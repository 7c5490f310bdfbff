/** A repository opened for reading its history. */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import * as git from 'isomorphic-git';
import type { CommitInfo, CommitRecord, FileChange, RepoReader, SkipReason, TreeEntry } from '../types';
import { linguistAttrs, parseGitattributes, type AttrRule } from './attributes';
import { isLockFile, isVendoredPath, MODE_GITLINK, MODE_SYMLINK, type BlobInfo } from './classify';
import { diffTrees, type RawChange } from './diff';
import { errorText, GitError, isNotFound, objectError, shortHash, throwIfAborted } from './errors';
import { toPosix } from './fs';
import { PathFilter } from './glob';
import { languageOf } from './languages';
import { Lru } from './lru';
import { ObjectStore, type CacheBudget, type Tolerance } from './objects';
import { DEFAULT_MAX_FILE_BYTES, emptyStats, isBotAuthor, type HistoryOptions, type HistoryStats } from './options';
import { parseTree } from './parse';
import { selectCommits, type CommitGraph } from './select';
import { goodMessage } from '../hygiene/message';

export interface Repository extends RepoReader {
  /** Work tree folder (for a bare repository: the git dir). */
  dir: string;
  /** The git dir: for a linked worktree, its own (HEAD, per-worktree refs), e.g. main/.git/worktrees/wt. */
  gitdir: string;
  /** Where the objects and shared refs are: the gitdir, or for a linked worktree the main git dir (its `commondir`). */
  commondir: string;
  isShallow: boolean;
  /** A partial clone (extensions.partialClone or a promisor remote): missing objects are promised, not damage. */
  isPartialClone: boolean;
  isEmpty: boolean;
  resolveRef(ref?: string): Promise<string | null>;
  history(opts?: HistoryOptions, signal?: AbortSignal): AsyncIterable<CommitRecord>;
  listCommits(opts?: HistoryOptions & { skip?: number; limit?: number }, stats?: HistoryStats): Promise<CommitInfo[]>;
  /**
   * Each selected commit's changed bytes: the sizes of the files it changes that a build would read (old and new
   * side; the path, language and size limits applied), from the trees and the objects' headers, no blob read.
   */
  changedBytes(opts: HistoryOptions, signal?: AbortSignal): AsyncIterable<{ hash: string; bytes: number }>;
  /** The paths a commit changed against its first parent (old and new path of a rename), from the trees alone: no blob is read. */
  changedPaths(info: CommitInfo): Promise<string[]>;
  /**
   * The text of the file at `filepath` in a commit's tree: null when there is no such file or it is not
   * text. An object that cannot be read throws (GitError 'missing-object' / 'corrupt-object'), whatever
   * `allowMissingObjects` says: the caller asked for this very file.
   */
  textAtPath(commit: string, filepath: string): Promise<string | null>;
  /**
   * RepoReader.readText, and where the blob is (for the error message). An unreadable blob throws a
   * GitError naming it, or with `allowMissingObjects` gives null.
   */
  readText(oid: string, where?: { path: string; commit: string }): Promise<string | null>;
  stats(): HistoryStats;
  close(): void;
}

export interface OpenOptions {
  cache?: CacheBudget;
  /**
   * Objects that are missing or damaged do not stop the run. By default, a blob, tree or commit the
   * history needs and cannot read throws a GitError ('missing-object' or 'corrupt-object') whose
   * message names the object, what it is, and the path and commit where it was needed. With this
   * option (the CLI's --allow-missing-objects), such a file is skipped with reason 'missing-object'
   * (counted in HistoryStats.skips), a commit whose trees cannot be read gets CommitRecord.error
   * (counted in HistoryStats.commitErrors), readText gives null and listTree leaves out what it cannot
   * read. A damaged pack or index (not one object) always throws. In a partial clone, objects that
   * are missing (promised by its remote) are treated this way without the option; damaged ones are not.
   */
  allowMissingObjects?: boolean;
  /**
   * Check the SHA-1 object id of every object read, instead of the pack entries' CRC-32s (see odb.ts; slower:
   * README, Benchmarks). Loose objects are always checked by their id.
   */
  checkObjectIds?: boolean;
}

/**
 * Opens a work tree (or any folder inside one), a linked worktree, or a bare repository. Throws
 * GitError 'not-a-repo'.
 */
export async function openRepository(dir: string, options: OpenOptions = {}): Promise<Repository> {
  const abs = path.resolve(dir);
  if (!nodeFs.existsSync(abs)) throw new GitError('not-a-repo', `Not a git repository: ${abs} does not exist.`);
  const found = findGitdir(abs);
  if (!found) throw new GitError('not-a-repo', `Not a git repository (or any parent up to /): ${abs}`);
  const repo = new GitRepository(toPosix(found.dir), toPosix(found.gitdir), toPosix(found.commondir), options);
  await repo.init();
  return repo;
}

interface Found {
  dir: string;
  gitdir: string;
  commondir: string;
}

/** Like git's discovery: the folder itself when it is a git dir, else the first `.git` (folder, or file naming one) upwards. */
function findGitdir(start: string): Found | null {
  const here = gitDirs(start);
  if (here) return { dir: start, ...here };
  let dir = start;
  for (;;) {
    const dotgit = path.join(dir, '.git');
    try {
      const st = nodeFs.statSync(dotgit);
      const found = st.isDirectory() ? gitDirs(dotgit) : st.isFile() ? gitDirs(gitfileTarget(dotgit)) : null;
      if (found) return { dir, ...found };
    } catch {
      // no .git here
    }
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** The git dir a `.git` file names ("gitdir: <path>", relative to the file's folder); "" when none. */
function gitfileTarget(dotgit: string): string {
  const m = /^gitdir:\s*(.+?)\s*$/m.exec(nodeFs.readFileSync(dotgit, 'utf8'));
  return m ? path.resolve(path.dirname(dotgit), m[1]) : '';
}

/**
 * A git dir (a HEAD file) and its common dir: for a linked worktree, the folder its `commondir` file
 * names (relative to the git dir, usually "../.."), which holds `objects`; else the git dir itself.
 */
function gitDirs(p: string): { gitdir: string; commondir: string } | null {
  if (!p) return null;
  try {
    if (!nodeFs.statSync(path.join(p, 'HEAD')).isFile()) return null;
    let commondir = p;
    try {
      const named = nodeFs.readFileSync(path.join(p, 'commondir'), 'utf8').trim();
      if (named) commondir = path.resolve(p, named);
    } catch {
      // not a linked worktree
    }
    return nodeFs.statSync(path.join(commondir, 'objects')).isDirectory() ? { gitdir: p, commondir } : null;
  } catch {
    return null;
  }
}

class GitRepository implements Repository, CommitGraph {
  private store: ObjectStore;
  /** What an unreadable object may be instead of an error (see OpenOptions.allowMissingObjects). */
  private readonly tolerate: Tolerance;
  private shallow = new Set<string>();
  private headOid: string | null = null;
  private runStats = emptyStats();
  /** Parsed commits (bounded: a run keeps its own list of the selected commits). */
  private readonly commits = new Lru<string, { info: CommitInfo; tree: string }>(50_000, () => 1);
  private readonly attrs = new Map<string, AttrRule[]>();
  isShallow = false;
  readonly isPartialClone: boolean;
  isEmpty = false;

  constructor(
    readonly dir: string,
    readonly gitdir: string,
    readonly commondir: string,
    options: OpenOptions = {},
  ) {
    this.isPartialClone = isPartialClone(commondir);
    const allow = options.allowMissingObjects === true;
    this.tolerate = { missing: allow || this.isPartialClone, corrupt: allow };
    this.store = new ObjectStore(gitdir, { cache: options.cache, commondir, tolerate: this.tolerate, checkIds: options.checkObjectIds === true });
  }

  async init(): Promise<void> {
    const shallowText = await this.store.fs.read(`${this.commondir}/shallow`, 'utf8');
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

  unreadableParent(oid: string, child: string, err: unknown): Error | null {
    if (this.tolerated(err)) return null;
    return this.objectError(err, oid, `parent of commit ${shortHash(child)}`, 'commits');
  }

  /** Whether a read error may be skipped (a damaged pack or index never is). */
  private tolerated(err: unknown): boolean {
    if (err instanceof GitError) return err.oid !== undefined && (err.code === 'missing-object' ? this.tolerate.missing : this.tolerate.corrupt);
    return isNotFound(err) ? this.tolerate.missing : this.tolerate.corrupt;
  }

  /** objectError (errors.ts), without the --allow-missing-objects hint when that is what the run does. */
  private objectError(err: unknown, oid: string, what: string, skips: 'files' | 'commits'): GitError {
    return objectError(err, oid, what, skips, !this.tolerate.corrupt);
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
      throw new GitError(isNotFound(err) ? 'bad-ref' : 'corrupt-object', `"${ref}" does not name a readable commit (${errorText(err)}).`, { cause: err });
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
    const { filter, languages, maxBytes } = fileRules(opts);
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
      if (opts.messageFilter && !goodMessage(c.subject)) {
        stats.commitsSkipped.message++;
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

  /** The selected commits, newest first; `stats` (optional) counts what was skipped. */
  async listCommits(opts: HistoryOptions & { skip?: number; limit?: number } = {}, stats: HistoryStats = emptyStats()): Promise<CommitInfo[]> {
    const list = await this.select(opts, stats);
    const newestFirst = list.reverse();
    const skip = Math.max(0, opts.skip ?? 0);
    return newestFirst.slice(skip, opts.limit === undefined ? undefined : skip + Math.max(0, opts.limit));
  }

  async *changedBytes(opts: HistoryOptions, signal?: AbortSignal): AsyncIterable<{ hash: string; bytes: number }> {
    const { filter, languages, maxBytes } = fileRules(opts);
    let n = 0;
    for (const info of await this.select(opts, emptyStats(), signal)) {
      if (++n % 32 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      throwIfAborted(signal);
      let bytes = 0;
      let raw: RawChange[] = [];
      try {
        raw = await this.rawChanges(info, { maxBytes: 0, similarity: false });
      } catch {
        /* a commit that cannot be read weighs nothing here; its shard reports it */
      }
      for (const c of raw) {
        const language = languageOf(c.path);
        if (language === null || this.pathSkip(c, language, { filter, languages })) continue;
        for (const oid of [c.oldOid, c.newOid]) {
          let size = 0;
          try {
            size = oid ? this.store.odb.sizeOf(oid) : 0;
          } catch {
            /* damaged: its shard reports it */
          }
          if (size > 0 && size <= maxBytes) bytes += size;
        }
      }
      yield { hash: info.hash, bytes };
    }
  }

  async changedPaths(info: CommitInfo): Promise<string[]> {
    const raw = await this.rawChanges(info, { maxBytes: 0, similarity: false });
    return raw.flatMap((c) => (c.oldPath && c.oldPath !== c.path ? [c.path, c.oldPath] : [c.path]));
  }

  private async diffCommit(
    info: CommitInfo,
    run: { filter: PathFilter; languages: Set<string> | null; maxBytes: number; similarity: boolean },
    stats: HistoryStats,
    signal?: AbortSignal,
  ): Promise<CommitRecord> {
    let raw: RawChange[];
    try {
      raw = await this.rawChanges(info, run);
    } catch (err) {
      if (!this.tolerated(err)) {
        if (err instanceof GitError) throw err;
        // Trees that were read but cannot be parsed (their ids checked out: git stored them so).
        const why = errorText(err).replace(/\.$/, '');
        const message = `Commit ${info.hash} cannot be compared with its parent: ${why}; run "git fsck" (or pass --allow-missing-objects to skip such commits).`;
        throw new GitError('corrupt-object', message, { cause: err, oid: info.hash });
      }
      stats.commitErrors++;
      return { commit: info, files: [], error: `Could not read commit ${info.hash}: ${errorText(err)}` };
    }
    const files: FileChange[] = [];
    for (const c of raw) {
      throwIfAborted(signal);
      const f = await this.fileChange(c, info, run, stats);
      stats.files[f.change]++;
      if (f.skip) stats.skips[f.skip] = (stats.skips[f.skip] ?? 0) + 1;
      files.push(f);
    }
    return { commit: info, files };
  }

  /** The raw changes of a commit against its first parent; objects that cannot be read throw errors naming them. */
  private async rawChanges(info: CommitInfo, run: { maxBytes: number; similarity: boolean }): Promise<RawChange[]> {
    const commit = info.hash;
    const parent = info.parents.length > 0 && !this.shallow.has(commit) ? info.parents[0] : null;
    const tree = await this.commitTree(commit, 'commit');
    const parentTree = parent ? await this.commitTree(parent, `parent of commit ${shortHash(commit)}`) : null;
    const at = (old: boolean) => (old ? parent! : commit);
    const trees = (oid: string, dir: string, old: boolean) => this.treeAt(oid, dir, at(old));
    const attrs = (oid: string, dir: string, old: boolean) => this.loadAttrs(oid, dir, at(old));
    const similar = run.similarity ? (oid: string, path: string, old: boolean) => this.similarityText(oid, path, at(old), run.maxBytes) : undefined;
    return diffTrees(trees, parentTree, tree, attrs, similar);
  }

  /** A commit's root tree oid; `what` names the commit in an error ("commit", "parent of commit 1a2b…"). */
  private async commitTree(oid: string, what: string): Promise<string> {
    try {
      return (await this.readCommit(oid)).tree;
    } catch (err) {
      throw this.objectError(err, oid, what, 'commits');
    }
  }

  /** A tree's raw bytes (folder `dir`, "" or "src/", of `commit`); an unreadable tree throws an error naming it. */
  private treeAt(oid: string, dir: string, commit: string): Buffer {
    try {
      return this.store.treeBytes(oid);
    } catch (err) {
      throw this.objectError(err, oid, treeWhat(dir, commit), 'commits');
    }
  }

  /** A blob classified; an unreadable one throws an error naming it (or is 'missing-object' when tolerated). */
  private blobAt(oid: string, path: string, commit: string, strict = false): BlobInfo {
    try {
      return this.store.blobInfoSync(oid, strict);
    } catch (err) {
      throw this.objectError(err, oid, blobWhat(path, commit), 'files');
    }
  }

  private async fileChange(c: RawChange, commit: CommitInfo, run: { filter: PathFilter; languages: Set<string> | null; maxBytes: number }, stats: HistoryStats): Promise<FileChange> {
    const language = languageOf(c.path);
    const f: FileChange = { path: c.path, change: c.change, language, oldText: null, newText: null };
    if (c.oldPath !== undefined) f.oldPath = c.oldPath;
    if (c.oldMode !== undefined) f.oldMode = c.oldMode;
    if (c.newMode !== undefined) f.newMode = c.newMode;
    if (c.oldOid !== undefined) f.oldOid = c.oldOid;
    if (c.newOid !== undefined) f.newOid = c.newOid;

    const skip = this.pathSkip(c, language, run);
    if (skip) {
      f.skip = skip.reason;
      if (skip.detail) f.skipDetail = skip.detail;
      return f;
    }
    const sides: Array<'old' | 'new'> = [];
    if (c.oldOid) sides.push('old');
    if (c.newOid) sides.push('new');
    let bytes = 0;
    for (const side of sides) {
      const info = side === 'old' ? this.blobAt(c.oldOid!, c.oldPath ?? c.path, commit.parents[0] ?? commit.hash) : this.blobAt(c.newOid!, c.path, commit.hash);
      const reason: SkipReason | undefined =
        info.reason === 'missing-object' ? 'missing-object' : info.size > run.maxBytes ? 'too-large' : (info.reason ?? (info.minified ? 'minified' : info.generatedMarker ? 'generated' : undefined));
      if (reason) {
        f.skip = reason;
        if (reason === 'too-large') f.skipDetail = `${kb(info.size)} over the ${kb(run.maxBytes)} limit (max file bytes)`;
        else if (reason === 'generated') f.skipDetail = 'a generated-code marker in its first lines';
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

  private pathSkip(c: RawChange, language: string | null, run: { filter: PathFilter; languages: Set<string> | null }): { reason: SkipReason; detail?: string } | undefined {
    if (run.filter.active && !run.filter.accepts(c.path)) return { reason: 'excluded-path', detail: 'the include/exclude patterns of the build' };
    if (run.languages && (language === null || !run.languages.has(language))) return { reason: 'excluded-language', detail: `not one of the build's languages (${[...run.languages].join(', ')})` };
    if (c.oldMode === MODE_GITLINK || c.newMode === MODE_GITLINK) return { reason: 'submodule' };
    if (c.oldMode === MODE_SYMLINK || c.newMode === MODE_SYMLINK) return { reason: 'symlink' };
    if (isLockFile(c.path)) return { reason: 'lock-file' };
    const attrs = linguistAttrs(c.rules, c.path);
    if (attrs.vendored) return { reason: 'vendored', detail: `linguist-vendored in ${attrs.from ?? '.gitattributes'}` };
    if (isVendoredPath(c.path) && !hasVendoredOverride(c.rules, c.path)) return { reason: 'vendored', detail: 'under a vendor/, node_modules/ or bower_components/ folder' };
    if (attrs.generated) return { reason: 'generated', detail: `linguist-generated in ${attrs.from ?? '.gitattributes'}` };
    if (c.change === 'modified' && c.oldOid === c.newOid) return { reason: 'mode-only' };
    return undefined;
  }

  /** A blob's text for rename similarity (null when binary, not UTF-8, too large, or unreadable and tolerated). */
  private similarityText(oid: string, path: string, commit: string, maxBytes: number): string | null {
    const info = this.blobAt(oid, path, commit);
    return info.reason || info.size > maxBytes ? null : info.text;
  }

  private loadAttrs(oid: string, dir: string, commit: string): AttrRule[] {
    const key = `${dir}\0${oid}`;
    const hit = this.attrs.get(key);
    if (hit) return hit;
    const info = this.blobAt(oid, `${dir}.gitattributes`, commit);
    const rules = info.text ? parseGitattributes(info.text, dir.replace(/\/$/, '')) : [];
    this.attrs.set(key, rules);
    return rules;
  }

  // ── RepoReader ──

  /** Every blob in a commit's tree; what cannot be read throws an error naming it, or is left out when tolerated. */
  async listTree(commitHash: string): Promise<TreeEntry[]> {
    let tree: string;
    try {
      tree = await this.commitTree(commitHash, 'commit');
    } catch (err) {
      if (this.tolerated(err)) return [];
      throw err;
    }
    const out: TreeEntry[] = [];
    const visit = (oid: string, prefix: string): void => {
      let items;
      try {
        items = parseTree(this.store.treeBytes(oid));
      } catch (err) {
        if (this.tolerated(err)) return;
        throw this.objectError(err, oid, treeWhat(prefix, commitHash), 'commits');
      }
      for (const e of items) {
        if (e.type === 'tree') visit(e.oid, prefix + e.name + '/');
        else if (e.type === 'blob') out.push({ path: prefix + e.name, oid: e.oid, mode: e.mode });
      }
    };
    visit(tree, '');
    return out;
  }

  async readBlob(oid: string): Promise<Uint8Array> {
    try {
      return await this.store.readBlob(oid);
    } catch (err) {
      throw this.objectError(err, oid, 'blob', 'files');
    }
  }

  async readText(oid: string, where?: { path: string; commit: string }): Promise<string | null> {
    const info = this.blobAt(oid, where?.path ?? '', where?.commit ?? '');
    return info.size > DEFAULT_MAX_FILE_BYTES ? null : info.text;
  }

  async textAtPath(commit: string, filepath: string): Promise<string | null> {
    let oid: string;
    try {
      oid = (await this.readCommit(commit)).tree;
    } catch (err) {
      throw objectError(err, commit, 'commit', 'commits', false);
    }
    const parts = filepath.split('/');
    for (let i = 0; i < parts.length; i++) {
      let items;
      try {
        items = parseTree(this.store.treeBytes(oid));
      } catch (err) {
        throw objectError(
          err,
          oid,
          treeWhat(
            parts
              .slice(0, i)
              .map((p) => p + '/')
              .join(''),
            commit,
          ),
          'commits',
          false,
        );
      }
      const e = items.find((t) => t.name === parts[i]);
      if (!e || e.type !== (i === parts.length - 1 ? 'blob' : 'tree')) return null;
      oid = e.oid;
    }
    try {
      return this.store.blobInfoSync(oid, true).text;
    } catch (err) {
      throw objectError(err, oid, blobWhat(filepath, commit), 'files', false);
    }
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

/** How an error message names a tree: "root tree of commit 1a2b…" or "tree of src/io at commit 1a2b…". */
function treeWhat(dir: string, commit: string): string {
  return dir === '' ? `root tree of commit ${shortHash(commit)}` : `tree of ${dir.replace(/\/$/, '')} at commit ${shortHash(commit)}`;
}

/** How an error message names a blob: "blob of src/lib.rs at commit 1a2b…" (or just "blob" when unknown). */
function blobWhat(path: string, commit: string): string {
  return path && commit ? `blob of ${path} at commit ${shortHash(commit)}` : path ? `blob of ${path}` : 'blob';
}

/** extensions.partialClone or a promisor remote in the repository's config (git's own test for a partial clone). */
function isPartialClone(commondir: string): boolean {
  let config: string;
  try {
    config = nodeFs.readFileSync(`${commondir}/config`, 'utf8');
  } catch {
    return false;
  }
  return /^\s*partialclone\s*=\s*\S/im.test(config) || /^\s*promisor\s*=\s*true\s*$/im.test(config);
}

/** 142 KB, 1,000 KB: sizes as a person reads them. */
function kb(bytes: number): string {
  return `${Math.ceil(bytes / 1000).toLocaleString('en-US')} KB`;
}

/** `-linguist-vendored` in .gitattributes un-vendors a path under vendor/ or node_modules/. */
function hasVendoredOverride(rules: readonly AttrRule[], p: string): boolean {
  return rules.some((r) => r.vendored === false && (r.base === '' || p.startsWith(r.base)) && r.re.test(p.slice(r.base.length)));
}

/** Which changed files a history walk reads: the path patterns, the languages, the size limit. */
function fileRules(opts: HistoryOptions): { filter: PathFilter; languages: Set<string> | null; maxBytes: number } {
  return {
    filter: new PathFilter(opts.include, opts.exclude),
    languages: opts.languages && opts.languages.length > 0 ? new Set(opts.languages) : null,
    maxBytes: opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
  };
}
