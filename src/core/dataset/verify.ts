/**
 * Re-checks a written dataset folder (and, with a repository, its chunks against the blobs).
 * Returns every problem found as a line "<kind>: <detail>"; an empty list means the folder is good.
 * Kinds: manifest, file, commits, split-order, split-leak, example, mask, length, label, vocab, chunk, repository, blob, tokens, parquet,
 * text (a trainer-shaped file that does not match the rows: count, commit, or text that does not encode to the ids).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parquetMetadata } from 'hyparquet';
import type { SplitName } from '../examples/dedup';
import { IGNORE_INDEX } from '../examples/examples';
import { PLACEHOLDER_RE } from '../hygiene/redact';
import { ELISION_PATTERN } from '../chunk/languages';
import { decodeSafetensors } from './safetensors';
import { fileSha256, isOwnFile } from './output';
import { forEachJsonl, jsonlRows } from './jsonl';
import { forEachRow, rowsFile } from './rows';
import { openRepository, type Repository } from '../git/repository';
import { tokenizerFromJSON } from '../tokenize/index';
import { EMITS, emitFiles, type Emit } from './emit';
import { specialLiteral } from '../tokenize/exact';

const SPLITS: SplitName[] = ['train', 'val', 'test'];
const MAX_PER_KIND = 20;
/** Every TEXT_STEP-th example's text is re-encoded (a sample: the ids of every row would cost a second tokenization). */
const TEXT_STEP = 25;

export interface VerifyOptions {
  /**
   * Repositories to check chunk code against, instead of the folders the manifest names: one for a dataset of
   * one repository, else each matched by its name in the rows (the path's last folders).
   */
  repo?: string | string[];
  /** Skip the blob check even if a repository is found. */
  noBlobs?: boolean;
}

export interface VerifyReport {
  problems: string[];
  checked: { files: number; commits: number; examples: number; chunks: number; blobs: number };
}

/**
 * True when `code` occurs in `text`, where redaction placeholders and the chunker's elisions
 * (ELISION_PATTERN of ../chunk/languages: `…` lines of dropped members, collapsed bodies) match anything.
 */
export function matchesWithPlaceholders(code: string, text: string): boolean {
  const wild = new RegExp(`${PLACEHOLDER_RE.source}|${ELISION_PATTERN}`, 'g');
  const pieces = code.split(wild).filter((p) => p.length > 0);
  if (pieces.length === 0) return true;
  let from = 0;
  for (;;) {
    const start = text.indexOf(pieces[0], from);
    if (start < 0) return false;
    let pos = start + pieces[0].length;
    let ok = true;
    for (let i = 1; i < pieces.length; i++) {
      const at = text.indexOf(pieces[i], pos);
      if (at < 0) {
        ok = false;
        break;
      }
      pos = at + pieces[i].length;
    }
    if (ok) return true;
    from = start + 1;
  }
}

type Report = (kind: string, detail: string) => void;
type Checked = VerifyReport['checked'];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = any;

export async function verifyDataset(dir: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const problems: string[] = [];
  const perKind = new Map<string, number>();
  const report: Report = (kind, detail) => {
    const n = (perKind.get(kind) ?? 0) + 1;
    perKind.set(kind, n);
    if (n <= MAX_PER_KIND) problems.push(`${kind}: ${detail}`);
    else if (n === MAX_PER_KIND + 1) problems.push(`${kind}: … more problems of this kind not shown`);
  };
  const checked: Checked = { files: 0, commits: 0, examples: 0, chunks: 0, blobs: 0 };
  const abs = path.resolve(dir);
  const mfPath = path.join(abs, 'manifest.json');
  if (!fs.existsSync(mfPath)) {
    report('manifest', `${mfPath} is missing (not a commit-corpus output folder?)`);
    return { problems, checked };
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(mfPath, 'utf8'));
  } catch (e) {
    report('manifest', `manifest.json is not valid JSON: ${(e as Error).message}`);
    return { problems, checked };
  }
  checkFiles(abs, manifest, report, checked);
  const vocab: number = manifest.tokenizer?.vocab_size;
  const { splitOf, parentOf, repoOf } = checkCommits(abs, report, checked);
  const rows = await checkExamples(abs, manifest.settings ?? {}, vocab, splitOf, report, checked);
  checkText(abs, manifest.settings ?? {}, rows, report);
  const repos = opts.noBlobs ? null : repositoryPaths(manifest, opts.repo, report);
  const chunkTokens = await checkChunks(abs, repos, { splitOf, parentOf, repoOf }, report, checked);
  checkTokens(abs, chunkTokens, vocab, report);
  return { problems, checked };
}

