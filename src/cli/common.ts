/** What the CLI's commands share: their streams and context, the build flags, the summary, a run's session (Ctrl-C, progress, threads). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPipelineInThread } from '../core/threads';
import { runPipeline, UsageError, type BuildScope, type PipelineHooks, type PipelineOptions, type PipelineResult } from '../core/pipeline';
import { setOption, SETTINGS } from '../core/pipeline/schema';
import { escapeTerminal } from './escape';
import { fsProblem } from '../core/errors';
import { createProgress, type Out } from './progress';

export interface Streams {
  stdout: Out;
  stderr: Out;
}

export interface CliContext {
  /** Aborts a running build (the CLI binds SIGINT to it). */
  signal?: AbortSignal;
  /** Stops a running build at once (a second SIGINT). */
  force?: AbortSignal;
  /** Set false to leave SIGINT alone (tests). */
  handleSigint?: boolean;
  /** Script for the pipeline, token and chunk threads (the CLI entry file); none = everything on this thread. */
  workerScript?: string;
  /** The CLI script shard processes and Slurm tasks run (default workerScript), and node's arguments before it (e.g. --import tsx). */
  cliScript?: string;
  cliArgs?: string[];
}

/** parseArgs' table: every flag of the settings table, and --help. */
export const BUILD_OPTIONS: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
  ...Object.fromEntries(SETTINGS.filter((s) => s.flag).map((s) => [s.flag!, { type: s.type === 'boolean' ? 'boolean' : 'string', ...(s.multiple ? { multiple: true } : {}) }])),
  repos: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
};

/**
 * The repositories a build or plan is of: its positionals, then those listed in `--repos FILE` (one path per line;
 * blank lines and `#` comments skipped; relative paths are the file's folder's). None: the current folder.
 */
export function repositoriesFrom(positionals: string[], reposFile: unknown): Pick<PipelineOptions, 'repo' | 'repos'> {
  const list = [...positionals];
  if (typeof reposFile === 'string') {
    let text: string;
    try {
      text = fs.readFileSync(reposFile, 'utf8');
    } catch (e) {
      throw new UsageError(`Cannot read --repos ${reposFile}: ${fsProblem(e, reposFile)}.`);
    }
    const base = path.dirname(path.resolve(reposFile));
    for (const line of text.split(/\r?\n/)) {
      const t = line.trim();
      if (t && !t.startsWith('#')) list.push(path.resolve(base, t));
    }
    if (list.length === positionals.length) throw new UsageError(`--repos ${reposFile} lists no repository.`);
  }
  if (list.length <= 1) return { repo: list[0] ?? '.' };
  return { repo: list[0], repos: list };
}

/** The engine's options from the flags of the settings table (a `no-…` flag turns its setting off). */
export function optionsFromFlags(v: Record<string, string | boolean | Array<string | boolean> | undefined>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    if (!s.option || !s.flag || v[s.flag] === undefined) continue;
    const raw = v[s.flag]!;
    const value = s.type === 'boolean' ? !s.flag.startsWith('no-') : s.type === 'integer' ? int(s.flag, raw as string) : s.type === 'number' ? num(s.flag, raw as string) : raw;
    setOption(o, s.option, value);
  }
  return o;
}

/** A whole-number flag (its range is checked with the other settings by resolveSettings). */
export function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,15}$/.test(v)) throw new UsageError(`--${name} expects a whole number, got "${escapeTerminal(v)}"`);
  return Number(v);
}

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,9}(\.\d{1,6})?$/.test(v)) throw new UsageError(`--${name} expects a number, got "${escapeTerminal(v)}"`);
  return Number(v);
}

/** Chunk threads a build may ask for (default and most). */
const CHUNK_WORKERS = (({ default: d, max }) => ({ default: d as number, max: max! }))(SETTINGS.find((s) => s.flag === 'chunk-workers')!);

/** A build's summary: JSON (--json) or three lines. */
export function printResult(r: PipelineResult, json: boolean, io: Streams): void {
  if (json) io.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else {
    const ex = r.examples;
    io.stdout.write(
      r.upToDate
        ? `Dataset is up to date: ${escapeTerminal(r.outDir)}\n`
        : `Dataset written to ${escapeTerminal(r.outDir)}\n  ${r.commits.total} commits (${r.commits.processed} processed, ${r.commits.cached} from cache), ${r.chunks} chunks, ${r.tokens} tokens\n  examples: train ${ex.train}, val ${ex.val}, test ${ex.test}\n  manifest: ${escapeTerminal(displayPath(r.manifestPath))}\n`,
    );
  }
}

/** What one command's run of the engine shares: Ctrl-C handling, progress, log lines, the threads. */
export interface Session {
  hooks: PipelineHooks;
  progress: ReturnType<typeof createProgress> | null;
  /** The build's stages, on a pipeline thread when there is a worker script. */
  runner: (opts: PipelineOptions, hooks: PipelineHooks, scope: BuildScope) => Promise<PipelineResult>;
  end(): void;
}

/**
 * The first Ctrl-C (or SIGTERM) cancels: the run stops within a second and the previous output stays as it was;
 * a second one stops the threads at once. Either way nothing half-written is left.
 */
export function startSession(v: { quiet?: boolean; json?: boolean; 'chunk-workers'?: unknown; 'no-workers'?: boolean; overlap?: boolean }, io: Streams, ctx: CliContext): Session {
  const chunkThreads = int('chunk-workers', v['chunk-workers'] as string | undefined) ?? CHUNK_WORKERS.default;
  if (chunkThreads > CHUNK_WORKERS.max) throw new UsageError(`--chunk-workers must be from 0 to ${CHUNK_WORKERS.max}; got ${chunkThreads}.`);
  // with --json, stdout is the summary; a person watching (stderr on a terminal) still sees progress and log lines
  const chatty = !v.quiet && (!v.json || !!io.stderr.isTTY);
  const ac = new AbortController();
  const force = new AbortController();
  const onSignal = () => {
    if (!ac.signal.aborted) {
      ac.abort();
      if (chatty) io.stderr.write('\ncommit-corpus: interrupting (press Ctrl-C again to stop at once)\n');
    } else force.abort();
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  if (ctx.handleSigint !== false) for (const sig of signals) process.on(sig, onSignal);
  if (ctx.signal?.aborted) ac.abort();
  else ctx.signal?.addEventListener('abort', () => ac.abort(), { once: true });
  if (ctx.force?.aborted) force.abort();
  else ctx.force?.addEventListener('abort', () => force.abort(), { once: true });
  const progress = chatty ? createProgress(io.stderr) : null;
  const hooks: PipelineHooks = {
    signal: ac.signal,
    onProgress: progress?.onProgress,
    log: chatty ? (line) => io.stderr.write(`${escapeTerminal(line)}\n`) : undefined,
    tokenWorkers: ctx.workerScript && !v['no-workers'] && os.availableParallelism() > 1 ? { script: ctx.workerScript, count: Math.min(4, os.availableParallelism()) } : undefined,
    chunkThreads,
    overlapChunks: !!v.overlap,
  };
  const script = ctx.workerScript;
  return {
    hooks,
    progress,
    runner: (opts, h, scope) => (script ? runPipelineInThread(script, opts, h, { force: force.signal }, scope) : runPipeline(opts, h, scope)),
    end: () => {
      progress?.done();
      for (const sig of signals) process.removeListener(sig, onSignal);
    },
  };
}

function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}
