/**
 * One build's context, handed to every stage: the resolved settings, the log (scrubbed), progress events, the
 * phase clock, the repository reader, the cache with this build's keys, and the tokenizer (loaded on first use).
 * Run.open checks what the user gave (the repository, the output folder) before anything is read or written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import pkg from '../../../package.json';
import type { Phase, ProgressSink } from '../types';
import type { SplitName } from '../examples/dedup';
import type { PhaseTiming } from '../dataset/model';
import { checkOutputFolder, sha256, stableJson, type ProtectedPath } from '../dataset/output';
import { Redactor } from '../hygiene/redact';
import { AbortError } from '../errors';
import { openRepository } from '../git/index';
import { Decontaminator } from '../hygiene/decontaminate';
import { loadTokenizer, tokenizerSha256 } from '../tokenize/index';
import { Cache } from './cache';
import { memoTokenizer } from './memoTokenizer';
import { resolveSettings, UsageError, type PipelineOptions, type ResolvedSettings } from './options';
import { settingsOf } from './schema';

export const TOOL_VERSION: string = (pkg as { version: string }).version;
/**
 * Bumped whenever the same input and settings give other chunks (context rules, unit rules): it keys the chunk cache
 * and the "up to date" check, so a build by an older engine is never taken for this one's.
 */
export const ENGINE_REVISION = 8;

export interface PipelineHooks {
  onProgress?: ProgressSink;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /**
   * Tokenize on worker threads: `script` is a .js file that calls runThreadIfAsked() when loaded
   * (the CLI bundle is its own worker) or a .ts source (run through tsx). Used when at least `minJobs`
   * (default 64) commits need tokenizing.
   */
  tokenWorkers?: { script: string; count: number; minJobs?: number };
  /**
   * Chunk on this many worker threads (contiguous commit slices, `tokenWorkers.script` as their script; needs
   * tokenWorkers). The parsers' wasm memory and the slices' readers go away with the threads, so the later
   * phases run leaner, and a watchdog can end a thread stuck in one file (see chunkInWorkers). Default 0: this
   * thread chunks (no watchdog then).
   */
  chunkThreads?: number;
  /**
   * Run the token pass while chunk threads run, one commit behind the other, with fewer token workers until
   * chunking ends (default false). The chunk threads then run with leaner caches and a smaller heap. It uses
   * the core a chunk thread leaves idle, but more busy threads share the cores (README, Benchmarks).
   */
  overlapChunks?: boolean;
  /** Heap cap of each chunk thread in MiB (default 384); a thread that runs out leaves its remaining commits to the main thread. */
  chunkWorkerHeapMb?: number;
  /**
   * Asked once, right before the finished output replaces the previous one: false = cancelled (AbortError,
   * nothing replaced). The pipeline thread answers from the flag its shell sets on cancel, so that a cancel
   * either comes before this point or the build is reported as finished. Default: the signal is not aborted.
   */
  mayReplace?: () => boolean;
}

/**
 * What a sharded build (src/core/shard) sets for its parts; users' builds leave it empty.
 */
export interface BuildScope {
  /**
   * The head commit a plan pinned for each repository (in the order of the options' repositories), used instead of
   * resolving the ref now (run-shard and merge build the planned history).
   */
  heads?: string[];
  /** No output folder (a shard: its cache is what it writes). */
  noOutput?: boolean;
  /** Read-only caches looked up after the run's own (a merge reads its shards' entries). */
  cacheLayers?: string[];
  /** What the run must resolve to (a plan's tokenizer and settings), checked before any work: else a usage error. */
  expect?: { tokenizerSha256: string; settings: Record<string, unknown> };
  /** Recorded in the manifest of a merged dataset: the plan and its shards. */
  sharded?: Record<string, unknown>;
}

export interface PipelineResult {
  outDir: string;
  manifestPath: string;
  /** True when nothing changed since the last run and the output was left as it was. */
  upToDate: boolean;
  head: string;
  commits: { total: number; processed: number; cached: number };
  chunks: number;
  examples: Record<SplitName, number>;
  tokens: number;
  redactions: Record<string, number>;
  duplicates: { exact: number; near: Record<SplitName, number> };
  files: Array<{ path: string; bytes: number; sha256: string }>;
  durationMs: number;
}

