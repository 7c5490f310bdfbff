/**
 * Writes a built dataset into an AtomicDir: data files, stats, dataset card, optional seed layout,
 * and manifest.json last (listing every other file with size and sha256).
 * Data files contain no timestamps: the same dataset gives the same bytes.
 */
import type { SplitName } from '../examples/dedup';
import { expandExample, type CompactExample, type Decode, type Example, type RowMeta, type WindowOptions } from '../examples/examples';
import { datasetInfo, writeEmits, type Emit } from './emit';
import type { BuiltDataset } from './model';
import { datasetCard } from './card';
import { exampleJsonl } from './exampleJson';
import { writeCompactParquet, writeExamplesParquet } from './parquet';
import { chunkTokenParts } from './safetensors';
import { AtomicDir, jsonl, sha256, stableJson, type WrittenFile } from './output';

export const SPLITS: SplitName[] = ['train', 'val', 'test'];

const SEED_FIELDS = ['context', 'target', 'context_mask', 'target_mask', 'commit_hash', 'num_chunks', 'example_type'] as const;

function* jsonArray(rows: Iterable<unknown>): Generator<string> {
  let first = true;
  let s = '[';
  for (const r of rows) {
    s += (first ? '\n' : ',\n') + JSON.stringify(r);
    first = false;
    if (s.length > 1 << 20) {
      yield s;
      s = '';
    }
  }
  yield s + (first ? ']\n' : '\n]\n');
}

function* expanded(rows: Iterable<CompactExample>, w: WindowOptions, decode?: Decode): Generator<Example> {
  for (const r of rows) yield expandExample(r, w, decode);
}

function* mapIter<T, U>(it: Iterable<T>, f: (x: T) => U): Generator<U> {
  for (const x of it) yield f(x);
}

export function writeDataset(dir: AtomicDir, ds: BuiltDataset, beforeManifest?: () => void): { manifest: Record<string, unknown>; manifestFile: WrittenFile } {
  const seed = ds.settings.layout === 'seed';
  const createdBy = `commit-corpus ${ds.toolVersion}`;
  const tokMeta = { tokenizer_sha256: ds.tokenizer.sha256, vocab_size: String(ds.tokenizer.vocab_size) };

  dir.write('commits.jsonl', jsonl(ds.commits));
  dir.write('chunking_stats.json', stableJson(ds.chunkingStats));
  dir.write('tokenizer/tokenizer.json', ds.tokenizer.json);
  dir.write('tokenizer/special_tokens.json', ds.tokenizer.special_tokens_json);
  // streamed from the spill file in one pass: the whole tensor is never in memory (the seed layout's copy is
  // written from the same pieces and closed in its place below)
  const tokenFiles = [dir.stream('tokens.safetensors'), ...(seed ? [dir.stream('tokens_enhanced.safetensors')] : [])];
  for (const part of chunkTokenParts(ds.chunkTokens, tokMeta)) for (const f of tokenFiles) f.write(part);
  tokenFiles[0].close();
  // the default layout's rows hold only real tokens; the seed layout keeps the seed trainer's padded rows
  const dateOf = new Map(ds.commits.map((c) => [c.hash, new Date(c.committer_time * 1000).toISOString()]));
  const repoOf = new Map(ds.commits.map((c) => [c.hash, c.repo]));
  const emits = (ds.settings.emit ?? []) as Emit[];
  for (const split of SPLITS) {
    const ex = ds.examples[split];
    const meta = (c: CompactExample): RowMeta => ({ split, repo: repoOf.get(c.commit_hash) ?? '', date: dateOf.get(c.commit_hash) ?? '' });
    // the default layout's pre-tokenized rows are Parquet only (what trainers read; JSON Lines of ids would be 6× larger)
    if (seed) dir.write(`dataset/${split}.jsonl`, exampleJsonl(ex, ds.windows, ds.decode));
    const pq = dir.stream(`dataset/${split}.parquet`);
    if (seed) writeExamplesParquet(ex, ds.windows, createdBy, (b) => pq.write(b), ds.decode);
    else writeCompactParquet(ex, meta, createdBy, (b) => pq.write(b));
    pq.close();
    writeEmits(dir, emits, split, ex, meta, ds.decode, createdBy);
  }
  const info = datasetInfo(emits, SPLITS);
  if (info) dir.write('dataset_info.json', stableJson(info));
  dir.write('dataset/stats.json', stableJson(ds.stats));
  dir.write('README.md', datasetCard(ds));

  if (seed) {
    dir.write('commits_rich.json', jsonArray(ds.commits));
    dir.write('chunking_stats_enhanced.json', stableJson(ds.chunkingStats));
    dir.write('vocab_enhanced.json', stableJson(ds.tokenizer.vocab ? ds.tokenizer.vocab() : {}));
    tokenFiles[1].close();
    for (const split of SPLITS) {
      const rows = mapIter(expanded(ds.examples[split], ds.windows, ds.decode), (e) => Object.fromEntries(SEED_FIELDS.map((k) => [k, e[k]])));
      dir.write(`dataset_enhanced/training_data_enhanced_${split}.json`, jsonArray(rows));
    }
    dir.write('dataset_enhanced/dataset_stats_enhanced.json', stableJson(ds.stats));
  }

  beforeManifest?.();
  const manifest: Record<string, unknown> = {
    tool: { name: 'commit-corpus', version: ds.toolVersion },
    // a plain build's repository and range as before; every build lists its repositories
    ...(ds.repos.length === 1
      ? {
          repository: { path: ds.repos[0].path, ref: ds.repos[0].ref, head: ds.repos[0].head },
          range: { first_commit: ds.repos[0].first, last_commit: ds.repos[0].last, commits: ds.repos[0].commits },
        }
      : {}),
    repositories: ds.repos.map((r) => ({ name: r.name, path: r.path, ref: r.ref, head: r.head, first_commit: r.first, last_commit: r.last, commits: r.commits, shared_commits: r.shared })),
    settings: ds.settings,
    tokenizer: {
      source: ds.tokenizer.source,
      sha256: ds.tokenizer.sha256,
      vocab_size: ds.tokenizer.vocab_size,
      added_tokens: ds.tokenizer.added_tokens,
    },
    counts: {
      commits: ds.commits.length,
      chunks: ds.chunkCount,
      examples: Object.fromEntries(SPLITS.map((s) => [s, ds.examples[s].length])),
    },
    phases: ds.phases,
    previous_run: ds.previousRun,
    ...(ds.sharded ? { sharded: ds.sharded } : {}),
    files: [...dir.files].sort((a, b) => (a.path < b.path ? -1 : 1)),
  };
  if (seed) dir.write('MANIFEST_ENHANCED.json', stableJson({ ...manifest, phases: undefined }));
  const text = stableJson(manifest);
  const manifestFile = dir.write('manifest.json', text);
  return { manifest, manifestFile: { ...manifestFile, sha256: sha256(text) } };
}