/**
 * Each repository of the dataset (its name in the rows) → the folder its chunks are checked against: the ones
 * given, matched by name, else the manifest's. '' when there is none (reported by checkChunks).
 */
function repositoryPaths(manifest: Manifest, given: string | string[] | undefined, report: Report): Map<string, string> {
  const listed: Array<{ name: string; path: string }> = Array.isArray(manifest.repositories)
    ? manifest.repositories
    : manifest.repository?.path
      ? [{ name: path.basename(manifest.repository.path), path: manifest.repository.path }]
      : [];
  const out = new Map(listed.map((r) => [String(r.name), String(r.path ?? '')]));
  const paths = given === undefined ? [] : Array.isArray(given) ? given : [given];
  if (paths.length === 1 && listed.length <= 1) {
    out.set(listed[0]?.name ?? '', path.resolve(paths[0]));
    return out;
  }
  for (const p of paths) {
    const abs = path.resolve(p);
    const name = listed.map((r) => String(r.name)).find((n) => abs === n || abs.endsWith(`${path.sep}${n.split('/').join(path.sep)}`));
    if (name === undefined) report('repository', `--repo ${abs} is none of the dataset's repositories (${listed.map((r) => r.name).join(', ')})`);
    else out.set(name, abs);
  }
  return out;
}

/** Every file the manifest lists, with its size and sha256; no file it does not list. */
function checkFiles(abs: string, manifest: Manifest, report: Report, checked: Checked): void {
  const listed = new Set<string>();
  for (const f of (manifest.files ?? []) as Array<{ path: string; bytes: number; sha256: string }>) {
    listed.add(f.path);
    const p = path.join(abs, ...f.path.split('/'));
    if (!fs.existsSync(p)) {
      report('file', `${f.path} is listed in the manifest but missing`);
      continue;
    }
    const got = fileSha256(p);
    checked.files++;
    if (got.bytes !== f.bytes) report('file', `${f.path}: size ${got.bytes} differs from the manifest's ${f.bytes}`);
    else if (got.sha256 !== f.sha256) report('file', `${f.path}: sha256 differs from the manifest`);
  }
  const walk = (d: string, rel: string): string[] =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name), `${rel}${e.name}/`) : [`${rel}${e.name}`]));
  for (const f of walk(abs, '')) if (!listed.has(f) && !isOwnFile(abs, f)) report('file', `${f} is not listed in the manifest`);
}

interface CommitIndex {
  splitOf: Map<string, SplitName>;
  parentOf: Map<string, string | undefined>;
  /** The commit's repository (its name in the rows; '' in a dataset of one written before rows named it). */
  repoOf: Map<string, string>;
}