export type Tokenizer = ReturnType<typeof loadTokenizer>;
export type Repository = Awaited<ReturnType<typeof openRepository>>;

export class Run {
  readonly t0: number;
  readonly settings: ResolvedSettings;
  /** The settings as the manifest records them (and the run's cache key). */
  readonly settingsJson: ResolvedSettings & { tokenizer: string };
  readonly repoDir: string;
  readonly outDir: string;
  /** What replacing the output folder must never delete. */
  readonly protect: ProtectedPath[];
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
  readonly phases: PhaseTiming[];
  /** The repository's name in the dataset's rows (its folder's name; longer where two would be alike). */
  readonly name: string;
  // set by open(), after the checks
  tokSha = '';
  head = '';
  runKey = '';
  /** The benchmarks of --decontaminate, read before anything else (null: none). */
  decontam: Decontaminator | null = null;
  cache!: Cache;
  /** Cache namespaces: chunk entries (keyed by the chunk settings) and token entries (by the token settings). */
  chunkNs = '';
  tokNs = '';
  private tok: Tokenizer | null = null;
  private memo: ReturnType<typeof memoTokenizer> | null = null;
  private readonly startedAt: Map<PhaseTiming, number>;
  private readonly lead?: Run;
  /** One of several repositories of the build. */
  readonly group: boolean;

  private constructor(
    readonly opts: PipelineOptions,
    readonly hooks: PipelineHooks,
    readonly repo: Repository,
    settings: ResolvedSettings,
    readonly cacheBase: string,
    readonly scope: BuildScope,
    /** One of several repositories of a build: its name, and the first one's run unless it is the first (whose phases, clock and tokenizer all share). */
    group?: RunGroup,
  ) {
    this.settings = settings;
    this.settingsJson = { ...settings, tokenizer: opts.tokenizer ?? 'bundled:qwen3' };
    this.repoDir = path.resolve(opts.repo);
    this.outDir = path.resolve(opts.out);
    this.signal = hooks.signal;
    this.name = group?.name ?? repoNames([this.repoDir])[0];
    this.group = !!group;
    const lead = (this.lead = group?.lead);
    this.phases = lead?.phases ?? [];
    this.startedAt = lead?.startedAt ?? new Map();
    this.t0 = lead?.t0 ?? performance.now();
    // with several repositories, each line says which one it is about
    const prefix = group ? `${group.name}: ` : '';
    this.log = hooks.log ? (line) => hooks.log!(this.scrub(prefix + line)) : () => {};
    this.protect = [
      { label: 'repository', path: repo.dir },
      { label: 'git folder', path: repo.gitdir, noInside: true },
      ...(repo.commondir !== repo.gitdir ? [{ label: 'git folder', path: repo.commondir, noInside: true }] : []),
      ...(opts.cache !== false ? [{ label: 'cache', path: cacheBase }] : []),
    ];
  }

  /**
   * The settings resolved, the repository opened, the output folder checked (it may never hold the repository,
   * its git folder or the cache), the cache keys made. Errors past the checks are scrubbed like the log.
   */
  static async open(opts: PipelineOptions, hooks: PipelineHooks, scope: BuildScope = {}, group?: RunGroup & { head?: string }): Promise<Run> {
    const settings = resolveSettings(opts);
    const repoDir = path.resolve(opts.repo);
    if (!fs.existsSync(repoDir)) throw new UsageError(`repository not found: ${repoDir}`);
    const decontam = group?.lead ? group.lead.decontam : settings.decontaminate.length ? Decontaminator.load(settings.decontaminate) : null;
    if (hooks.signal?.aborted) throw new AbortError();
    const repo = await openRepository(repoDir, { allowMissingObjects: settings.allowMissingObjects });
    const base = opts.cacheDir ? path.resolve(opts.cacheDir) : path.join(repoDir, '.commit-corpus');
    const run = new Run(opts, hooks, repo, settings, base, scope, group);
    run.decontam = decontam;
    run.pinnedHead = group ? group.head : scope.heads?.[0];
    try {
      if (!scope.noOutput) checkOutputFolder(run.outDir, run.protect);
    } catch (e) {
      repo.close();
      throw e;
    }
    try {
      await run.key();
      run.checkExpected();
      return run;
    } catch (e) {
      repo.close();
      throw run.scrubError(e);
    }
  }

