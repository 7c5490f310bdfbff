/**
 * Incremental cache under `<repo>/.commit-corpus/cache/` (the tool writes `.commit-corpus/.gitignore` = `*`).
 *   chunks-<key>/<commit>.json   the commit's info + chunk records (already redacted), keyed by chunk settings
 *   tokens-<key>/<commit>.bin    token ids of the commit's serialized example(s), validated by a content hash
 *   last-run.json                what the last run wrote (HEAD, settings key, output manifest sha256)
 *
 * Every entry starts with a header that carries its length and CRC-32, and a reader may add a check of its
 * own (the entry is for the key it is filed under): a truncated, damaged or foreign entry is a miss that the
 * caller recomputes, never an error and never trusted. Writes are atomic (temp file + rename). A cache that
 * cannot be written (read-only, full, no permission) is reported once through `onProblem` and the run goes
 * on without writing to it.
 *
 * A cache may have read-only layers (a sharded build's merge reads the entries its shards wrote): an entry is
 * looked up in the cache itself, then in the first layer that holds it (each layer's folder of a namespace is
 * listed once); writes go to the cache itself only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { fsProblem } from '../errors';

/** `CCE1 <crc32 hex> <byte length>\n`, then the entry's bytes. */
const MAGIC = 'CCE1';
const HEADER_BYTES = MAGIC.length + 1 + 8 + 1 + 12 + 1;

function header(body: Uint8Array): Buffer {
  return Buffer.from(`${MAGIC} ${zlib.crc32(body).toString(16).padStart(8, '0')} ${String(body.length).padStart(12, '0')}\n`, 'latin1');
}

/** The entry's bytes after a valid header, or undefined. */
function body(file: Buffer): Buffer | undefined {
  if (file.length < HEADER_BYTES || file.toString('latin1', 0, MAGIC.length) !== MAGIC || file[HEADER_BYTES - 1] !== 10) return undefined;
  const crc = parseInt(file.toString('latin1', MAGIC.length + 1, MAGIC.length + 9), 16);
  const len = Number(file.toString('latin1', MAGIC.length + 10, HEADER_BYTES - 1));
  const b = file.subarray(HEADER_BYTES);
  return b.length === len && zlib.crc32(b) === crc ? b : undefined;
}

export class Cache {
  readonly root: string;
  private writable: boolean;
  /** The layers' cache folders (read-only). */
  private readonly layers: string[];
  /** Per namespace: each entry file the layers hold → the first layer's folder holding it. */
  private readonly layerIndex = new Map<string, Map<string, string>>();

  constructor(
    readonly base: string,
    readonly enabled: boolean,
    private readonly onProblem: (message: string) => void = () => {},
    /** Bases of read-only caches (their `cache/` folders) looked up after this one. */
    layers: readonly string[] = [],
  ) {
    this.root = path.join(base, 'cache');
    this.layers = layers.map((l) => path.join(l, 'cache'));
    this.writable = enabled;
    if (!enabled) return;
    try {
      fs.mkdirSync(this.root, { recursive: true });
      const gi = path.join(base, '.gitignore');
      if (!fs.existsSync(gi)) fs.writeFileSync(gi, '*\n');
    } catch (e) {
      this.failed(e);
    }
  }

  private file(ns: string, key: string, ext = '.json', root = this.root): string {
    return path.join(root, ns, `${key}${ext}`);
  }

  /** The layer folder holding the entry file `name` of `ns`, if any. */
  private layerOf(ns: string, name: string): string | undefined {
    if (!this.layers.length) return undefined;
    let index = this.layerIndex.get(ns);
    if (!index) {
      index = new Map();
      for (const layer of this.layers) {
        let names: string[] = [];
        try {
          names = fs.readdirSync(path.join(layer, ns));
        } catch {
          /* this layer has no entry of the namespace */
        }
        for (const n of names) if (!index.has(n)) index.set(n, layer);
      }
      this.layerIndex.set(ns, index);
    }
    return index.get(name);
  }

  private readFile(f: string): Buffer | undefined {
    try {
      return body(fs.readFileSync(f));
    } catch {
      return undefined;
    }
  }

  /** The intact entry of the cache itself, else of the layer that holds it. */
  private read(ns: string, key: string, ext = '.json'): Buffer | undefined {
    if (!this.enabled) return undefined;
    const own = this.readFile(this.file(ns, key, ext));
    if (own) return own;
    const layer = this.layerOf(ns, `${key}${ext}`);
    return layer ? this.readFile(this.file(ns, key, ext, layer)) : undefined;
  }

  private exists(ns: string, key: string, ext = '.json'): boolean {
    return this.enabled && (fs.existsSync(this.file(ns, key, ext)) || this.layerOf(ns, `${key}${ext}`) !== undefined);
  }

  /** The entry, when it is intact and passes `valid` (default: any JSON). */
  get<T>(ns: string, key: string, valid: (v: T) => boolean = () => true): T | undefined {
    const b = this.read(ns, key);
    if (!b) return undefined;
    try {
      const v = JSON.parse(b.toString('utf8')) as T;
      return v !== null && typeof v === 'object' && valid(v) ? v : undefined;
    } catch {
      return undefined;
    }
  }

  getBytes(ns: string, key: string): Buffer | undefined {
    return this.read(ns, key, '.bin');
  }

  hasBytes(ns: string, key: string): boolean {
    return this.exists(ns, key, '.bin');
  }

  /** An entry file exists (it may still turn out damaged when read: get() then misses). */
  has(ns: string, key: string): boolean {
    return this.exists(ns, key);
  }

  put(ns: string, key: string, value: unknown): void {
    this.putJson(ns, key, JSON.stringify(value));
  }

  /** put() of a value already serialized (a chunk thread's entry, written by the main thread). */
  putJson(ns: string, key: string, json: string): void {
    this.write(this.file(ns, key), Buffer.from(json, 'utf8'));
  }

  putBytes(ns: string, key: string, value: Uint8Array): void {
    this.write(this.file(ns, key, '.bin'), value);
  }

  private write(f: string, data: Uint8Array): void {
    if (!this.writable) return;
    const tmp = `${f}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(tmp, Buffer.concat([header(data), data]));
      fs.renameSync(tmp, f);
    } catch (e) {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        /* the same file system refused the write */
      }
      this.failed(e);
    }
  }

  private failed(e: unknown): void {
    if (!this.writable) return;
    this.writable = false;
    this.onProblem(`cache: ${fsProblem(e, this.root)}; this run goes on without writing the cache`);
  }
}
