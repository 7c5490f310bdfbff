/**
 * Object access through isomorphic-git, used carefully:
 * - one shared isomorphic-git `cache` and one pre-built filesystem (CachedFs) for every call;
 * - Node's zlib plugged in for inflating (isomorphic-git calls `pako.inflate`, we route it to zlib);
 * - pack delta bases kept in a byte-bounded LRU instead of isomorphic-git's never-evicted offset cache;
 * - parsed trees and decoded blobs cached by oid in byte-bounded LRUs (each blob read once per run
 *   while it stays in the cache; memory stays bounded on long histories).
 */
import * as zlib from 'node:zlib';
import * as git from 'isomorphic-git';
import type { CommitInfo, Person } from '../types';
import { classifyBlob, type BlobInfo } from './classify';
import { CachedFs } from './fs';
import { Lru } from './lru';

export interface TreeItem {
  /** Entry name (one path component). */
  name: string;
  mode: string;
  oid: string;
  type: 'blob' | 'tree' | 'commit';
}

/** A parsed tree: its entries in git order and by name. */
export interface Tree {
  items: TreeItem[];
  byName: Map<string, TreeItem>;
  /** The `.gitattributes` blob entry, if any. */
  attributes?: TreeItem;
}

export interface ParsedCommit {
  info: CommitInfo;
  tree: string;
}

export interface CacheBudget {
  /** Decoded blob text cache (bytes, approx.). Default 64 MiB. */
  blobBytes?: number;
  /** Parsed tree cache (bytes, approx.). Default 16 MiB. */
  treeBytes?: number;
  /** Pack delta-base cache (bytes). Default 32 MiB. */
  deltaBaseBytes?: number;
}

export interface ObjectCounters {
  blobsRead: number;
  blobCacheHits: number;
  treesRead: number;
  commitsRead: number;
}

let zlibInstalled = false;

/**
 * isomorphic-git inflates with pako (pure JS) and has no inflate option, but it calls `pako.inflate(buffer)`
 * through the shared pako module object at call time, so that one function can be routed to Node's zlib.
 * zlib ignores bytes after the end of the deflate stream, exactly like pako (packed objects are inflated
 * from a view running to the end of the pack). Calls with options keep using pako.
 */
export function installZlibInflate(): boolean {
  if (zlibInstalled) return true;
  try {
    const pako = require('pako') as { inflate: (data: Uint8Array, opts?: unknown) => Uint8Array };
    const original = pako.inflate;
    if (typeof original !== 'function') return false;
    pako.inflate = (data: Uint8Array, opts?: unknown) =>
      opts === undefined ? zlib.inflateSync(data) : original(data, opts);
    zlibInstalled = true;
  } catch {
    zlibInstalled = false;
  }
  return zlibInstalled;
}

interface PackIndexLike {
  readSlice: (args: { start: number }) => Promise<{ type: string; object: Uint8Array; format?: string }>;
  offsetCache: unknown;
}

export class ObjectStore {
  readonly fs: CachedFs;
  /** The one isomorphic-git cache object shared by every call of this run. */
  private cache: Record<string | symbol, unknown> = {};
  private readonly trees: Lru<string, Tree>;
  private readonly blobs: Lru<string, BlobInfo>;
  private readonly deltaBases: Lru<string, { type: string; object: Uint8Array }>;
  private readonly instrumented = new WeakSet<object>();
  private packsSeen = 0;
  private uninstrumentedReads = 0;
  readonly counters: ObjectCounters = { blobsRead: 0, blobCacheHits: 0, treesRead: 0, commitsRead: 0 };

  constructor(
    readonly gitdir: string,
    budget: CacheBudget = {},
  ) {
    installZlibInflate();
    this.fs = new CachedFs(gitdir);
    this.trees = new Lru(budget.treeBytes ?? 16 << 20, (t) => 64 + t.items.length * 160);
    this.blobs = new Lru(budget.blobBytes ?? 64 << 20, (b) => 96 + (b.text?.length ?? 0));
    this.deltaBases = new Lru(budget.deltaBaseBytes ?? 32 << 20, (o) => 64 + o.object.length);
  }

  private get args() {
    return { fs: this.fs as unknown as git.CallbackFsClient, gitdir: this.gitdir, cache: this.cache };
  }

  async readCommit(oid: string): Promise<ParsedCommit> {
    const r = await git.readCommit({ ...this.args, oid });
    this.afterRead();
    this.counters.commitsRead++;
    const c = r.commit;
    const message = c.message ?? '';
    const nl = message.indexOf('\n');
    const subject = (nl < 0 ? message : message.slice(0, nl)).trim();
    const body = nl < 0 ? '' : message.slice(nl + 1).replace(/^\n+/, '').replace(/\s+$/, '');
    return {
      tree: c.tree,
      info: {
        hash: r.oid,
        parents: c.parent ?? [],
        author: person(c.author),
        committer: person(c.committer),
        subject,
        body,
        isMerge: (c.parent?.length ?? 0) > 1,
      },
    };
  }

