/** CLI argument handling and commands (testable: takes argv and streams, returns the exit code). */
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runPipelineInThread } from '../core/threads';
import { AbortError, runPipeline, TOOL_VERSION, UsageError, type PipelineHooks, type PipelineOptions } from '../core/pipeline';
import { inspectDataset } from '../core/dataset/inspect';
import { verifyDataset } from '../core/dataset/verify';
import { engineDefault, flagHelp, setOption, SETTINGS } from '../core/pipeline/schema';
import { escapeTerminal } from './escape';
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
}

export const HELP = `commit-corpus ${TOOL_VERSION}: turn a repository's git history into training data for code LLMs.

Usage:
  commit-corpus build [repo] [options]     build a dataset (default repo ".", output "./commit-corpus-out")
  commit-corpus verify DIR [--repo PATH]   re-check a written dataset against its repository
  commit-corpus inspect DIR                print a dataset's stats
  commit-corpus --help | --version

Build options:
${flagHelp()}

Verify options:
  --repo PATH               the repository to check chunks against (default: the one the manifest names)
  --no-repo                 check the files only, not the chunks against the repository
  --json                    the report as JSON

Ctrl-C cancels within a second and leaves the previous output as it was; a second Ctrl-C stops at once.
Exit codes: 0 ok, 1 failure (or verify found problems), 2 bad usage, 130 interrupted.
`;

/** parseArgs' table: every flag of the settings table, and --help. */
const BUILD_OPTIONS: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
  ...Object.fromEntries(SETTINGS.filter((s) => s.flag).map((s) => [s.flag!, { type: s.type === 'boolean' ? 'boolean' : 'string', ...(s.multiple ? { multiple: true } : {}) }])),
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
};

/** The engine's options from the flags of the settings table (a `no-…` flag turns its setting off). */
function optionsFromFlags(v: Record<string, string | boolean | Array<string | boolean> | undefined>): Record<string, unknown> {
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
function int(name: string, v: string | undefined): number | undefined {
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

export async function runCli(argv: string[], io: Streams, ctx: CliContext = {}): Promise<number> {
  // every message may quote a path or a name from the repository: escaped before it reaches the terminal
  const err = (s: string) => io.stderr.write(`${escapeTerminal(s.replace(/\n+$/, ''), true)}\n`);
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      io.stdout.write(HELP);
      return cmd ? 0 : 2;
    }
    if (cmd === '--version' || cmd === '-v') {
      io.stdout.write(`${TOOL_VERSION}\n`);
      return 0;
    }
    if (cmd === 'build') return await build(rest, io, ctx);
    if (cmd === 'verify') return await verify(rest, io);
    if (cmd === 'inspect') return inspect(rest, io);
    throw new UsageError(`unknown command "${cmd}" (expected build, verify or inspect; see --help)`);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`commit-corpus: ${(e as Error).message}\nRun "commit-corpus --help" for usage.`);
      return 2;
    }
    if (e instanceof AbortError) {
      err('commit-corpus: interrupted, nothing written');
      return 130;
    }
    err(`commit-corpus: ${(e as Error).message ?? String(e)}`);
    return 1;
  }
}

async function build(args: string[], io: Streams, ctx: CliContext): Promise<number> {
  const { values: v, positionals } = parseArgs({ args, options: BUILD_OPTIONS, allowPositionals: true, strict: true });
  if (v.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`build takes one repository, got ${positionals.length}`);
  const opts: PipelineOptions = { repo: positionals[0] ?? '.', out: engineDefault<string>('out'), ...optionsFromFlags(v) };
  const chunkThreads = int('chunk-workers', v['chunk-workers'] as string | undefined) ?? CHUNK_WORKERS.default;
  if (chunkThreads > CHUNK_WORKERS.max) throw new UsageError(`--chunk-workers must be from 0 to ${CHUNK_WORKERS.max}; got ${chunkThreads}.`);
  // with --json, stdout is the summary; a person watching (stderr on a terminal) still sees progress and log lines
  const chatty = !v.quiet && (!v.json || !!io.stderr.isTTY);
  // The first Ctrl-C (or SIGTERM) cancels: the build stops within a second and the previous output stays as it
  // was; a second one stops the threads at once. Either way nothing half-written is left.
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
  try {
    const hooks: PipelineHooks = {
      signal: ac.signal,
      onProgress: progress?.onProgress,
      log: chatty ? (line) => io.stderr.write(`${escapeTerminal(line)}\n`) : undefined,
      tokenWorkers: ctx.workerScript && !v['no-workers'] && os.availableParallelism() > 1 ? { script: ctx.workerScript, count: Math.min(4, os.availableParallelism()) } : undefined,
      chunkThreads,
      overlapChunks: !!v.overlap,
    };
    // with a worker script, the pipeline runs on a thread of its own (its young generation bounded)
    const r = ctx.workerScript ? await runPipelineInThread(ctx.workerScript, opts, hooks, { force: force.signal }) : await runPipeline(opts, hooks);
    progress?.done();
    if (v.json) io.stdout.write(JSON.stringify(r, null, 2) + '\n');
    else {
      const ex = r.examples;
      io.stdout.write(
        r.upToDate
          ? `Dataset is up to date: ${escapeTerminal(r.outDir)}\n`
          : `Dataset written to ${escapeTerminal(r.outDir)}\n  ${r.commits.total} commits (${r.commits.processed} processed, ${r.commits.cached} from cache), ${r.chunks} chunks, ${r.tokens} tokens\n  examples: train ${ex.train}, val ${ex.val}, test ${ex.test}\n  manifest: ${escapeTerminal(displayPath(r.manifestPath))}\n`,
      );
    }
    return 0;
  } finally {
    progress?.done();
    for (const sig of signals) process.removeListener(sig, onSignal);
  }
}

function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

async function verify(args: string[], io: Streams): Promise<number> {
  const { values: v, positionals } = parseArgs({ args, options: { repo: { type: 'string' }, 'no-repo': { type: 'boolean' }, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('verify takes one dataset folder');
  if (v.repo !== undefined && v['no-repo']) throw new UsageError('verify takes --repo PATH or --no-repo, not both');
  const r = await verifyDataset(positionals[0], { repo: v.repo, noBlobs: !!v['no-repo'] });
  if (v.json) io.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else {
    for (const p of r.problems) io.stdout.write(`${escapeTerminal(p)}\n`);
    const c = r.checked;
    io.stdout.write(
      `${r.problems.length === 0 ? 'OK' : `${r.problems.length} problem(s)`}: checked ${c.files} files, ${c.commits} commits, ${c.examples} examples, ${c.chunks} chunks, ${c.blobs} blobs\n`,
    );
  }
  return r.problems.length === 0 ? 0 : 1;
}

function inspect(args: string[], io: Streams): number {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('inspect takes one dataset folder');
  io.stdout.write(escapeTerminal(inspectDataset(positionals[0]), true));
  return 0;
}
