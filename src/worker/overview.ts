/**
 * overviewFromOutput(outDir): the Overview payload from a built dataset folder
 * (manifest.json, dataset/stats.json, commits.jsonl, and each split's rows: the token-count columns of
 * dataset/<split>.parquet, or the start of each line of the seed layout's dataset/<split>.jsonl). No vscode import.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { forEachLine } from '../core/dataset/jsonl';
import { forEachRow, rowsFile } from '../core/dataset/rows';
import type { OverviewPayload, SplitName } from '../webview/protocol';

const SPLITS: SplitName[] = ['train', 'val', 'test'];

export class NotADatasetError extends Error {}

function readJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new NotADatasetError(`${file} is missing: is this a Commit Corpus dataset folder?`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new NotADatasetError(`${file} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

function counts(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (typeof v !== 'object' || v === null) return out;
  for (const [k, n] of Object.entries(v as Record<string, unknown>)) if (typeof n === 'number' && Number.isFinite(n)) out[k] = n;
  return out;
}

function month(ts: number): string {
  return new Date(ts * 1000).toISOString().slice(0, 7);
}

/** Every month from the first to the last (so gaps show as zero), with its commit count. */
export function monthlySeries(timestamps: number[]): Array<{ month: string; commits: number }> {
  if (timestamps.length === 0) return [];
  const byMonth = new Map<string, number>();
  for (const t of timestamps) byMonth.set(month(t), (byMonth.get(month(t)) ?? 0) + 1);
  const keys = [...byMonth.keys()].sort();
  const out: Array<{ month: string; commits: number }> = [];
  let [y, m] = keys[0].split('-').map(Number);
  const last = keys[keys.length - 1];
  for (;;) {
    const k = `${y}-${String(m).padStart(2, '0')}`;
    out.push({ month: k, commits: byMonth.get(k) ?? 0 });
    if (k >= last) break;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/** The token length of every row: the default layout's prompt and completion tokens, or the seed layout's context and target. */
async function tokenLengths(outDir: string): Promise<number[]> {
  const out: number[] = [];
  for (const split of SPLITS) {
    const rel = rowsFile(outDir, split);
    const file = path.join(outDir, ...rel.split('/'));
    if (!fs.existsSync(file)) continue;
    const seed = rel.endsWith('.jsonl');
    // the seed layout's JSON Lines: the lengths near the start of each line, without parsing its padded lists
    if (seed) {
      forEachLine(file, (line) => {
        const m = LENGTH_RE.exec(line.slice(0, 2000));
        out.push(m ? Number(m[1]) + Number(m[2]) : 0);
      });
      continue;
    }
    await forEachRow(file, (r) => void out.push(Number(r.prompt_tokens ?? 0) + Number(r.completion_tokens ?? 0)), ['prompt_tokens', 'completion_tokens']);
  }
  return out;
}

const LENGTH_RE = /"context_length":(\d+),"target_length":(\d+)/;

export async function overviewFromOutput(outDir: string): Promise<OverviewPayload> {
  const dir = path.resolve(outDir);
  readJson(path.join(dir, 'manifest.json'));
  const stats = readJson(path.join(dir, 'dataset', 'stats.json'));
  const times: number[] = [];
  const commitsFile = path.join(dir, 'commits.jsonl');
  if (!fs.existsSync(commitsFile)) throw new NotADatasetError(`${commitsFile} is missing: is this a Commit Corpus dataset folder?`);
  forEachLine(commitsFile, (line) => {
    const c = JSON.parse(line) as { committer_time?: number; author?: { timestamp?: number } };
    const t = c.committer_time ?? c.author?.timestamp;
    if (typeof t === 'number') times.push(t);
  });
  const ex = counts(stats.examples);
  const dup = stats.duplicates as { exact?: number; near?: Record<string, number> } | undefined;
  const duplicates: Record<string, number> | undefined = dup ? { exact: dup.exact ?? 0, ...Object.fromEntries(Object.entries(counts(dup.near)).map(([k, v]) => [`near (${k})`, v])) } : undefined;
  return {
    outDir: dir,
    commitsOverTime: monthlySeries(times),
    examplesPerSplit: { train: ex.train ?? 0, val: ex.val ?? 0, test: ex.test ?? 0 },
    tokenLengths: await tokenLengths(dir),
    languages: counts(stats.languages),
    kinds: counts(stats.kinds),
    skips: counts(stats.skips),
    redactions: counts(stats.redactions),
    ...(duplicates ? { duplicates } : {}),
  };
}