  async readTree(oid: string): Promise<Tree> {
    const hit = this.trees.get(oid);
    if (hit) return hit;
    const r = await git.readTree({ ...this.args, oid });
    this.afterRead();
    this.counters.treesRead++;
    const items = r.tree.map((e) => ({ name: e.path, mode: normalizeMode(e.mode), oid: e.oid, type: e.type }));
    const byName = new Map<string, TreeItem>();
    for (const e of items) byName.set(e.name, e);
    const attrs = byName.get('.gitattributes');
    const tree: Tree = { items, byName, attributes: attrs?.type === 'blob' ? attrs : undefined };
    this.trees.set(oid, tree);
    return tree;
  }

  async readBlob(oid: string): Promise<Uint8Array> {
    const r = await git.readBlob({ ...this.args, oid });
    this.afterRead();
    return r.blob;
  }

  /** A blob classified (text or why not), read at most once while cached. Never throws for a missing blob. */
  async blobInfo(oid: string): Promise<BlobInfo> {
    const hit = this.blobs.get(oid);
    if (hit) {
      this.counters.blobCacheHits++;
      return hit;
    }
    let info: BlobInfo;
    try {
      const bytes = await this.readBlob(oid);
      this.counters.blobsRead++;
      info = classifyBlob(bytes);
    } catch (err) {
      info = { size: 0, text: null, reason: 'missing-object', minified: false, generatedMarker: false };
      this.counters.blobsRead++;
      void err;
    }
    this.blobs.set(oid, info);
    return info;
  }

  /** Drops cached objects (not the filesystem lookups). */
  clear(): void {
    this.trees.clear();
    this.blobs.clear();
    this.deltaBases.clear();
    this.cache = {};
    this.packsSeen = 0;
  }

  get cachedBytes(): { blobs: number; trees: number; deltaBases: number } {
    return { blobs: this.blobs.bytes, trees: this.trees.bytes, deltaBases: this.deltaBases.bytes };
  }

  /**
   * Replaces isomorphic-git's per-pack `offsetCache` (filled for deep deltas, never evicted) with our
   * bounded LRU of delta bases. If isomorphic-git's internals ever change shape, falls back to
   * recycling the whole cache object every few thousand reads, which also bounds memory.
   */
  private afterRead(): void {
    if (!this.packs || this.packsOf !== this.cache) {
      const sym = Object.getOwnPropertySymbols(this.cache).find((s) => s.description === 'PackfileCache');
      this.packs = sym ? (this.cache[sym] as Map<string, Promise<unknown>> | undefined) : undefined;
      this.packsOf = this.cache;
    }
    const packs = this.packs;
    if (!packs || packs.size === this.packsSeen) {
      if (packs && ++this.uninstrumentedReads > 20_000 && this.deltaBases.count === 0 && !this.anyInstrumented) {
        this.cache = {};
        this.packsSeen = 0;
        this.uninstrumentedReads = 0;
      }
      return;
    }
    this.packsSeen = packs.size;
    for (const [name, promise] of packs) {
      void promise.then((idx) => this.instrument(name, idx), () => undefined);
    }
  }

  private anyInstrumented = false;
  private packs: Map<string, Promise<unknown>> | undefined;
  private packsOf: object | undefined;

  private instrument(name: string, idx: unknown): void {
    const p = idx as PackIndexLike | undefined;
    if (!p || typeof p !== 'object' || this.instrumented.has(p) || typeof p.readSlice !== 'function') return;
    this.instrumented.add(p);
    this.anyInstrumented = true;
    const original = p.readSlice.bind(p);
    const bases = this.deltaBases;
    let depth = 0;
    p.offsetCache = new Proxy({}, { set: () => true, get: () => undefined });
    p.readSlice = async ({ start }) => {
      const key = `${name}:${start}`;
      if (depth > 0) {
        const hit = bases.get(key);
        if (hit) return { type: hit.type, format: 'content', object: hit.object };
      }
      depth++;
      try {
        const r = await original({ start });
        if (depth > 1) bases.set(key, { type: r.type, object: r.object });
        return r;
      } finally {
        depth--;
      }
    };
  }
}

function person(p: { name: string; email: string; timestamp: number; timezoneOffset: number }): Person {
  // isomorphic-git stores the offset like Date#getTimezoneOffset (minutes WEST of UTC); ours is minutes east.
  const east = -p.timezoneOffset;
  return { name: p.name, email: p.email, timestamp: p.timestamp, timezoneOffset: east === 0 ? 0 : east };
}

function normalizeMode(mode: string): string {
  return mode === '40000' ? '040000' : mode;
}
