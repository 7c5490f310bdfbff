/**
 * Incremental cache under `<repo>/.commit-corpus/cache/` (the tool writes `.commit-corpus/.gitignore` = `*`).
 *   chunks-<key>/<commit>.json   the commit's info + chunk records (before redaction), keyed by chunk settings
 *   tokens-<key>/<commit>.json   token ids of the commit's serialized example(s), validated by a content hash
 *   last-run.json                what the last run wrote (HEAD, settings key, output manifest sha256)
 * Writes are atomic (temp file + rename); an unreadable entry is a miss, never an error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export class Cache {
  readonly root: string;

  constructor(readonly base: string, readonly enabled: boolean) {
    this.root = path.join(base, 'cache');
    if (enabled) {
      fs.mkdirSync(this.root, { recursive: true });
      const gi = path.join(base, '.gitignore');
      if (!fs.existsSync(gi)) fs.writeFileSync(gi, '*\n');
    }
  }

  private file(ns: string, key: string, ext = '.json'): string {
    return path.join(this.root, ns, `${key}${ext}`);
  }

  get<T>(ns: string, key: string): T | undefined {
    if (!this.enabled) return undefined;
    try {
      return JSON.parse(fs.readFileSync(this.file(ns, key), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  getBytes(ns: string, key: string): Buffer | undefined {
    if (!this.enabled) return undefined;
    try {
      return fs.readFileSync(this.file(ns, key, '.bin'));
    } catch {
      return undefined;
    }
  }

  putBytes(ns: string, key: string, value: Uint8Array): void {
    if (!this.enabled) return;
    const f = this.file(ns, key, '.bin');
    fs.mkdirSync(path.dirname(f), { recursive: true });
    const tmp = `${f}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, value);
    fs.renameSync(tmp, f);
  }

  hasBytes(ns: string, key: string): boolean {
    return this.enabled && fs.existsSync(this.file(ns, key, '.bin'));
  }

  has(ns: string, key: string): boolean {
    return this.enabled && fs.existsSync(this.file(ns, key));
  }

  put(ns: string, key: string, value: unknown): void {
    this.putJson(ns, key, JSON.stringify(value));
  }

  /** put() of a value already serialized (a chunk thread's entry, written by the main thread). */
  putJson(ns: string, key: string, json: string): void {
    if (!this.enabled) return;
    const f = this.file(ns, key);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    const tmp = `${f}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, json);
    fs.renameSync(tmp, f);
  }
}
