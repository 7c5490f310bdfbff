/**
 * Decontamination against benchmarks the user supplies (`--decontaminate FILE…`): an example that shares a sequence
 * of NGRAM words with any text of a benchmark file is dropped, as Qwen2.5-Coder did (10-gram word overlap with
 * HumanEval, MBPP, …). A file is JSON Lines; every string in a row (prompt, solution, tests, at any depth) with at
 * least NGRAM words is a benchmark text. Words are runs of letters, digits and `_` (punctuation and layout ignored).
 * Each window of NGRAM word hashes is kept as one 53-bit key (two 32-bit polynomial hashes), so memory is 8 bytes
 * per benchmark word whatever the text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { UsageError } from '../errors';

export const NGRAM = 10;
const MAX_FILE_BYTES = 512 << 20;
const WORD = /[\p{L}\p{N}_]+/gu;

function wordHashes(text: string): Uint32Array {
  const out: number[] = [];
  for (const m of text.matchAll(WORD)) {
    let h = 0x811c9dc5;
    const w = m[0];
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
    out.push(h >>> 0);
  }
  return Uint32Array.from(out);
}

/** Calls `fn` with the key of every window of NGRAM consecutive words; stops when it returns true. */
function eachGram(words: Uint32Array, fn: (key: number) => boolean | void): boolean {
  for (let i = 0; i + NGRAM <= words.length; i++) {
    let a = 0;
    let b = 0;
    for (let k = i; k < i + NGRAM; k++) {
      a = (Math.imul(a, 0x9e3779b1) + words[k]) >>> 0;
      b = (Math.imul(b, 0x85ebca77) + (words[k] ^ 0x5bd1e995)) >>> 0;
    }
    if (fn(a * 2 ** 21 + (b >>> 11))) return true;
  }
  return false;
}

function stringsOf(v: unknown, out: string[]): void {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringsOf(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) stringsOf(x, out);
}

export class Decontaminator {
  private readonly grams = new Set<number>();
  /** Each file's sha256 (the run's key: a changed benchmark file means a rebuild). */
  readonly sha256: string[] = [];
  /** Benchmark texts read (with at least NGRAM words). */
  texts = 0;

  /** Reads the benchmark files; a missing or malformed one is a usage error naming it. */
  static load(files: readonly string[]): Decontaminator {
    const d = new Decontaminator();
    for (const f of files) d.add(f);
    return d;
  }

  private add(file: string): void {
    const abs = path.resolve(file);
    let buf: Buffer;
    try {
      if (fs.statSync(abs).size > MAX_FILE_BYTES) throw new UsageError(`--decontaminate: ${file} is larger than ${MAX_FILE_BYTES >> 20} MB`);
      buf = fs.readFileSync(abs);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`--decontaminate: ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    this.sha256.push(createHash('sha256').update(buf).digest('hex'));
    const lines = buf.toString('utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        throw new UsageError(`--decontaminate: ${file} line ${i + 1} is not JSON (expected JSON Lines of prompts and solutions)`);
      }
      const texts: string[] = [];
      stringsOf(row, texts);
      for (const t of texts) {
        const w = wordHashes(t);
        if (w.length < NGRAM) continue;
        this.texts++;
        eachGram(w, (k) => void this.grams.add(k));
      }
    });
  }

  /** Whether `text` shares NGRAM consecutive words with a benchmark text. */
  contaminated(text: string): boolean {
    if (this.grams.size === 0) return false;
    return eachGram(wordHashes(text), (k) => this.grams.has(k));
  }
}