  private async key(): Promise<void> {
    const { settings, opts } = this;
    this.tokSha = tokenizerSha(opts.tokenizer);
    const pinned = this.pinnedHead;
    const head = await this.repo.resolveRef(pinned ?? settings.ref).catch((e: unknown) => (pinned ? null : Promise.reject(e)));
    if (head === null || (pinned && head !== pinned))
      throw new Error(
        pinned ? `${this.repoDir}: the planned head commit ${pinned} is not in this repository` : `${this.repoDir}: ref "${settings.ref}" does not resolve to a commit (empty repository?)`,
      );
    this.head = head;
    this.cache = new Cache(this.cacheBase, opts.cache !== false, this.log, this.scope.cacheLayers);
    // the benchmark files' contents key the run too: a changed benchmark means a rebuild
    this.runKey = sha256(stableJson({ settingsJson: this.settingsJson, tok: this.tokSha, out: this.outDir, v: TOOL_VERSION, engine: ENGINE_REVISION, decontaminate: this.decontam?.sha256 ?? [] }));
    // entries are scrubbed before they are cached: redaction settings are part of their key
    const nsKey = (s: object) => sha256(stableJson({ v: TOOL_VERSION, cacheFormat: 3, s, tok: this.tokSha })).slice(0, 16);
    // the settings that change a commit's chunks key the chunk cache; those that change its ids, the token cache
    this.chunkNs = `chunks-${nsKey({ ...pick(settings, settingsOf('files', 'chunks')), engine: ENGINE_REVISION })}`;
    this.tokNs = `tokens-${nsKey(pick(settings, settingsOf('tokens')))}`;
  }

  /** The head the plan pinned for this repository, if any. */
  private pinnedHead?: string;

  private checkExpected(): void {
    const x = this.scope.expect;
    if (!x) return;
    if (this.tokSha !== x.tokenizerSha256) throw new UsageError(`The tokenizer ${this.settingsJson.tokenizer} is not the one the plan was made with (its sha256 differs): make the plan again.`);
    if (stableJson(this.settingsJson) !== stableJson(x.settings)) throw new UsageError("This engine resolves the plan's settings otherwise than the one that made it: make the plan again.");
  }

  /** Log lines and error messages may quote paths and names from the repository: redacted like the dataset. */
  scrub(line: string): string {
    return this.settings.redact ? new Redactor().redact(line) : line;
  }

  scrubError(e: unknown): unknown {
    if (e instanceof Error && !(e instanceof AbortError)) {
      e.message = this.scrub(e.message);
      if (e.stack) e.stack = this.scrub(e.stack);
    }
    return e;
  }

  checkAbort(signal = this.signal): void {
    if (signal?.aborted) throw new AbortError();
  }

  progress(phase: Phase, done: number, total?: number, message?: string): void {
    // several repositories: a repository's phase says which one it is at
    if (message === undefined && this.group && REPOSITORY_PHASES.has(phase)) message = this.name;
    this.hooks.onProgress?.({ phase, done, total, message });
  }

  /**
   * Starts a phase: a first progress event unless `announce` is false (shells show the phase at once), and its
   * timing for the manifest, in start order (phases may overlap). The returned function ends it with its counts.
   */
  begin(phase: Phase, total?: number, announce = true): (counts: Record<string, number>) => void {
    if (announce) this.progress(phase, 0, total);
    const t0 = performance.now();
    const start = new Date();
    // several repositories: their history, chunks and tokens phases are each repository's (examples and write are the build's)
    const repo = this.group && REPOSITORY_PHASES.has(phase) ? { repo: this.name } : {};
    return (counts) => {
      const end = new Date();
      const timing: PhaseTiming = { phase, ...repo, start: start.toISOString(), end: end.toISOString(), duration_ms: Math.round(performance.now() - t0), counts };
      this.startedAt.set(timing, t0);
      this.phases.push(timing);
      this.phases.sort((a, b) => this.startedAt.get(a)! - this.startedAt.get(b)!);
    };
  }