/** commits.jsonl: each commit once, known splits, and each repository's splits in time order (train, then val, then test). */
function checkCommits(abs: string, report: Report, checked: Checked): CommitIndex {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const commits = readSafe(abs, 'commits.jsonl', report) as any[];
  const splitOf = new Map<string, SplitName>();
  const parentOf = new Map<string, string | undefined>();
  const repoOf = new Map<string, string>();
  for (const c of commits) {
    checked.commits++;
    if (splitOf.has(c.hash)) report('commits', `commit ${c.hash} appears twice in commits.jsonl`);
    if (!SPLITS.includes(c.split)) report('commits', `commit ${c.hash} has unknown split ${JSON.stringify(c.split)}`);
    splitOf.set(c.hash, c.split);
    parentOf.set(c.hash, c.parents?.[0]);
    repoOf.set(c.hash, typeof c.repo === 'string' ? c.repo : '');
  }
  // splits are temporal within each repository
  const repos = new Set(repoOf.values());
  for (const repo of repos)
    checkSplitOrder(
      commits.filter((c) => repoOf.get(c.hash) === repo),
      repos.size > 1 ? repo : '',
      report,
    );
  return { splitOf, parentOf, repoOf };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function checkSplitOrder(commits: any[], repo: string, report: Report): void {
  const times = (s: SplitName) => commits.filter((c) => c.split === s).map((c) => c.committer_time as number);
  const order: Array<[SplitName, SplitName]> = [
    ['train', 'val'],
    ['val', 'test'],
    ['train', 'test'],
  ];
  for (const [a, b] of order) {
    const ta = times(a);
    const tb = times(b);
    if (ta.length && tb.length && Math.max(...ta) > Math.min(...tb)) report('split-order', `a ${a} commit${repo ? ` of ${repo}` : ''} is newer than a ${b} commit`);
  }
}

/** Each split's examples (dataset/rows.ts: Parquet or JSONL): their commit in the same split, their shapes, masks and ids; the Parquet file's row count. */
async function checkExamples(
  abs: string,
  settings: { contextWindow: number; targetWindow: number; layout?: string },
  vocab: number,
  splitOf: Map<string, SplitName>,
  report: Report,
  checked: Checked,
): Promise<Record<SplitName, SplitRows>> {
  const cw = settings.contextWindow;
  const tw = settings.targetWindow;
  const out = {} as Record<SplitName, SplitRows>;
  for (const split of SPLITS) {
    let rowCount = 0;
    const rows: SplitRows = (out[split] = { hashes: [], sample: new Map() });
    const file = rowsFile(abs, split);
    await eachRowSafe(abs, file, report, (row, i) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const e = row as any;
      rowCount++;
      checked.examples++;
      rows.hashes.push(e.commit_hash);
      if (i % TEXT_STEP === 0 && Array.isArray(e.input_ids)) {
        const np: number = e.prompt_tokens ?? e.context_length;
        const nc: number = e.completion_tokens ?? e.target_length;
        rows.sample.set(i, { prompt: e.input_ids.slice(0, np), completion: e.input_ids.slice(np, np + nc) });
      }
      const where = `${file} row ${i + 1}`;
      const cs = splitOf.get(e.commit_hash);
      if (!cs) report('example', `${where}: commit ${e.commit_hash} is not in commits.jsonl`);
      else if (cs !== split) report('split-leak', `${where}: commit ${e.commit_hash} belongs to ${cs}`);
      if (settings.layout === 'seed') checkExample(e, where, cw, tw, vocab, report);
      else checkCompactExample(e, where, cw, tw, vocab, report);
    });
    if (file.endsWith('.jsonl')) checkParquetRows(abs, `dataset/${split}.parquet`, rowCount, report);
  }
  return out;
}

/** A split's rows as the text check needs them: each row's commit, and the ids of every TEXT_STEP-th row. */
interface SplitRows {
  hashes: string[];
  sample: Map<number, { prompt: number[]; completion: number[] }>;
}

/** The prompt and completion of a row of an emit's JSON Lines file. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function textsOf(emit: Emit, r: any): { prompt: string; completion: string } | string | undefined {
  if (emit === 'prompt-completion') return typeof r.prompt === 'string' && typeof r.completion === 'string' ? { prompt: r.prompt, completion: r.completion } : undefined;
  if (emit === 'messages') {
    const m = r.messages;
    const ok = Array.isArray(m) && m.length === 3 && m[0]?.role === 'system' && m[1]?.role === 'user' && m[2]?.role === 'assistant';
    return ok && typeof m[1].content === 'string' && typeof m[2].content === 'string' ? { prompt: m[1].content, completion: m[2].content } : undefined;
  }
  return typeof r.text === 'string' ? r.text : undefined;
}

/**
 * Each emitted file (settings.emit) against the rows: as many rows, the same commit row for row, and for a sample
 * of rows, text that the dataset's tokenizer encodes into exactly the row's prompt and completion ids.
 */
