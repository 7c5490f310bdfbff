/**
 * The object database read directly: packs (see pack.ts) and loose objects, inflated with Node's
 * zlib, deltas resolved with a byte-bounded LRU of delta bases (like git's delta_base_cache).
 * Synchronous on purpose: every read is a few positional reads and one inflate, and awaiting a
 * promise per object costs more than the read itself. The repository does not change during a run.
 *
 * Every object is checked before it is returned: zlib's adler32 and the inflated size, and then either
 * - the CRC-32 of every pack entry it is rebuilt from (bases and deltas, each entry once per run),
 *   against the .idx v2, where git recorded them when it made the pack and hashed every object; or
 * - its object id: the SHA-1 of "<type> <size>\0" + content must be the oid asked for. This is done
 *   for loose objects, objects of v1-index packs and loose REF_DELTA bases (no CRC), and for every
 *   object with `checkIds`, which costs noticeably more history time than the CRCs
 *   (README, Benchmarks: the tuned limits).
 * A damaged object is an ObjectFormatError naming the pack entry or loose file; a damaged pack or
 * index is a GitError.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { applyDelta } from './delta';
import { GitError } from './errors';
import { inflate, inflateInto, inflateOwned } from './inflate';
import { Lru } from './lru';
import { OBJ_BLOB, OBJ_COMMIT, OBJ_OFS_DELTA, OBJ_REF_DELTA, OBJ_TAG, OBJ_TREE, PackFile } from './pack';
import { ObjectFormatError } from './parse';

export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';

export interface RawObject {
  type: ObjectType;
  /** The object's content. May be shared with the delta-base cache: never modify it. */
  data: Buffer;
}

const TYPES: Record<number, ObjectType> = { [OBJ_COMMIT]: 'commit', [OBJ_TREE]: 'tree', [OBJ_BLOB]: 'blob', [OBJ_TAG]: 'tag' };

/** Thrown for an object that is in no pack and not loose (code 'NotFoundError', like isomorphic-git). */
export class ObjectNotFoundError extends Error {
  readonly code = 'NotFoundError';
  constructor(readonly oid: string) {
    super(`Could not find ${oid}.`);
  }
}

interface Cached {
  type: number;
  data: Buffer;
}

const HEADERS: Record<number, string> = { [OBJ_COMMIT]: 'commit ', [OBJ_TREE]: 'tree ', [OBJ_BLOB]: 'blob ', [OBJ_TAG]: 'tag ' };

export class ObjectDatabase {
  private packs: PackFile[] | null = null;
  /** The objects folder and, after it, those named in its info/alternates (one level). */
  private readonly objectDirs: string[];
  private readonly loose: Array<Map<string, Set<string>>>;
  private readonly bases: Lru<number, Cached>;
  /** Where the object being read lives (for error messages): a pack and offset, or a loose file. */
  private atPack: PackFile | null = null;
  private atOffset = 0;
  private atLoose = '';
  /** Pack entries inflated (objects and delta data), for tests and benchmarks. */
  entriesInflated = 0;

  /**
   * `dir` is the git dir holding `objects` (for a linked worktree: the common dir). `checkIds`: the
   * SHA-1 check for every object, instead of the pack entries' CRC-32s.
   */
  constructor(
    dir: string,
    deltaBaseBytes = 32 << 20,
    readonly checkIds = false,
  ) {
    const objects = dir.replace(/\/+$/, '') + '/objects';
    this.objectDirs = [objects, ...alternates(objects)];
    this.loose = this.objectDirs.map(() => new Map());
    this.bases = new Lru(deltaBaseBytes, (o) => 64 + o.data.length);
  }

  /**
   * Reads an object by full oid. Throws ObjectNotFoundError, an ObjectFormatError naming the damaged
   * entry or file, or a GitError for a damaged pack or index. With `transient`, the data may live in
   * a scratch buffer that the next read overwrites: for objects that are decoded right away and not
   * kept (blobs turned into text, commits).
   */
  read(oid: string, transient = false): RawObject {
    this.atPack = null;
    this.atLoose = '';
    try {
      const o = this.readAny(oid, 0, transient);
      if (!this.crcChecked()) this.checkId(oid, o);
      return { type: TYPES[o.type], data: o.data };
    } catch (err) {
      throw this.located(err, oid);
    }
  }

  /** Whether the object just read was checked by its pack entries' CRCs (else its id is checked). */
  private crcChecked(): boolean {
    return !this.checkIds && this.atPack !== null && this.atPack.checksEntries;
  }

  /** The SHA-1 of the object's header and content must be its oid: wrong bytes are never returned. */
  private checkId(oid: string, o: Cached): void {
    const h = crypto.createHash('sha1');
    h.update(HEADERS[o.type] + o.data.length + '\0', 'latin1');
    const got = h.update(o.data).digest('hex');
    if (got !== oid) throw new ObjectFormatError(`its content hashes to ${got}, not to its id`);
  }

