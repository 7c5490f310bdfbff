/**
 * Parquet export throughput: the fast list-column path vs hyparquet-writer's generic column encoder,
 * on synthetic examples shaped like a tokio build (40,451 examples, contextWindow 2048, targetWindow 256).
 *
 *   npx tsx bench/parquet.ts [--examples N] [--paths fast,columns[,rows]] [--from DATASET_DIR]
 *
 * Synthetic examples: context length spread over 50–2048 (1 in 10 exactly 2048, truncated contexts),
 * target over 10–256 (1 in 10 exactly 256, split targets), ids uniformly random below 151,000, text
 * ~2 KB; written as train/val/test (70/15/15) like a build. `--from` takes the examples of a build's
 * output folder instead (its dataset/{train,val,test}.parquet, read back with hyparquet) and also checks
 * that every path rewrites those files byte for byte. Each path runs in its own process (its own peak
 * RSS); the files' sha256 are compared (all paths write the same bytes).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import type { CompactExample } from '../src/core/examples/examples';
import { writeParquetVia, type ParquetPath } from '../src/core/dataset/parquet';
import { rng } from '../test/fixtures/rng';

let W = { contextWindow: 2048, targetWindow: 256, padId: 151643 };

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

/** Code-like text, and a stand-in decoder (about 3.5 characters per token) for the `text` column. */
const BASE = (() => {
  const r = rng(7);
  const words = ['fn', 'let', 'mut', 'self', 'impl', 'pub', 'async', 'await', 'Result<()>', 'tokio::spawn', '{', '}', '(', ')', ';', '\n    ', '&mut', 'Arc<Mutex<T>>'];
  let base = '';
  while (base.length < 1 << 20) base += words[Math.floor(r() * words.length)] + (r() < 0.3 ? `x${Math.floor(r() * 9999)}` : ' ');
  return base;
})();
const decode = (ids: ArrayLike<number>) => BASE.slice(ids.length ? ids[0] % 4096 : 0, (ids.length ? ids[0] % 4096 : 0) + Math.round(ids.length * 3.5));

function examples(n: number): CompactExample[] {
  const r = rng(42);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const out: CompactExample[] = [];
  for (let i = 0; i < n; i++) {
    const nc = r() < 0.1 ? W.contextWindow : int(50, W.contextWindow);
    const nt = r() < 0.1 ? W.targetWindow : int(10, W.targetWindow);
    const ids = (len: number) => {
      const a = new Int32Array(len);
      for (let k = 0; k < len; k++) a[k] = Math.floor(r() * 151000);
      return a;
    };
    out.push({
      commit_hash: createHash('sha1').update(String(i)).digest('hex'),
      example_type: 'commit_based',
      num_chunks: int(1, 12),
      part: 0,
      parts: 1,
      ctx: ids(nc),
      tgt: ids(nt),
      meta: { paths: ['a.rs'], languages: ['rust'], kinds: ['fn'] },
      cut: false,
    });
  }
  return out;
}

const SPLITS = ['train', 'val', 'test'];

/** A build's examples back in compact form, from its Parquet files (and the files' bytes and created_by). */
async function fromBuild(dir: string): Promise<{ splits: CompactExample[][]; files: Buffer[]; createdBy: string }> {
  const files = SPLITS.map((s) => fs.readFileSync(path.join(dir, 'dataset', `${s}.parquet`)));
  const splits: CompactExample[][] = [];
  let createdBy = '';
  for (const f of files) {
    const file = f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength) as ArrayBuffer;
    const meta = parquetMetadata(file);
    createdBy = meta.created_by ?? '';
    const rows: CompactExample[] = [];
    const columns = ['commit_hash', 'example_type', 'num_chunks', 'part', 'parts', 'context_length', 'target_length', 'context', 'target', 'text'];
    for (let start = 0; start < Number(meta.num_rows); start += 1024) {
      const part = (await parquetReadObjects({ file, metadata: meta, columns, rowStart: start, rowEnd: Math.min(Number(meta.num_rows), start + 1024) })) as Array<Record<string, never>>;
      for (const r of part) {
        const context = r.context as number[];
        const target = r.target as number[];
        W = {
          contextWindow: context.length,
          targetWindow: target.length,
          padId: r.context_length < context.length ? context[r.context_length] : r.target_length < target.length ? target[r.target_length] : W.padId,
        };
        rows.push({
          commit_hash: r.commit_hash,
          example_type: r.example_type,
          num_chunks: r.num_chunks,
          part: r.part,
          parts: r.parts,
          ctx: Int32Array.from(context.slice(0, r.context_length)),
          tgt: Int32Array.from(target.slice(0, r.target_length)),
          meta: { paths: ['a.rs'], languages: ['rust'], kinds: ['fn'] },
          cut: false,
        });
      }
    }
    splits.push(rows);
  }
  return { splits, files, createdBy };
}