function checkText(abs: string, settings: { emit?: unknown }, rows: Record<SplitName, SplitRows>, report: Report): void {
  const emits = (Array.isArray(settings.emit) ? settings.emit : []).filter((e): e is Emit => (EMITS as readonly string[]).includes(e));
  if (emits.length === 0) return;
  let tok: ReturnType<typeof tokenizerFromJSON>;
  try {
    tok = tokenizerFromJSON(fs.readFileSync(path.join(abs, 'tokenizer', 'tokenizer.json'), 'utf8'));
  } catch (e) {
    return report('text', `tokenizer/tokenizer.json cannot be loaded: ${(e as Error).message}`);
  }
  const lit = specialLiteral(tok);
  const sep = new Set(tok.addedTokens().map((t) => t.id));
  // ids that the trainer's default tokenizer gives their text; a run holding a special token's literal is the known exception
  const encodes = (text: string, ids: number[]) => {
    const got = tok.encodeAsTrainer(text);
    if (got.length === ids.length && got.every((x, i) => x === ids[i])) return true;
    const runs: number[][] = [[]];
    for (const id of ids) {
      if (sep.has(id)) runs.push([]);
      else runs[runs.length - 1].push(id);
    }
    return tok.decode(ids) === text && runs.some((r) => lit(tok.decode(r)));
  };
  for (const emit of emits)
    for (const split of SPLITS) {
      const [file, parquet] = emitFiles(emit, split);
      const { hashes, sample } = rows[split];
      let n = 0;
      eachSafe(abs, file, report, (row, i) => {
        n++;
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const r = row as any;
        const where = `${file} row ${i + 1}`;
        if (r.commit_hash !== hashes[i]) return report('text', `${where}: commit ${r.commit_hash} is not the dataset row's ${hashes[i]}`);
        const t = textsOf(emit, r);
        if (t === undefined) return report('text', `${where}: the ${emit} fields are missing`);
        const ids = sample.get(i);
        if (!ids) return;
        if (typeof t === 'string') {
          if (t !== tok.decode(ids.prompt) + tok.decode(ids.completion)) report('text', `${where}: the text is not the row's prompt and completion`);
        } else {
          if (!encodes(t.prompt, ids.prompt)) report('text', `${where}: the prompt does not encode into the row's prompt ids`);
          if (!encodes(t.completion, ids.completion)) report('text', `${where}: the completion does not encode into the row's completion ids`);
        }
      });
      if (n !== hashes.length) report('text', `${file} has ${n} rows, the dataset ${hashes.length}`);
      if (parquet) checkParquetRows(abs, parquet, hashes.length, report);
    }
}

function checkParquetRows(abs: string, rel: string, rows: number, report: Report): void {
  const p = path.join(abs, ...rel.split('/'));
  if (!fs.existsSync(p)) return report('parquet', `${rel} is missing`);
  try {
    const meta = parquetMetadata(parquetFooter(p));
    if (Number(meta.num_rows) !== rows) report('parquet', `${rel} has ${meta.num_rows} rows, the dataset ${rows}`);
  } catch (e) {
    report('parquet', `${rel} cannot be read: ${(e as Error).message}`);
  }
}

/**
 * chunks.jsonl (streamed): each chunk's commit, repository and split mark, and its code against the blobs of its
 * repository (`repos`: name → folder; null: not checked; '' or a missing folder: reported). Returns each chunk's
 * token count.
 */
