/**
 * The whole pipeline: history → chunks → context → (redaction) → tokens → examples → files.
 * Called by the CLI and by the VS Code worker; no vscode imports.
 *
 *   const result = await runPipeline({ repo: '.', out: './commit-corpus-out' }, { onProgress, signal, log });
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import pkg from '../../package.json';
import type { ChunkRecord, CommitInfo, CommitRecord, Phase, ProgressSink } from './types';
import { Cache } from './pipeline/cache';
import { SpillStore, type SpillRef } from './pipeline/spill';
import { decodeTokenEntry, encodeTokenEntry, type TokenEntry, type TokenGroup } from './pipeline/tokcache';
import { tokenizeCommit } from './pipeline/tokenizeCommit';
import { TokenPool, TokenWorkerOutOfMemory } from './threads/tokenPool';
import { chunkInWorkers } from './threads/chunkThreads';
import { memoTokenizer } from './pipeline/memoTokenizer';
import { assembleExamples, runStats, type SpilledGroup, type StreamChunk } from './pipeline/assemble';
import { CommitPreparer, type PreparedJob } from './pipeline/prepare';
import { CHUNK_SETTING_KEYS, chunkerOptions, chunkOne, historyOptions, isEntryOf, scrubEntry, sliceHistory, type ChunkedCommit, type ChunkSettings, type CommitCacheEntry } from './pipeline/chunks';
import { Redactor } from './dataset/redact';
import { resolveSettings, UsageError, type PipelineOptions } from './pipeline/options';
import { createChunker, loadTokenizer, openRepository, tokenizerSha256 } from './pipeline/stages';
import type { SplitName } from './dataset/dedup';
import type { BuiltDataset, PhaseTiming } from './dataset/model';
import { AtomicDir, checkOutputFolder, datasetIntact, sha256, stableJson, type ProtectedPath } from './dataset/output';
import { AbortError } from './errors';
import { assignSplits } from './dataset/splits';
import { writeDataset } from './dataset/write';

export type { PipelineOptions } from './pipeline/options';
export { AbortError, UsageError } from './errors';

export const TOOL_VERSION: string = (pkg as { version: string }).version;

/** Heap cap of chunk threads that run beside token workers (overlapChunks): their caches are leaner too. */
const OVERLAP_CHUNK_HEAP_MB = 256;

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
   * Run the token pass while chunk threads run, one commit behind the other, with fewer token workers
   * until chunking ends (default false). The chunk threads then run with leaner caches and a 256 MiB heap.
   * On 2 cores it uses the core the chunk thread leaves idle, but three busy threads share two cores and
   * the total CPU time grows: tokio, interleaved CLI runs, 78–99 s at 900–965 MiB vs 83–90 s at 890–980 MiB.
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

interface LastRun {
  runKey: string;
  head: string;
  out: string;
  manifestSha256: string;
  result: PipelineResult;
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AbortError();
}

/** Phase timings for the manifest, in start order; phases may overlap (tokens start while chunk threads run). */
class PhaseClock {
  readonly phases: PhaseTiming[] = [];
  private readonly startedAt = new Map<string, number>();
  /** Starts a phase; the returned function ends it with its counts. */
  start(phase: string): (counts: Record<string, number>) => void {
    const t0 = performance.now();
    const start = new Date();
    this.startedAt.set(phase, t0);
    return (counts) => {
      const end = new Date();
      this.phases.push({ phase, start: start.toISOString(), end: end.toISOString(), duration_ms: Math.round(performance.now() - t0), counts });
      this.phases.sort((a, b) => this.startedAt.get(a.phase)! - this.startedAt.get(b.phase)!);
    };
  }
}