  /** A read error with where the object lives; missing objects and damaged packs pass as they are. */
  private located(err: unknown, oid: string): unknown {
    if (err instanceof ObjectNotFoundError || err instanceof GitError) return err;
    const where = this.atPack ? `pack ${this.atPack.packPath}, entry at offset ${this.atOffset}` : this.atLoose ? `loose object file ${this.atLoose}` : `object ${oid}`;
    return new ObjectFormatError(`${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }

  private scratch = Buffer.allocUnsafeSlow(64 * 1024);

  /**
   * An object's size in bytes without inflating all of it (a delta's result size is in its first bytes); -1 when
   * there is no such object. For planning: a damaged object is found when a shard reads it.
   */
  sizeOf(oid: string): number {
    const packs = this.packList();
    for (const pack of packs) {
      const off = pack.find(oid);
      if (off < 0) continue;
      const e = pack.entry(off);
      if (e.type !== OBJ_OFS_DELTA && e.type !== OBJ_REF_DELTA) return e.size;
      // the delta's header: the base's size, then the result's, as little-endian base-128 numbers
      const head = zlib.inflateSync(e.bytes.subarray(e.dataStart, e.dataStart + 64), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      let i = 0;
      while (i < head.length && head[i] & 0x80) i++;
      let size = 0;
      for (let shift = 0, j = i + 1; j < head.length && shift < 53; j++, shift += 7) {
        size += (head[j] & 0x7f) * 2 ** shift;
        if (!(head[j] & 0x80)) break;
      }
      return size;
    }
    if (!/^[0-9a-f]{40}$/.test(oid)) return -1;
    for (let d = 0; d < this.objectDirs.length; d++) {
      if (!this.looseNames(d, oid.slice(0, 2)).has(oid.slice(2))) continue;
      const head = zlib.inflateSync(fs.readFileSync(`${this.objectDirs[d]}/${oid.slice(0, 2)}/${oid.slice(2)}`).subarray(0, 64), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      return Number(/^[a-z]+ (\d+)/.exec(head.toString('latin1', 0, 32))?.[1] ?? -1);
    }
    return -1;
  }

  /** A scratch output buffer of at least `size + 1` bytes (very large objects get their own). */
  private scratchFor(size: number): Buffer {
    if (size + 1 > 16 << 20) return Buffer.allocUnsafeSlow(size + 1);
    if (this.scratch.length < size + 1) this.scratch = Buffer.allocUnsafeSlow(Math.max(size + 1, this.scratch.length * 2));
    return this.scratch;
  }

  /** The one object whose oid starts with `prefix` (4+ hex digits); null when none; throws when ambiguous. */
  expand(prefix: string): string | null {
    const p = prefix.toLowerCase();
    if (!/^[0-9a-f]{4,40}$/.test(p)) return null;
    const found = new Set<string>();
    for (const pack of this.packList()) for (const oid of pack.matching(p)) found.add(oid);
    for (let d = 0; d < this.objectDirs.length; d++) {
      for (const name of this.looseNames(d, p.slice(0, 2))) if ((p.slice(0, 2) + name).startsWith(p)) found.add(p.slice(0, 2) + name);
    }
    if (found.size > 1) throw new ObjectFormatError(`"${prefix}" is ambiguous: ${[...found].sort().slice(0, 3).join(', ')}…`);
    return found.size === 1 ? [...found][0] : null;
  }

  get cachedBaseBytes(): number {
    return this.bases.bytes;
  }

  close(): void {
    for (const p of this.packs ?? []) p.close();
    this.packs = null;
    for (const m of this.loose) m.clear();
    this.bases.clear();
  }

  private readAny(oid: string, depth: number, transient = false): Cached {
    if (depth > 64) throw new ObjectFormatError(`delta chain through ${oid} is too deep (a cycle?)`);
    const packs = this.packList();
    for (let i = 0; i < packs.length; i++) {
      const off = packs[i].find(oid);
      if (off >= 0) return this.readPacked(i, off, depth, transient);
    }
    if (/^[0-9a-f]{40}$/.test(oid)) {
      for (let d = 0; d < this.objectDirs.length; d++) if (this.looseNames(d, oid.slice(0, 2)).has(oid.slice(2))) return this.readLoose(d, oid);
    }
    throw new ObjectNotFoundError(oid);
  }

  private readPacked(packNo: number, offset: number, depth: number, transient: boolean): Cached {
    const pack = this.packs![packNo];
    const key = (off: number) => packNo * 2 ** 44 + off;
    // Walk down the delta chain to a cached or whole base, remembering the delta entries' offsets.
    const chain: number[] = [];
    let base: Cached | undefined;
    let cur = offset;
    for (;;) {
      const hit = this.bases.get(key(cur));
      if (hit) {
        base = hit;
        break;
      }
      this.at(pack, cur);
      const e = pack.entry(cur);
      if (e.type === OBJ_OFS_DELTA || e.type === OBJ_REF_DELTA) {
        chain.push(cur);
        if (e.type === OBJ_REF_DELTA) {
          base = this.refBase(e.baseOid!, depth);
          break;
        }
        cur = e.baseOffset!;
        if (chain.length > 100_000) throw new ObjectFormatError('delta chain loop');
      } else {
        this.entriesInflated++;
        const input = e.bytes.subarray(e.dataStart);
        const keep = !transient || chain.length > 0;
        base = { type: e.type, data: keep ? inflateOwned(input, e.size) : inflateInto(input, e.size, this.scratchFor(e.size)) };
        if (chain.length > 0) this.bases.set(key(cur), base);
        break;
      }
    }
    // Then apply the deltas upwards; every intermediate result is a base worth caching.
    for (let i = chain.length - 1; i >= 0; i--) {
      this.at(pack, chain[i]);
      const e = pack.entry(chain[i]);
      this.entriesInflated++;
      if (this.deltaScratch.length < e.size + 1) this.deltaScratch = Buffer.allocUnsafeSlow(Math.max(e.size + 1, this.deltaScratch.length * 2));
      const delta = inflateInto(e.bytes.subarray(e.dataStart), e.size, this.deltaScratch);
      const last = i === 0;
      base = { type: base.type, data: applyDelta(base.data, delta, last && transient ? (n) => this.scratchFor(n) : undefined) };
      if (!last) this.bases.set(key(chain[i]), base);
    }
    if (this.deltaScratch.length > 16 << 20) this.deltaScratch = Buffer.allocUnsafeSlow(64 * 1024);
    this.at(pack, offset);
    return base;
  }

  private at(pack: PackFile, offset: number): void {
    this.atPack = pack;
    this.atOffset = offset;
  }

  /** A REF_DELTA's base (any pack or loose); a missing base means this entry cannot be rebuilt. */
  private refBase(oid: string, depth: number): Cached {
    const pack = this.atPack;
    const offset = this.atOffset;
    try {
      const base = this.readAny(oid, depth + 1);
      if (!this.crcChecked()) this.checkId(oid, base); // a loose base: no CRC
      return base;
    } catch (err) {
      if (!(err instanceof ObjectNotFoundError)) throw err;
      this.atPack = pack;
      this.atOffset = offset;
      throw new ObjectFormatError(`its delta base ${oid} is missing`);
    }
  }

  private deltaScratch = Buffer.allocUnsafeSlow(64 * 1024);

  private readLoose(dir: number, oid: string): Cached {
    const file = `${this.objectDirs[dir]}/${oid.slice(0, 2)}/${oid.slice(2)}`;
    this.atPack = null;
    this.atLoose = file;
    const raw = inflate(fs.readFileSync(file));
    const nul = raw.indexOf(0);
    const header = nul > 0 ? raw.toString('latin1', 0, nul) : '';
    const m = /^(commit|tree|blob|tag) (\d+)$/.exec(header);
    if (!m) throw new ObjectFormatError('bad object header');
    const data = raw.subarray(nul + 1);
    if (data.length !== Number(m[2])) throw new ObjectFormatError(`${data.length} bytes, its header says ${m[2]}`);
    const type = { commit: OBJ_COMMIT, tree: OBJ_TREE, blob: OBJ_BLOB, tag: OBJ_TAG }[m[1] as ObjectType];
    return { type, data };
  }

  private packList(): PackFile[] {
    if (this.packs) return this.packs;
    const packs: PackFile[] = [];
    for (const objects of this.objectDirs) {
      const dir = `${objects}/pack`;
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        names = [];
      }
      const present = new Set(names);
      for (const n of names.filter((x) => x.endsWith('.idx') && present.has(x.slice(0, -4) + '.pack')).sort()) {
        packs.push(new PackFile(`${dir}/${n}`, `${dir}/${n.slice(0, -4)}.pack`, !this.checkIds));
      }
    }
    this.packs = packs;
    return packs;
  }

  private looseNames(dir: number, fanout: string): Set<string> {
    let set = this.loose[dir].get(fanout);
    if (!set) {
      try {
        set = new Set(fs.readdirSync(`${this.objectDirs[dir]}/${fanout}`));
      } catch {
        set = new Set();
      }
      this.loose[dir].set(fanout, set);
    }
    return set;
  }
}

/**
 * The object folders named in `objects/info/alternates` (absolute, or relative to `objects`), as
 * `git clone --shared` / `--reference` write them; their own alternates are not followed (one level).
 */
function alternates(objects: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(`${objects}/info/alternates`, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const dir = path.resolve(objects, line).split(path.sep).join('/');
    if (dir !== objects && !out.includes(dir)) out.push(dir);
  }
  return out;
}