async function checkChunks(abs: string, repos: Map<string, string> | null, index: CommitIndex, report: Report, checked: Checked): Promise<number[]> {
  const { splitOf, parentOf, repoOf } = index;
  // read through the engine's object store (Node's zlib, cached trees and blobs), not isomorphic-git's readBlob
  // the chunks are checked against their repository unless asked not to: a missing one is a problem, not an OK
  const opened = new Map<string, Repository | null>();
  const repoNamed = async (name: string): Promise<Repository | null> => {
    if (repos === null) return null;
    if (opened.has(name)) return opened.get(name)!;
    opened.set(name, null);
    const dir = repos.get(name) ?? (repos.size === 1 && name === '' ? [...repos.values()][0] : '');
    const which = name ? ` ${name}` : '';
    if (!dir) report('repository', `the manifest names no folder for the repository${which}: pass --repo PATH (or --no-repo to check the files only)`);
    else if (!fs.existsSync(dir)) report('repository', `${dir} does not exist: pass --repo PATH (or --no-repo to check the files only)`);
    else {
      try {
        opened.set(name, await openRepository(dir));
      } catch (e) {
        report('repository', `${dir}: ${(e as Error).message}`);
      }
    }
    return opened.get(name)!;
  };
  const texts = new Map<string, string | null>(); // small LRU of file texts
  /** The file's text at a commit; null when it is not there; undefined when reading it failed (reported). */
  const textAt = async (repo: Repository | null, commit: string | undefined, file: string): Promise<string | null | undefined> => {
    if (!commit || !repo) return null;
    const k = `${commit}:${file}`;
    const hit = texts.get(k);
    if (hit !== undefined) {
      texts.delete(k);
      texts.set(k, hit);
      return hit;
    }
    let t: string | null;
    try {
      t = await repo.textAtPath(commit, file);
    } catch (e) {
      report('blob', `${file} at ${commit.slice(0, 12)} cannot be read: ${(e as Error).message}`);
      return undefined;
    }
    if (t !== null) checked.blobs++;
    texts.set(k, t);
    if (texts.size > 256) texts.delete(texts.keys().next().value!);
    return t;
  };
  /** A path with a redacted part (a secret in a file name) cannot be looked up: its code is not checked. */
  const redactedPath = (p: string) => new RegExp(PLACEHOLDER_RE.source).test(p);
  const chunkTokens: number[] = [];
  const chunksPath = path.join(abs, 'chunks.jsonl');
  if (!fs.existsSync(chunksPath)) report('file', 'chunks.jsonl is missing');
  else {
    try {
      for (const row of jsonlRows(chunksPath)) {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const c = row as any;
        checked.chunks++;
        chunkTokens.push(c.tokens);
        const cs = splitOf.get(c.commit);
        if (!cs) report('chunk', `chunk ${c.id}: commit ${c.commit} is not in commits.jsonl`);
        else if (c.dataset_split !== cs) report('split-leak', `chunk ${c.id} is marked ${c.dataset_split} but its commit is in ${cs}`);
        const name = repoOf.get(c.commit) ?? '';
        if (cs && (c.repo ?? '') !== name) report('chunk', `chunk ${c.id} names the repository ${JSON.stringify(c.repo)}, its commit ${JSON.stringify(name)}`);
        if (redactedPath(c.path) || redactedPath(c.oldPath ?? '')) continue;
        const repo = await repoNamed(name);
        if (!repo) continue;
        if (c.newCode) {
          const t = await textAt(repo, c.commit, c.path);
          if (t === undefined) continue;
          if (t === null) report('blob', `chunk ${c.id}: ${c.path} not found at ${c.commit}`);
          else if (!matchesWithPlaceholders(c.newCode, t)) report('blob', `chunk ${c.id}: newCode is not in ${c.path} at ${c.commit.slice(0, 12)}`);
        }
        if (c.oldCode) {
          const parent = parentOf.get(c.commit);
          const t = await textAt(repo, parent, c.oldPath ?? c.path);
          if (t === undefined) continue;
          if (t === null) report('blob', `chunk ${c.id}: ${c.oldPath ?? c.path} not found in the parent of ${c.commit}`);
          else if (!matchesWithPlaceholders(c.oldCode, t)) report('blob', `chunk ${c.id}: oldCode is not in ${c.oldPath ?? c.path} at the parent of ${c.commit.slice(0, 12)}`);
        }
      }
    } catch (e) {
      report('file', `chunks.jsonl is not valid JSON Lines: ${(e as Error).message}`);
    }
  }
  for (const r of opened.values()) r?.close();

  return chunkTokens;
}