export async function runPipeline(opts: PipelineOptions, hooks: PipelineHooks = {}): Promise<PipelineResult> {
  const t0 = performance.now();
  const { signal } = hooks;
  const settings = resolveSettings(opts);
  // log lines and error messages may quote paths and names from the repository: redacted like the dataset
  const scrub = (line: string) => (settings.redact ? new Redactor().redact(line) : line);
  const log = hooks.log ? (line: string) => hooks.log!(scrub(line)) : () => {};
  const progress = (phase: Phase, done: number, total?: number, message?: string) => hooks.onProgress?.({ phase, done, total, message });
  const repoDir = path.resolve(opts.repo);
  const outDir = path.resolve(opts.out);
  if (!fs.existsSync(repoDir)) throw new UsageError(`repository not found: ${repoDir}`);
  checkAbort(signal);

  const clock = new PhaseClock();
  /** Starts a phase: its timing for the manifest, and a first progress event (shells show the phase at once). */
  const begin = (phase: Phase, total?: number, announce = true) => {
    if (announce) progress(phase, 0, total);
    return clock.start(phase);
  };
  const repo = await openRepository(repoDir, { allowMissingObjects: settings.allowMissingObjects });
  const cacheBase = opts.cacheDir ? path.resolve(opts.cacheDir) : path.join(repoDir, '.commit-corpus');
  // replacing the output folder must never delete the repository, its git folder or the cache
  const protect: ProtectedPath[] = [
    { label: 'repository', path: repo.dir },
    { label: 'git folder', path: repo.gitdir, noInside: true },
    ...(repo.commondir !== repo.gitdir ? [{ label: 'git folder', path: repo.commondir, noInside: true }] : []),
    ...(opts.cache !== false ? [{ label: 'cache', path: cacheBase }] : []),
  ];
  try {
    checkOutputFolder(outDir, protect);
  } catch (e) {
    repo.close();
    throw e;
  }
  let chunker: Chunker | null = null;
  let rechunker = null as { repo: Awaited<ReturnType<typeof openRepository>>; chunker: Chunker } | null;
  let out: AtomicDir | null = null;
  let spill: SpillStore | null = null;
  let pool: TokenPool | null = null;
  // stops the chunk stage when the run fails or is cancelled while that stage runs in the background
  const stopChunks = new AbortController();
  const onAbort = () => stopChunks.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  let chunkStage: Promise<void> = Promise.resolve();
  try {
    // The tokenizer is loaded on this thread when first needed: not at all for a no-op rebuild, and after
    // chunking when chunk threads do that (each loads its own), so its ~100 MiB is not held beside theirs.
    const tokSha = tokenizerSha(opts.tokenizer);
    let tokLoaded = null as Tokenizer | null;
    let mtokLoaded = null as ReturnType<typeof memoTokenizer> | null;
    const getTok = () => (tokLoaded ??= getTokenizer(opts.tokenizer));
    // repeated strings (snippets, code sides, grouped chunks) are encoded once per run
    const getMtok = () => (mtokLoaded ??= memoTokenizer(getTok()));
    const head = await repo.resolveRef(settings.ref);
    if (head === null) throw new Error(`${repoDir}: ref "${settings.ref}" does not resolve to a commit (empty repository?)`);
    const cache = new Cache(cacheBase, opts.cache !== false, log);
    const settingsJson = { ...settings, tokenizer: opts.tokenizer ?? 'bundled:qwen3' };
    const runKey = sha256(stableJson({ settingsJson, tok: tokSha, out: outDir, v: TOOL_VERSION }));

    // ── No-op rebuild: same HEAD, same settings, output intact.
    const last = cache.get<LastRun>('', 'last-run');
    if (last && last.runKey === runKey && last.head === head && last.out === outDir) {
      // every file as the manifest lists it (a deleted or changed file means a rebuild)
      if (datasetIntact(outDir, last.manifestSha256)) {
        log(`up to date: ${outDir} (HEAD ${head.slice(0, 12)})`);
        return { ...last.result, upToDate: true, durationMs: Math.round(performance.now() - t0) };
      }
    }

    // entries are scrubbed before they are cached: redaction settings are part of their key
    const chunkKey = sha256(stableJson({ v: TOOL_VERSION, cacheFormat: 3, s: pick(settings, ['include', 'exclude', 'languages', 'maxFileBytes', 'detectRenames', 'maxChunkChars', 'contextLines', 'snippetTokens', 'contextTokens', 'context', 'redact', 'keepAuthorEmails', 'fileTimeout', 'allowMissingObjects']), tok: tokSha })).slice(0, 16);
    const tokKey = sha256(stableJson({ v: TOOL_VERSION, cacheFormat: 3, s: pick(settings, ['format', 'budgets']), tok: tokSha })).slice(0, 16);
    const chunkNs = `chunks-${chunkKey}`;
    const tokNs = `tokens-${tokKey}`;

    // ── History (+ chunks for commits not in the cache).
    const endHistory = begin('history');
    const history = sliceHistory(settings);
    const historyOpts = { ...historyOptions(history), maxCommits: settings.maxCommits ?? undefined };
    const listed = await repo.listCommits(historyOpts);
    const order: string[] = listed.map((c: CommitInfo) => c.hash).reverse(); // oldest first
    let missing = order.filter((h) => !cache.has(chunkNs, h));
    endHistory({ commits: order.length, cached: order.length - missing.length });
    log(`history: ${order.length} commits (${order.length - missing.length} cached)`);
    checkAbort(signal);

    const timeOf = new Map(listed.map((c: CommitInfo) => [c.hash, c.committer.timestamp]));

    // ── Chunks for the commits not in the cache. On chunk threads this stage runs in the background and
    //    the prepare pass below follows right behind it, taking each commit once its entry is in the cache
    //    (same order, same output); the main thread and the chunk thread then share the two cores.
    const endChunks = begin('chunks', missing.length);
    // Entries stay in memory only when there is no cache to reload them from.
    const keepInMemory = !cache.enabled;
    const entries = new Map<string, CommitCacheEntry>();
    // Commits a chunk thread posted (JSON, not yet scrubbed) that the prepare pass, right behind it, has not
    // taken yet: it scrubs them and writes their cache entries.
    const posted = new Map<string, string>();
    let processed = 0;
    const missingTotal = missing.length;
    const toChunk = new Set(missing);
    const chunked = new Set<string>(); // commits chunked by this run (entries in the cache)
    let waiting = null as { hash: string; wake: () => void } | null;
    const onChunked = (h: string, json?: string) => {
      if (json !== undefined) posted.set(h, json);
      processed++;
      chunked.add(h);
      progress('chunks', processed, missingTotal);
      if (waiting?.hash === h) waiting.wake();
    };
    const chunkSettings: ChunkSettings = pick(settings, [...CHUNK_SETTING_KEYS]);
    const chunkThreads = hooks.tokenWorkers ? (hooks.chunkThreads ?? 0) : 0;
    const overlap = hooks.overlapChunks ?? false;
    const workerCount = hooks.tokenWorkers?.count ?? 0;
    // Asked for (hooks.chunkThreads): contiguous slices on worker threads, whatever the number of commits (a
    // thread is what the watchdog can terminate when a file gets stuck); this thread scrubs and caches what
    // they post.
    const threaded = chunkThreads >= 1 && missing.length > 0;
    let stuck = new Set<string>();
    let chunking = missing.length > 0;
    const chunkSignal = stopChunks.signal;
    chunkStage = (async () => {
      if (threaded) {
        log(`chunks: ${chunkThreads} worker threads`);
        await chunkInWorkers(
          hooks.tokenWorkers!.script,
          chunkThreads,
          {
            repoDir,
            allowMissingObjects: settings.allowMissingObjects,
            tokenizer: opts.tokenizer,
            chunk: chunkSettings,
            lean: overlap,
            history,
          },
          order,
          new Set(missing),
          { onEntry: onChunked, log, signal: chunkSignal, heapMb: hooks.chunkWorkerHeapMb ?? (overlap ? OVERLAP_CHUNK_HEAP_MB : undefined) },
        ).then(
          (keys) => (stuck = new Set(keys)),
          (e: unknown) => {
            checkAbort(chunkSignal);
            throw e;
          },
        );
        checkAbort(chunkSignal);
        missing = missing.filter((h) => !chunked.has(h));
        if (missing.length) log(`chunks: ${missing.length} commits left to the main thread (a chunk thread ran out of heap)`);
      }
      if (missing.length > 0) {
        chunker = await createChunker({
          ...chunkerOptions(chunkSettings, (s: string, limit?: number) => getMtok().count(s, limit)),
          skipFile: (commit, path) => stuck.has(`${commit}\0${path}`),
        });
        const missingSet = new Set(missing);
        // Only a suffix missing (the usual incremental case): walk history from the last cached commit.
        const firstMissing = order.indexOf(missing[0]);
        const suffix = missing.length === order.length - firstMissing;
        const sinceCommit = suffix && firstMissing > 0 ? order[firstMissing - 1] : undefined;
        for await (const rec of repo.history({ ...historyOpts, sinceCommit }, chunkSignal) as AsyncIterable<CommitRecord>) {
          checkAbort(chunkSignal);
          if (!missingSet.has(rec.commit.hash)) continue;
          const entry = scrubEntry(await chunkOne(chunker, rec, repo), chunkSettings);
          cache.put(chunkNs, rec.commit.hash, entry);
          if (keepInMemory) entries.set(rec.commit.hash, entry);
          onChunked(rec.commit.hash);
        }
        chunker.dispose();
        chunker = null;
      }
      endChunks({ processed, cached: order.length - processed });
      log(`chunks: processed ${processed} commits, reused ${order.length - processed} from the cache`);
      // history is not read again: its caches (blob ring, trees, delta bases, parsed commits) go now
      repo.close();
      chunking = false;
      (pool as TokenPool | null)?.grow(workerCount);
      waiting?.wake();
    })();
    chunkStage.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    // On the main thread the stage is the only work; on chunk threads, the prepare pass below follows it.
    if (!threaded) await chunkStage;
    checkAbort(signal);
    /** Resolves once commit `h` is chunked (at once when it needs no chunking) or the chunk stage ended. */
    const ready = async (h: string): Promise<void> => {
      if (!chunking || !toChunk.has(h) || chunked.has(h)) return;
      await Promise.race([new Promise<void>((wake) => (waiting = { hash: h, wake })), chunkStage]);
      waiting = null;
    };

    // ── Two passes in commit order. "prepare": redaction (before tokenization), message cleaning, exact
    //    dedup, each commit's token job; it follows right behind the chunk threads, on this otherwise idle
    //    thread, and spills the jobs it makes meanwhile. "tokens": the jobs' tokens (cached by content, on
    //    token workers), chunk rows streamed to chunks.jsonl; it starts once chunking ends (or at once with
    //    overlapChunks). Token ids go to the spill file as they come.
    // (while chunk threads run, their progress is what the shells show)
    const endTokens = begin('tokens', order.length, !chunking);
    const seedLayout = settings.layout === 'seed';
    out = new AtomicDir(outDir, protect);
    const chunkStreams = [out.stream('chunks.jsonl'), ...(seedLayout ? [out.stream('chunks_enhanced.jsonl')] : [])];
    const splitOf = assignSplits(order.map((h) => ({ hash: h, time: timeOf.get(h) ?? 0 })), settings.splits);
    spill = new SpillStore();
    const store = spill;
    // A group's ids (context then target), its signature and each chunk's ids go to the spill file as they
    // come and are read back after the token pass: they do not stay in memory beside the threads.
    const groups: SpilledGroup[] = [];
    const segs: StreamChunk[] = [];
    const chunkIdRefs: SpillRef[] = [];
    let tokenCount = 0;
    let tokenized = 0;
    let done = 0;

    /** A commit ready for tokens: its job (JSON of { commit, chunks }), spilled while chunking runs. */
    interface Prepared extends Omit<PreparedJob, 'job'> {
      h: string;
      job: string | SpillRef;
    }
    const prepared: Array<Prepared | null> = [];
    let consumed = 0;
    let preparedWake = null as (() => void) | null;
    let consumerWake = null as (() => void) | null;
    // Tokenization runs on worker threads when asked (hooks.tokenWorkers) and worth it; results are
    // consumed in commit order through a bounded window (16 commits keep 2 workers busy; each waiting result
    // holds its ids and decoded texts), so output is identical either way.
    const WINDOW = 16;

    const preparer = new CommitPreparer(settings, splitOf);
    const { tally } = preparer;
    // A cache entry that is damaged (it does not parse, fails its checksum or is not this commit's) is not
    // trusted: the commit is chunked again, alone, by a reader and chunker of its own (same output: a commit's
    // chunks depend on the commit and the repository only).
    async function rechunk(h: string): Promise<CommitCacheEntry> {
      log(`cache: the entry of commit ${h.slice(0, 12)} is damaged or missing; chunking the commit again`);
      rechunker ??= {
        repo: await openRepository(repoDir, { allowMissingObjects: settings.allowMissingObjects }),
        chunker: await createChunker(chunkerOptions(chunkSettings, (s: string, limit?: number) => getMtok().count(s, limit))),
      };
      const i = order.indexOf(h);
      for await (const rec of rechunker.repo.history({ ...historyOpts, ref: h, sinceCommit: i > 0 ? order[i - 1] : undefined }, signal) as AsyncIterable<CommitRecord>) {
        if (rec.commit.hash !== h) continue;
        const entry = scrubEntry(await chunkOne(rechunker.chunker, rec, rechunker.repo), chunkSettings);
        cache.put(chunkNs, h, entry);
        return entry;
      }
      throw new Error(`commit ${h} is listed by history but could not be read again`);
    }
    async function prepare(h: string): Promise<Prepared> {
      const json = posted.get(h);
      let e: CommitCacheEntry | undefined;
      if (json !== undefined) {
        // a chunk thread's commit: scrubbed here, then cached
        e = scrubEntry(JSON.parse(json) as ChunkedCommit, chunkSettings);
        cache.put(chunkNs, h, e);
      } else e = entries.get(h) ?? cache.get<CommitCacheEntry>(chunkNs, h, isEntryOf(h)) ?? (await rechunk(h));
      posted.delete(h);
      entries.delete(h);
      for (const f of e.timeouts ?? []) log(`chunks: ${f} at ${h.slice(0, 12)} took longer than ${settings.fileTimeout} s (--file-timeout); skipped (timeout)`);
      const p = preparer.prepare(h, e);
      // far ahead of the token pass (chunk threads still running): the job waits on disk
      return { h, ...p, job: chunking ? store.put(p.job) : p.job };
    }

    const preparing = (async () => {
      for (const h of order) {
        checkAbort(signal);
        if (chunking) {
          // behind the chunk threads: wait for this commit's entry; let their messages in between commits
          await ready(h);
          await new Promise(setImmediate);
          checkAbort(signal);
        }
        // nothing else to do here: stay at most a window ahead of the token pass (jobs kept in memory)
        while (!chunking && prepared.length - consumed >= 2 * WINDOW) await new Promise<void>((wake) => (consumerWake = wake));
        prepared.push(await prepare(h));
        preparedWake?.();
      }
    })();
    preparing.catch(() => undefined); // awaited through next(); never an unhandled rejection meanwhile
    if (!overlap) await Promise.race([chunkStage, preparing.then(() => chunkStage)]);
    checkAbort(signal);

    /** The next prepared commit in order (waits for the prepare pass). */
    const next = async (): Promise<Prepared> => {
      while (prepared.length <= consumed) {
        await Promise.race([new Promise<void>((wake) => (preparedWake = wake)), preparing]);
        preparedWake = null;
        checkAbort(signal);
      }
      const p = prepared[consumed]!;
      prepared[consumed++] = null;
      consumerWake?.();
      consumerWake = null;
      return p;
    };

    const inflight: Array<{ h: string; split: SplitName; job: string; spans: number[]; redactions: number[]; result: TokenEntry | Promise<TokenEntry> }> = [];
    const poolWanted = !!hooks.tokenWorkers && workerCount > 0 && countMissingTokens() >= (hooks.tokenWorkers.minJobs ?? 64);
    // the workers encode: the chunker's counts remembered here would not be looked up again
    if (poolWanted) mtokLoaded?.clear();
    // while chunk threads run, fewer token workers (the chunk threads have the other cores); all once they end
    const startPool = () => {
      const n = chunking ? Math.max(1, workerCount - chunkThreads) : workerCount;
      log(`tokens: ${n} worker threads${n < workerCount ? ` (${workerCount} once chunking ends)` : ''}`);
      return new TokenPool(hooks.tokenWorkers!.script, n, opts.tokenizer, { format: settings.format, budgets: settings.budgets });
    };
    function countMissingTokens(): number {
      let n = 0;
      for (const h of order) if (!cache.hasBytes(tokNs, h)) n++;
      return n;
    }
    /** Tokens of a job on this thread: from the same JSON text the workers get. */
    const tokenizeHere = (job: string) => {
      const { commit, chunks } = JSON.parse(job) as { commit: CommitInfo; chunks: ChunkRecord[] };
      return tokenizeCommit(getMtok(), commit, chunks, settings);
    };
    for (let i = 0; i < order.length; i++) {
      checkAbort(signal);
      const { h, split, job: j, key, spans, redactions } = await next();
      const job = typeof j === 'string' ? j : store.get(j);
      const bytes = cache.getBytes(tokNs, h);
      const hit = bytes ? decodeTokenEntry(bytes) : undefined;
      let result: TokenEntry | Promise<TokenEntry>;
      if (hit && hit.key === key) result = hit;
      else {
        tokenized++;
        const keep = (r: { groups: TokenGroup[]; chunkIds: Int32Array[] }): TokenEntry => {
          const entry = { key, ...r };
          cache.putBytes(tokNs, h, encodeTokenEntry(entry));
          return entry;
        };
        if (!pool && poolWanted) pool = startPool();
        if (pool) {
          const pr = pool
            .run(job) // the JSON text: cheaper to post than the object graph
            .catch((e: unknown) => {
              if (!(e instanceof TokenWorkerOutOfMemory)) throw e;
              log(`tokens: commit ${h.slice(0, 12)} needs more memory than a token worker has; tokenized on the main thread`);
              return tokenizeHere(job);
            })
            .then(keep);
          pr.catch(() => undefined); // awaited in order below; never an unhandled rejection meanwhile
          result = pr;
        } else result = keep(tokenizeHere(job));
      }
      inflight.push({ h, split, job, spans, redactions, result });
      if (inflight.length >= WINDOW) await finishOne();
    }
    while (inflight.length) await finishOne();
    await chunkStage;
    // the workers' memory (a tokenizer each) is released before the examples and write phases
    await pool?.close();
    pool = null;
    mtokLoaded?.clear();

    async function finishOne(): Promise<void> {
      const { h, split, job, spans, redactions, result } = inflight.shift()!;
      const t = await result;
      for (let i = 0; i < spans.length / 2; i++) {
        const ids = t.chunkIds[i];
        chunkIdRefs.push(store.putArrays(ids));
        const chunkJson = job.slice(spans[2 * i], spans[2 * i + 1]);
        // = JSON.stringify({ ...chunk, dataset_split, tokens, redactions } satisfies ChunkRow): the chunk's JSON with three more keys
        const line = `${chunkJson.slice(0, -1)},"dataset_split":${JSON.stringify(split)},"tokens":${ids.length},"redactions":${redactions[i]}}\n`;
        for (const st of chunkStreams) st.write(line);
        if (settings.mode === 'sequential') segs.push({ commitHash: h, ids, text: (JSON.parse(chunkJson) as ChunkRecord).newCode, split });
      }
      for (const g of t.groups) {
        tokenCount += g.contextIds.length + g.targetIds.length;
        if (settings.mode === 'commit') {
          const all = store.putArrays(g.contextIds, g.targetIds);
          groups.push({ hash: h, split, numChunks: spans.length / 2, all, ctxLen: g.contextIds.length, text: store.put(g.text), truncated: g.truncated, sig: g.sig && store.putArrays(g.sig) });
        }
      }
      ++done;
      if (!chunking) progress('tokens', done, order.length); // while chunk threads run, their progress is shown
    }
    for (const st of chunkStreams) st.close();
    endTokens({ commits: order.length, tokenized, cached: order.length - tokenized, tokens: tokenCount, chunks: tally.chunks });
    checkAbort(signal);

    // ── Examples: near dedup, windows, splits.
    const endExamples = begin('examples', 1);
    const tok = getTok();
    const padId = padTokenId(tok);
    const w = { contextWindow: settings.contextWindow, targetWindow: settings.targetWindow, padId };
    const assembled = assembleExamples(settings, w, store, groups, segs);
    const { examples, counts: exCounts, near } = assembled;
    endExamples({ ...exCounts, near_duplicates: near.train + near.val + near.test, exact_duplicates: tally.exactDupes });
    progress('examples', 1, 1);
    checkAbort(signal);

    // ── Stats.
    const chunkTokenIds = chunkIdRefs.map((r) => spill!.getInt32(r));
    const redactions = settings.redact ? { ...new Redactor().counts, ...tally.redactions } : {};
    const { stats, chunkingStats } = runStats({ commits: order.length, rows: preparer.rows, tally, tokens: tokenCount, chunkTokenIds, redactions, assembled });

    // ── Write.
    const endWrite = begin('write', 1);
    checkAbort(signal);
    const vocabSize = tok.vocabSize;
    const tokJson = tok.toJSON();
    const ds: BuiltDataset = {
      toolVersion: TOOL_VERSION,
      repo: { path: repoDir, ref: settings.ref, head, first: order[0] ?? null, last: order[order.length - 1] ?? null, commits: order.length },
      settings: settingsJson as unknown as Record<string, unknown>,
      tokenizer: {
        source: String(tok.source),
        sha256: tok.sha256,
        vocab_size: vocabSize,
        added_tokens: addedTokens(tok),
        json: typeof tokJson === 'string' ? tokJson : JSON.stringify(tokJson),
        special_tokens_json: stringify(tok.specialTokensJSON()),
        vocab: () => vocabOf(tokJson),
      },
      commits: preparer.rows,
      chunkCount: tally.chunks,
      chunkTokenIds,
      examples,
      windows: w,
      resolveText: (ref) => spill!.get(ref as SpillRef),
      stats,
      chunkingStats,
      phases: clock.phases,
      previousRun: last && last.out === outDir ? { head: last.head, manifest_sha256: last.manifestSha256, commits: last.result.commits.total } : null,
    };
    // the write phase's timing is recorded just before the manifest (which lists the phases) is written
    const outFiles = out.files;
    const { manifestFile } = writeDataset(out, ds, () => endWrite({ files: outFiles.length, bytes: outFiles.reduce((a, f) => a + f.bytes, 0) }));
    checkAbort(signal);
    await out.commit(() => (hooks.mayReplace ? hooks.mayReplace() : !signal?.aborted));
    progress('write', 1, 1);
    log(`wrote ${outDir}`);

    const result: PipelineResult = {
      outDir,
      manifestPath: path.join(outDir, 'manifest.json'),
      upToDate: false,
      head,
      commits: { total: order.length, processed, cached: order.length - processed },
      chunks: tally.chunks,
      examples: exCounts,
      tokens: tokenCount,
      redactions,
      duplicates: { exact: tally.exactDupes, near },
      files: out.files,
      durationMs: Math.round(performance.now() - t0),
    };
    cache.put('', 'last-run', { runKey, head, out: outDir, manifestSha256: manifestFile.sha256, result } satisfies LastRun);
    return result;
  } catch (e) {
    out?.abort();
    if (e instanceof Error && !(e instanceof AbortError)) {
      e.message = scrub(e.message);
      if (e.stack) e.stack = scrub(e.stack);
    }
    throw e;
  } finally {
    stopChunks.abort();
    await chunkStage.catch(() => undefined);
    signal?.removeEventListener('abort', onAbort);
    await pool?.close();
    spill?.dispose();
    (chunker as Chunker | null)?.dispose();
    rechunker?.chunker.dispose();
    rechunker?.repo.close();
    repo.close();
  }
}