async function runOne(path: ParquetPath, n: number, from?: string): Promise<void> {
  const t0 = performance.now();
  let splits: CompactExample[][];
  let originals: Buffer[] | undefined;
  let createdBy = 'bench';
  if (from) {
    const b = await fromBuild(from);
    splits = b.splits;
    originals = b.files;
    createdBy = b.createdBy;
    n = splits.reduce((a, s) => a + s.length, 0);
  } else {
    const all = examples(n);
    splits = [all.slice(0, Math.floor(n * 0.7)), all.slice(Math.floor(n * 0.7), Math.floor(n * 0.85)), all.slice(Math.floor(n * 0.85))];
  }
  const genS = (performance.now() - t0) / 1000;
  const rssBefore = process.memoryUsage().rss;
  let bytes = 0;
  let hashMs = 0;
  const hashes: string[] = [];
  const t1 = performance.now();
  for (const rows of splits) {
    const h = createHash('sha256');
    writeParquetVia(
      path,
      rows,
      W,
      createdBy,
      (b) => {
        const th = performance.now();
        bytes += b.length;
        h.update(b);
        hashMs += performance.now() - th;
      },
      decode,
    );
    hashes.push(h.digest('hex').slice(0, 16));
  }
  const s = (performance.now() - t1 - hashMs) / 1000;
  const peak = process.resourceUsage().maxRSS / 1024;
  const sameAsBuild = originals ? originals.map((f, i) => createHash('sha256').update(f).digest('hex').slice(0, 16) === hashes[i]) : undefined;
  console.log(
    JSON.stringify({
      path,
      examples: n,
      seconds: +s.toFixed(2),
      outMB: +(bytes / 1e6).toFixed(1),
      outMBps: +(bytes / 1e6 / s).toFixed(1),
      rowsPerS: Math.round(n / s),
      peakRssMiB: Math.round(peak),
      rssBeforeWriteMiB: Math.round(rssBefore / 1048576),
      generateS: +genS.toFixed(1),
      sha256: hashes,
      sameAsBuild,
    }),
  );
}

const n = Number(arg('examples', '40451'));
const from = process.argv.includes('--from') ? arg('from', '') : undefined;
if (process.argv.includes('--child')) {
  void runOne(arg('path', 'fast') as ParquetPath, n, from);
} else {
  const paths = arg('paths', 'columns,fast').split(',') as ParquetPath[];
  const results: Array<Record<string, unknown>> = [];
  for (const p of paths) {
    const r = spawnSync(process.execPath, [...process.execArgv, __filename, '--child', '--path', p, '--examples', String(n), ...(from ? ['--from', from] : [])], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`path ${p} failed (${r.status})`);
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!);
    results.push(res);
    console.log(
      `${p.padEnd(8)} ${String(res.seconds).padStart(7)} s  ${String(res.outMBps).padStart(7)} MB/s out (${res.outMB} MB, ${res.rowsPerS} rows/s)  peak RSS ${res.peakRssMiB} MiB (${res.rssBeforeWriteMiB} MiB before writing)${res.sameAsBuild ? `, same bytes as the build's files: ${res.sameAsBuild.join(' ')}` : ''}`,
    );
  }
  const same = results.every((r) => JSON.stringify(r.sha256) === JSON.stringify(results[0].sha256));
  console.log(same ? `same bytes on every path (${(results[0].sha256 as string[]).join(' ')})` : `DIFFERENT BYTES: ${results.map((r) => `${r.path}=${(r.sha256 as string[]).join(',')}`).join('  ')}`);
  if (results.length > 1)
    console.log(`speed-up ${results[0].path} → ${results[results.length - 1].path}: ${((results[0].seconds as number) / (results[results.length - 1].seconds as number)).toFixed(1)}×`);
  if (!same) process.exitCode = 1;
}
