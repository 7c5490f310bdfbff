/**
 * The object database read directly: packs (see pack.ts) and loose objects, inflated with Node's
 * zlib, deltas resolved with a byte-bounded LRU of delta bases (like git's delta_base_cache).
 * Synchronous on purpose: every read is a few positional reads and one inflate, and awaiting a
 * promise per object costs more than the read itself. The repository does not change during a run.
 */
import * as fs from 'node:fs';
import { applyDelta } from './delta';
import { inflate } from './inflate';
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

export class ObjectDatabase {
  private packs: PackFile[] | null = null;
  private readonly loose = new Map<string, Set<string>>();
  private readonly bases: Lru<number, Cached>;
  private readonly objectsDir: string;
  /** Pack entries inflated (objects and delta data), for tests and benchmarks. */
  entriesInflated = 0;

  constructor(gitdir: string, deltaBaseBytes = 32 << 20) {
    this.objectsDir = gitdir.replace(/\/+$/, '') + '/objects';
    this.bases = new Lru(deltaBaseBytes, (o) => 64 + o.data.length);
  }

  /** Reads an object by full oid. Throws ObjectNotFoundError, or ObjectFormatError / a zlib error when corrupt. */
  read(oid: string): RawObject {
    const o = this.readAny(oid, 0);
    return { type: TYPES[o.type], data: o.data };
  }

  /** True when the object is in a pack or loose (without reading it). */
  has(oid: string): boolean {
    for (const p of this.packList()) if (p.find(oid) >= 0) return true;
    return this.looseNames(oid.slice(0, 2)).has(oid.slice(2));
  }

  get cachedBaseBytes(): number {
    return this.bases.bytes;
  }

  close(): void {
    for (const p of this.packs ?? []) p.close();
    this.packs = null;
    this.loose.clear();
    this.bases.clear();
  }

  private readAny(oid: string, depth: number): Cached {
    if (depth > 64) throw new ObjectFormatError(`Delta chain through ${oid} is too deep (a cycle?).`);
    const packs = this.packList();
    for (let i = 0; i < packs.length; i++) {
      const off = packs[i].find(oid);
      if (off >= 0) return this.readPacked(i, off, depth);
    }
    if (/^[0-9a-f]{40}$/.test(oid) && this.looseNames(oid.slice(0, 2)).has(oid.slice(2))) return this.readLoose(oid);
    throw new ObjectNotFoundError(oid);
  }

  private readPacked(packNo: number, offset: number, depth: number): Cached {
    const pack = this.packs![packNo];
    const key = (off: number) => packNo * 2 ** 44 + off;
    const deltas: Buffer[] = [];
    const offsets: number[] = [];
    let base: Cached | undefined;
    let cur = offset;
    for (;;) {
      const hit = this.bases.get(key(cur));
      if (hit) {
        base = hit;
        break;
      }
      const e = pack.entry(cur, true);
      const data = this.inflateEntry(e.bytes.subarray(e.dataStart), e.size, pack.packPath, cur);
      if (e.type === OBJ_OFS_DELTA) {
        deltas.push(data);
        offsets.push(cur);
        cur = e.baseOffset!;
        if (deltas.length > 100_000) throw new ObjectFormatError(`${pack.packPath}: delta chain loop at ${offset}.`);
      } else if (e.type === OBJ_REF_DELTA) {
        deltas.push(data);
        offsets.push(cur);
        base = this.readAny(e.baseOid!, depth + 1);
        break;
      } else {
        base = { type: e.type, data };
        if (deltas.length > 0) this.bases.set(key(cur), base);
        break;
      }
    }
    for (let i = deltas.length - 1; i >= 0; i--) {
      base = { type: base.type, data: applyDelta(base.data, deltas[i]) };
      if (i > 0) this.bases.set(key(offsets[i]), base);
    }
    return base;
  }

  private inflateEntry(input: Buffer, size: number, where: string, offset: number): Buffer {
    this.entriesInflated++;
    const out = inflate(input, size);
    if (out.length !== size) throw new ObjectFormatError(`${where}: entry at ${offset} inflates to ${out.length} bytes, expected ${size}.`);
    return out;
  }

  private readLoose(oid: string): Cached {
    const file = `${this.objectsDir}/${oid.slice(0, 2)}/${oid.slice(2)}`;
    const raw = inflate(fs.readFileSync(file));
    const nul = raw.indexOf(0);
    const header = nul > 0 ? raw.toString('latin1', 0, nul) : '';
    const m = /^(commit|tree|blob|tag) (\d+)$/.exec(header);
    if (!m) throw new ObjectFormatError(`Loose object ${oid} has a bad header.`);
    const data = raw.subarray(nul + 1);
    if (data.length !== Number(m[2])) throw new ObjectFormatError(`Loose object ${oid} is truncated.`);
    const type = { commit: OBJ_COMMIT, tree: OBJ_TREE, blob: OBJ_BLOB, tag: OBJ_TAG }[m[1] as ObjectType];
    return { type, data };
  }

  private packList(): PackFile[] {
    if (this.packs) return this.packs;
    const dir = `${this.objectsDir}/pack`;
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir);
    } catch {
      names = [];
    }
    const present = new Set(names);
    this.packs = names
      .filter((n) => n.endsWith('.idx') && present.has(n.slice(0, -4) + '.pack'))
      .sort()
      .map((n) => new PackFile(`${dir}/${n}`, `${dir}/${n.slice(0, -4)}.pack`));
    return this.packs;
  }

  private looseNames(fanout: string): Set<string> {
    let set = this.loose.get(fanout);
    if (!set) {
      try {
        set = new Set(fs.readdirSync(`${this.objectsDir}/${fanout}`));
      } catch {
        set = new Set();
      }
      this.loose.set(fanout, set);
    }
    return set;
  }
}