/** tokens.safetensors: one run of ids per chunk, as many as chunks.jsonl says, all in the vocabulary. */
function checkTokens(abs: string, chunkTokens: number[], vocab: number, report: Report): void {
  const stPath = path.join(abs, 'tokens.safetensors');
  if (fs.existsSync(stPath)) {
    try {
      const st = decodeSafetensors(fs.readFileSync(stPath));
      const ids = st.tensors.token_ids?.data as Int32Array | undefined;
      const offs = st.tensors.offsets?.data as BigInt64Array | undefined;
      if (!ids || !offs) report('tokens', 'tokens.safetensors lacks token_ids or offsets');
      else {
        if (offs.length !== chunkTokens.length + 1) report('tokens', `tokens.safetensors has ${offs.length - 1} chunks, chunks.jsonl ${chunkTokens.length}`);
        for (let i = 1; i < offs.length; i++) if (offs[i] < offs[i - 1]) report('tokens', `offsets decrease at ${i}`);
        if (offs.length && Number(offs[offs.length - 1]) !== ids.length) report('tokens', `last offset ${offs[offs.length - 1]} ≠ ${ids.length} ids`);
        for (let i = 0; i < ids.length; i++) {
          if (ids[i] < 0 || ids[i] >= vocab) {
            report('vocab', `tokens.safetensors id ${ids[i]} at ${i} is outside the vocabulary (${vocab})`);
            break;
          }
        }
        chunkTokens.forEach((n, i) => {
          if (i + 1 < offs.length && Number(offs[i + 1] - offs[i]) !== n) report('tokens', `chunk ${i + 1}: ${n} tokens in chunks.jsonl, ${offs[i + 1] - offs[i]} in the tensor`);
        });
      }
    } catch (e) {
      report('tokens', `tokens.safetensors cannot be read: ${(e as Error).message}`);
    }
  } else report('tokens', 'tokens.safetensors is missing');
}

function eachSafe(dir: string, rel: string, report: (k: string, d: string) => void, fn: (row: unknown, index: number) => void): void {
  const p = path.join(dir, ...rel.split('/'));
  if (!fs.existsSync(p)) {
    report('file', `${rel} is missing`);
    return;
  }
  try {
    forEachJsonl(p, fn);
  } catch (e) {
    report('file', `${rel} is not valid JSON Lines: ${(e as Error).message}`);
  }
}

/** eachSafe for a split's rows, JSONL or Parquet. */
async function eachRowSafe(dir: string, rel: string, report: Report, fn: (row: unknown, index: number) => void): Promise<void> {
  const p = path.join(dir, ...rel.split('/'));
  if (!fs.existsSync(p)) return report('file', `${rel} is missing`);
  try {
    await forEachRow(p, fn);
  } catch (e) {
    report('file', `${rel} cannot be read: ${(e as Error).message}`);
  }
}

function readSafe(dir: string, rel: string, report: (k: string, d: string) => void): unknown[] {
  const rows: unknown[] = [];
  eachSafe(dir, rel, report, (r) => rows.push(r));
  return rows;
}

/** The tail of a Parquet file holding its metadata (enough for parquetMetadata). */
function parquetFooter(file: string): ArrayBuffer {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size < 12) throw new Error('file too short');
    const tail = Buffer.alloc(8);
    fs.readSync(fd, tail, 0, 8, size - 8);
    if (tail.toString('latin1', 4) !== 'PAR1') throw new Error('no PAR1 footer');
    const len = Math.min(size, tail.readUInt32LE(0) + 8);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, size - len);
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  } finally {
    fs.closeSync(fd);
  }
}