  /**
   * The tokenizer, loaded on this thread when first needed: not at all for a no-op rebuild, and after chunking
   * when chunk threads chunk (each loads its own), so its memory is not held beside theirs.
   */
  tokenizer(): Tokenizer {
    if (this.lead) return this.lead.tokenizer();
    return (this.tok ??= getTokenizer(this.opts.tokenizer));
  }

  /** The tokenizer with a memo: repeated strings (snippets, code sides, grouped chunks) are encoded once per run. */
  memoTokenizer(): ReturnType<typeof memoTokenizer> {
    if (this.lead) return this.lead.memoTokenizer();
    return (this.memo ??= memoTokenizer(this.tokenizer()));
  }

  /** Token counts for the chunker's budgets. */
  readonly countTokens = (s: string, limit?: number): number => this.memoTokenizer().count(s, limit);

  /** Forgets the memo's strings (token workers encode from here on, or the token pass is over). */
  releaseMemo(): void {
    if (this.lead) this.lead.releaseMemo();
    this.memo?.clear();
  }
}

/** The phases a build of several repositories runs once per repository. */
const REPOSITORY_PHASES = new Set<Phase>(['history', 'chunks', 'tokens']);

/** A run that is one of several repositories of a build. */
export interface RunGroup {
  name: string;
  /** The first repository's run (none for the first itself). */
  lead?: Run;
}

/**
 * Names of the repositories in a dataset's rows: each folder's name, with as many parent folders as it takes to
 * tell two alike apart (`a/utils`, `b/utils`). The same repository given twice is a usage error.
 */
export function repoNames(dirs: readonly string[]): string[] {
  const parts = dirs.map((d) =>
    path
      .resolve(d)
      .split(/[\\/]+/)
      .filter(Boolean),
  );
  const real = new Map<string, string>();
  for (const d of dirs) {
    let key = path.resolve(d);
    try {
      key = fs.realpathSync(key);
    } catch {
      // a missing folder is reported when it is opened
    }
    const before = real.get(key);
    if (before !== undefined) throw new UsageError(`The repository ${path.resolve(d)} is given twice${before === path.resolve(d) ? '' : ` (as ${before} too)`}.`);
    real.set(key, path.resolve(d));
  }
  const depth = parts.map(() => 1);
  const nameOf = (i: number) => parts[i].slice(-depth[i]).join('/') || path.resolve(dirs[i]);
  for (;;) {
    const byName = new Map<string, number[]>();
    parts.forEach((_, i) => byName.set(nameOf(i), [...(byName.get(nameOf(i)) ?? []), i]));
    let grew = false;
    for (const same of byName.values())
      if (same.length > 1)
        for (const i of same)
          if (depth[i] < parts[i].length) {
            depth[i]++;
            grew = true;
          }
    if (!grew) return parts.map((_, i) => nameOf(i));
  }
}

const tokenizerMemo = new Map<string, Tokenizer>();
const shaMemo = new Map<string, string>();

function tokenizerKey(source?: string): string {
  if (!source) return 'bundled';
  if (!fs.existsSync(source)) throw new UsageError(`tokenizer not found: ${path.resolve(source)}`);
  return `${path.resolve(source)}:${fs.statSync(source).mtimeMs}`;
}

/** The tokenizer's sha256 (cache keys) without loading it; a missing file is a usage error. */
function tokenizerSha(source?: string): string {
  const key = tokenizerKey(source);
  let sha = tokenizerMemo.get(key)?.sha256 ?? shaMemo.get(key);
  if (!sha) {
    sha = tokenizerSha256(source);
    if (shaMemo.size >= 4) shaMemo.clear();
    shaMemo.set(key, sha);
  }
  return sha;
}

/** Loads a tokenizer (with the structure markers) once per process and file version. */
function getTokenizer(source?: string): Tokenizer {
  const key = tokenizerKey(source);
  let tok = tokenizerMemo.get(key);
  if (!tok) {
    tok = loadTokenizer(source);
    tok.withMarkers();
    if (tokenizerMemo.size >= 4) tokenizerMemo.clear();
    tokenizerMemo.set(key, tok);
  }
  return tok;
}

export function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  const r = {} as Pick<T, K>;
  for (const k of keys) r[k] = o[k];
  return r;
}
