/**
 * Where the stages' work runs: the one place that turns the shells' thread settings (PipelineHooks) into chunk
 * threads and token workers. The stages get plain functions from it (a ChunkOffload, a TokenEncoder) and know
 * nothing of threads; nothing here changes what a build writes.
 */
import type { PipelineHooks } from '../pipeline/run';
import type { ChunkOffload, SliceHistory } from '../pipeline/stages/chunk';
import type { TokenEncoder } from '../pipeline/stages/tokens';
import type { TokenizeSettings } from '../pipeline/tokenizeCommit';
import { chunkInWorkers } from './chunkThreads';
import { TokenPool, TokenWorkerOutOfMemory } from './tokenPool';

/** Heap cap of chunk threads that run beside token workers (overlapChunks): their caches are leaner too. */
const OVERLAP_CHUNK_HEAP_MB = 256;

export class Executor {
  /** Chunk threads asked for (they need a thread script: hooks.tokenWorkers). */
  readonly chunkThreads: number;
  /** The token pass runs while chunk threads run. */
  readonly overlap: boolean;
  private readonly workers: number;
  private pool: TokenPool | null = null;
  private chunking = false;

  constructor(
    private readonly hooks: PipelineHooks,
    private readonly log: (line: string) => void,
  ) {
    this.chunkThreads = hooks.tokenWorkers ? (hooks.chunkThreads ?? 0) : 0;
    this.overlap = hooks.overlapChunks ?? false;
    this.workers = hooks.tokenWorkers?.count ?? 0;
  }

  /** Chunk threads for the chunk stage, when asked for. */
  chunkOffload(base: { repoDir: string; allowMissingObjects: boolean; tokenizer?: string; history: SliceHistory }, order: string[], before?: string): ChunkOffload | undefined {
    if (this.chunkThreads < 1) return undefined;
    const { hooks } = this;
    return async (missing, chunk, onEntry, signal) => {
      this.chunking = true;
      this.log(`chunks: ${this.chunkThreads} worker thread${this.chunkThreads === 1 ? '' : 's'}`);
      const heapMb = hooks.chunkWorkerHeapMb ?? (this.overlap ? OVERLAP_CHUNK_HEAP_MB : undefined);
      return chunkInWorkers(hooks.tokenWorkers!.script, this.chunkThreads, { ...base, chunk, lean: this.overlap }, order, new Set(missing), { onEntry, log: this.log, signal, heapMb }, before);
    };
  }

  /** Chunking ended: token workers get every core. */
  chunksEnded(): void {
    this.chunking = false;
    this.pool?.grow(this.workers);
  }

  /** True when `uncached` commits to tokenize are worth token workers (hooks.tokenWorkers.minJobs, default 64). */
  wantsTokenWorkers(uncached: number): boolean {
    const tw = this.hooks.tokenWorkers;
    return !!tw && this.workers > 0 && uncached >= (tw.minJobs ?? 64);
  }

  /**
   * The token workers' encoder (started on first use; fewer workers while chunk threads run). A job that needs
   * more memory than a worker has goes to `local`, this thread's encoder.
   */
  tokenEncoder(tokenizer: string | undefined, settings: TokenizeSettings, local: TokenEncoder): TokenEncoder {
    return (job, hash) =>
      this.startPool(tokenizer, settings)
        .run(job) // the JSON text: cheaper to post than the object graph
        .catch((e: unknown) => {
          if (!(e instanceof TokenWorkerOutOfMemory)) throw e;
          this.log(`tokens: commit ${hash.slice(0, 12)} needs more memory than a token worker has; tokenized on the main thread`);
          return local(job, hash);
        });
  }

  private startPool(tokenizer: string | undefined, settings: TokenizeSettings): TokenPool {
    if (this.pool) return this.pool;
    const n = this.chunking ? Math.max(1, this.workers - this.chunkThreads) : this.workers;
    this.log(`tokens: ${n} worker threads${n < this.workers ? ` (${this.workers} once chunking ends)` : ''}`);
    return (this.pool = new TokenPool(this.hooks.tokenWorkers!.script, n, tokenizer, settings));
  }

  /** The workers' memory (a tokenizer each) is released. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.close();
  }
}