/** A row of the default layout: real tokens only, its lengths within the windows, labels −100 exactly on the prompt. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function checkCompactExample(e: any, where: string, cw: number, tw: number, vocab: number, report: Report): void {
  const lists = ['input_ids', 'labels', 'attention_mask'];
  for (const k of lists) if (!Array.isArray(e[k])) return report('example', `${where}: ${k} missing`);
  const np = e.prompt_tokens;
  const nc = e.completion_tokens;
  if (!Number.isInteger(np) || !Number.isInteger(nc)) return report('example', `${where}: prompt_tokens or completion_tokens missing`);
  if (nc === 0) report('example', `${where}: the completion is empty`);
  for (const k of ['paths', 'languages', 'kinds']) if (!Array.isArray(e[k]) || e[k].some((v: unknown) => typeof v !== 'string')) report('example', `${where}: ${k} is not a list of strings`);
  if (typeof e.completion_cut !== 'boolean') report('example', `${where}: completion_cut missing`);
  if (np > cw || nc > tw) report('length', `${where}: ${np} prompt and ${nc} completion tokens exceed the windows ${cw}/${tw}`);
  for (const k of lists) if (e[k].length !== np + nc) report('length', `${where}: ${k} has length ${e[k].length}, expected ${np + nc}`);
  if (e.attention_mask.some((x: number) => x !== 1)) report('mask', `${where}: attention_mask has values other than 1`);
  const bad = e.input_ids.find((x: number) => !Number.isInteger(x) || x < 0 || x >= vocab);
  if (bad !== undefined) report('vocab', `${where}: input_ids holds id ${bad} outside the vocabulary (${vocab})`);
  const seq = e.example_type === 'sequential';
  for (let i = 0; i < e.labels.length; i++) {
    const want = !seq && i < np ? IGNORE_INDEX : e.input_ids[i];
    if (e.labels[i] !== want) {
      report('label', `${where}: labels[${i}] is ${e.labels[i]}, expected ${want}`);
      break;
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function checkExample(e: any, where: string, cw: number, tw: number, vocab: number, report: (k: string, d: string) => void): void {
  const isBin = (a: unknown) => Array.isArray(a) && a.every((x) => x === 0 || x === 1);
  const prefixOnes = (m: number[]) => {
    const n = m.indexOf(0) < 0 ? m.length : m.indexOf(0);
    return m.slice(n).every((x) => x === 0) ? n : -1;
  };
  for (const [k, len] of [
    ['context', cw],
    ['context_mask', cw],
    ['target', tw],
    ['target_mask', tw],
    ['input_ids', cw + tw],
    ['labels', cw + tw],
    ['attention_mask', cw + tw],
  ] as const) {
    if (!Array.isArray(e[k])) report('example', `${where}: ${k} missing`);
    else if (e[k].length !== len) report('length', `${where}: ${k} has length ${e[k].length}, expected ${len}`);
  }
  for (const k of ['context_mask', 'target_mask', 'attention_mask']) if (Array.isArray(e[k]) && !isBin(e[k])) report('mask', `${where}: ${k} has values other than 0/1`);
  if (!Array.isArray(e.context_mask) || !Array.isArray(e.target_mask) || !Array.isArray(e.attention_mask) || !Array.isArray(e.labels)) return;
  const nc = prefixOnes(e.context_mask);
  const nt = prefixOnes(e.target_mask);
  const na = prefixOnes(e.attention_mask);
  if (nc < 0 || nt < 0 || na < 0) report('mask', `${where}: a mask is not ones followed by zeros`);
  if (nc !== e.context_length || nt !== e.target_length) report('mask', `${where}: masks count ${nc}/${nt} real tokens, lengths say ${e.context_length}/${e.target_length}`);
  if (na >= 0 && na !== nc + nt) report('mask', `${where}: attention_mask has ${na} real tokens, context+target ${nc + nt}`);
  for (const k of ['context', 'target', 'input_ids']) {
    const a: number[] = e[k] ?? [];
    const bad = a.find((x) => !Number.isInteger(x) || x < 0 || x >= vocab);
    if (bad !== undefined) report('vocab', `${where}: ${k} holds id ${bad} outside the vocabulary (${vocab})`);
  }
  for (let i = 0; i < nc && i < e.input_ids.length; i++)
    if (e.input_ids[i] !== e.context[i]) {
      report('example', `${where}: input_ids do not start with the context`);
      break;
    }
  for (let i = 0; i < nt; i++)
    if (e.input_ids[nc + i] !== e.target[i]) {
      report('example', `${where}: input_ids do not continue with the target`);
      break;
    }
  for (let i = 0; i < e.labels.length; i++) {
    const real = e.attention_mask[i] === 1;
    const inTarget = i >= nc && i < nc + nt;
    const want = !real ? IGNORE_INDEX : e.example_type === 'sequential' || inTarget ? e.input_ids[i] : IGNORE_INDEX;
    if (e.labels[i] !== want) {
      report('label', `${where}: labels[${i}] is ${e.labels[i]}, expected ${want}`);
      break;
    }
  }
}