const tokenizerMemo = new Map<string, Tokenizer>();

function tokenizerKey(source?: string): string {
  if (!source) return 'bundled';
  if (!fs.existsSync(source)) throw new UsageError(`tokenizer not found: ${path.resolve(source)}`);
  return `${path.resolve(source)}:${fs.statSync(source).mtimeMs}`;
}

const shaMemo = new Map<string, string>();

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

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Pick<T, K> {
  const r = {} as Pick<T, K>;
  for (const k of keys) r[k] = o[k];
  return r;
}

function stringify(v: unknown): string {
  return typeof v === 'string' ? v : stableJson(v);
}

type Tokenizer = ReturnType<typeof loadTokenizer>;
type Chunker = Awaited<ReturnType<typeof createChunker>>;

function padTokenId(tok: Tokenizer): number {
  for (const t of ['<|endoftext|>', '<pad>', '<|pad|>', '</s>']) {
    const id = tok.tokenToId?.(t);
    if (typeof id === 'number') return id;
  }
  return 0;
}

function addedTokens(tok: Tokenizer): string[] {
  return tok.addedTokens().map((t) => t.content);
}

function vocabOf(tokJson: unknown): Record<string, number> {
  const obj = (typeof tokJson === 'string' ? JSON.parse(tokJson) : tokJson) as { model?: { vocab?: Record<string, number> }; added_tokens?: Array<{ content: string; id: number }> };
  const vocab: Record<string, number> = { ...(obj.model?.vocab ?? {}) };
  for (const t of obj.added_tokens ?? []) vocab[t.content] = t.id;
  return vocab;
}
