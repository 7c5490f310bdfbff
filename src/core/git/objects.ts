/**
 * Typed object access for the history engine, over the object database read directly (odb.ts):
 * - commits, trees and tags parsed once from the raw bytes (parse.ts), no intermediate copies;
 * - raw trees and pack delta bases cached in byte-bounded LRUs, classified blobs in a fixed ring of
 *   their bytes (each blob read once per run while it stays in the cache): memory stays bounded on
 *   long histories.
 * isomorphic-git still resolves refs (CachedFs answers its file reads).
 */
import { BlobCache } from './blobcache';
import { classifyBlob, type BlobInfo } from './classify';
import { GitError, isNotFound } from './errors';
import { CachedFs } from './fs';
import { Lru } from './lru';
import { ObjectDatabase, type RawObject } from './odb';
import { ObjectFormatError, parseCommit, parseTagTarget, parseTree, type ParsedCommit, type TreeItem } from './parse';

export type { ParsedCommit, TreeItem } from './parse';

export interface CacheBudget {
  /** Blob cache: a ring of the texts' UTF-8 bytes (see blobcache.ts). Default 64 MiB. */
  blobBytes?: number;
  /** Raw tree object cache (bytes). Default 16 MiB. */
  treeBytes?: number;
  /** Pack delta-base cache (bytes). Default 32 MiB. */
  deltaBaseBytes?: number;
}

/** Which unreadable blobs blobInfo classifies as 'missing-object' instead of throwing. */
export interface Tolerance {
  /** Objects not in the repository. */
  missing: boolean;
  /** Objects that are there but damaged. */
  corrupt: boolean;
}

export interface ObjectCounters {
  blobsRead: number;
  blobCacheHits: number;
  treesRead: number;
  commitsRead: number;
}

export interface StoreOptions {
  cache?: CacheBudget;
  /** For a linked worktree: the main git dir, which holds the objects and shared refs (default: gitdir). */
  commondir?: string;
  /** Which unreadable blobs are classified 'missing-object' (cached) instead of throwing. */
  tolerate?: Tolerance;
  /** The SHA-1 object id check for every object (see odb.ts). */
  checkIds?: boolean;
}

export class ObjectStore {
  private readonly tolerate: Tolerance;
  readonly fs: CachedFs;
  readonly odb: ObjectDatabase;
  private readonly trees: Lru<string, Buffer>;
  private readonly blobs: BlobCache;
  readonly counters: ObjectCounters = { blobsRead: 0, blobCacheHits: 0, treesRead: 0, commitsRead: 0 };

  constructor(
    readonly gitdir: string,
    options: StoreOptions = {},
  ) {
    this.tolerate = options.tolerate ?? { missing: false, corrupt: false };
    const commondir = options.commondir ?? gitdir;
    this.fs = new CachedFs(gitdir, commondir);
    this.odb = new ObjectDatabase(commondir, options.cache?.deltaBaseBytes ?? 32 << 20, options.checkIds === true);
    this.trees = new Lru(options.cache?.treeBytes ?? 16 << 20, (t) => 64 + t.length);
    this.blobs = new BlobCache(options.cache?.blobBytes ?? 64 << 20);
  }

  /** A commit (annotated tags are peeled); `info.hash` is the commit's own oid. */
  async readCommit(oid: string): Promise<ParsedCommit> {
    let o: RawObject = this.odb.read(oid, true);
    for (let hops = 0; o.type === 'tag'; hops++) {
      if (hops > 16) throw new ObjectFormatError(`Tag ${oid} does not lead to a commit.`);
      oid = parseTagTarget(o.data, oid);
      o = this.odb.read(oid, true);
    }
    if (o.type !== 'commit') throw new ObjectFormatError(`it is a ${o.type}, not a commit`);
    this.counters.commitsRead++;
    return parseCommit(o.data, oid);
  }

  /** A tree object's raw bytes (cached; a commit oid reads its tree). Do not modify the buffer. */
  treeBytes(oid: string): Buffer {
    const hit = this.trees.get(oid);
    if (hit) return hit;
    let o = this.odb.read(oid);
    if (o.type === 'commit') o = this.odb.read(parseCommit(o.data, oid).tree);
    if (o.type !== 'tree') throw new ObjectFormatError(`it is a ${o.type}, not a tree`);
    this.counters.treesRead++;
    this.trees.set(oid, o.data);
    return o.data;
  }

  /** A tree's entries in name order. */
  async readTree(oid: string): Promise<TreeItem[]> {
    return parseTree(this.treeBytes(oid));
  }

  /** A blob's bytes. The buffer may be shared with the delta-base cache: do not modify it. */
  async readBlob(oid: string): Promise<Uint8Array> {
    const o = this.odb.read(oid);
    if (o.type !== 'blob') throw new ObjectFormatError(`it is a ${o.type}, not a blob`);
    return o.data;
  }

  /**
   * A blob classified (text or why not), read at most once while cached. An unreadable blob throws
   * the read error (ObjectNotFoundError, ObjectFormatError), or when tolerated (and not `strict`) is
   * 'missing-object'; a damaged pack's GitError always throws.
   */
  async blobInfo(oid: string, strict = false): Promise<BlobInfo> {
    return this.blobInfoSync(oid, strict);
  }

  blobInfoSync(oid: string, strict = false): BlobInfo {
    const hit = this.blobs.get(oid);
    if (hit && !(strict && hit.reason === 'missing-object')) {
      this.counters.blobCacheHits++;
      return hit;
    }
    let info: BlobInfo;
    this.counters.blobsRead++;
    try {
      const o = this.odb.read(oid, true);
      if (o.type !== 'blob') throw new ObjectFormatError(`it is a ${o.type}, not a blob`);
      info = classifyBlob(o.data);
      this.blobs.set(oid, info, o.data);
    } catch (err) {
      if (strict || err instanceof GitError || !(isNotFound(err) ? this.tolerate.missing : this.tolerate.corrupt)) throw err;
      info = { size: 0, text: null, reason: 'missing-object', minified: false, generatedMarker: false };
      this.blobs.set(oid, info, null);
    }
    return info;
  }

  /** Drops cached objects and closes pack files (not the filesystem lookups). */
  clear(): void {
    this.trees.clear();
    this.blobs.clear();
    this.odb.close();
  }

  get cachedBytes(): { blobs: number; trees: number; deltaBases: number } {
    return { blobs: this.blobs.bytes, trees: this.trees.bytes, deltaBases: this.odb.cachedBaseBytes };
  }
}
