/** CLI argument handling and commands (testable: takes argv and streams, returns the exit code). */
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { AbortError, runPipeline, runPipelineInThread, TOOL_VERSION, UsageError, type PipelineHooks, type PipelineOptions } from '../core/pipeline';
import { inspectDataset } from '../core/dataset/inspect';
import { verifyDataset } from '../core/dataset/verify';
import { createProgress, type Out } from './progress';

export interface Streams {
  stdout: Out;
  stderr: Out;
}

export interface CliContext {
  /** Aborts a running build (the CLI binds SIGINT to it). */
  signal?: AbortSignal;
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
  --out DIR                 output folder (replaced atomically)
  --tokenizer PATH          a Hugging Face tokenizer.json (default: bundled Qwen)
  --format F                seed | starcoder | repo | plain (default seed)
  --mode M                  commit | sequential (default commit)
  --layout L                default | seed (seed also writes the seed project's file names)
  --ref REF                 branch, tag or commit (default HEAD)
  --since DATE, --until DATE  commit date range
  --max-commits N           only the newest N commits
  --include GLOB, --exclude GLOB  path filters (repeatable)
  --context-window N, --target-window N  example windows (default 2048, 256)
  --no-dedup                keep duplicates
  --no-redact               do not redact secrets / PII
  --keep-emails             keep author e-mails in commits.jsonl (code and messages are still redacted)
  --no-cache                do not read or write .commit-corpus/cache
  --cache-dir DIR           keep the cache in DIR instead of the repository's .commit-corpus/cache
  --no-workers              tokenize on the main thread only
  --chunk-workers N         chunk on N worker threads (contiguous commit slices; needs the cache; default 1,
                            0 = the main thread): the parsers' memory is freed with the threads (lower peak)
  --overlap                 tokenize while the chunk threads run instead of after them (their caches are leaner);
                            meant for machines with cores to spare: on 2 cores, tokio took 78–99 s at 900–965 MiB
                            with it and 83–90 s at 890–980 MiB without (interleaved runs, no clear gain)
  --json                    print a JSON summary on stdout (progress only on a terminal's stderr)
  -q, --quiet               no progress output

Exit codes: 0 ok, 1 failure (or verify found problems), 2 bad usage, 130 interrupted.
`;

const BUILD_OPTIONS = {
  out: { type: 'string' },
  tokenizer: { type: 'string' },
  format: { type: 'string' },
  mode: { type: 'string' },
  layout: { type: 'string' },
  ref: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  'max-commits': { type: 'string' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'context-window': { type: 'string' },
  'target-window': { type: 'string' },
  'no-dedup': { type: 'boolean' },
  'no-redact': { type: 'boolean' },
  'keep-emails': { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  'cache-dir': { type: 'string' },
  'no-workers': { type: 'boolean' },
  'chunk-workers': { type: 'string' },
  overlap: { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new UsageError(`--${name} expects a positive integer, got "${v}"`);
  return Number(v);
}

export async function runCli(argv: string[], io: Streams, ctx: CliContext = {}): Promise<number> {
  const err = (s: string) => io.stderr.write(s.endsWith('\n') ? s : `${s}\n`);
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
  const opts: PipelineOptions = {
    repo: positionals[0] ?? '.',
    out: v.out ?? './commit-corpus-out',
    tokenizer: v.tokenizer,
    format: v.format as PipelineOptions['format'],
    mode: v.mode as PipelineOptions['mode'],
    layout: v.layout as PipelineOptions['layout'],
    ref: v.ref,
    since: v.since,
    until: v.until,
    maxCommits: int('max-commits', v['max-commits']),
    include: v.include,
    exclude: v.exclude,
    contextWindow: int('context-window', v['context-window']),
    targetWindow: int('target-window', v['target-window']),
    dedup: !v['no-dedup'],
    redact: !v['no-redact'],
    keepAuthorEmails: !!v['keep-emails'],
    cache: !v['no-cache'],
    cacheDir: v['cache-dir'],
  };
  const chunkThreads = v['chunk-workers'] === '0' ? 0 : (int('chunk-workers', v['chunk-workers']) ?? 1);
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  if (ctx.handleSigint !== false) process.once('SIGINT', onSigint);
  if (ctx.signal?.aborted) ac.abort();
  else ctx.signal?.addEventListener('abort', () => ac.abort(), { once: true });
  // with --json, stdout is the summary; a person watching (stderr on a terminal) still sees progress and log lines
  const chatty = !v.quiet && (!v.json || !!io.stderr.isTTY);
  const progress = chatty ? createProgress(io.stderr) : null;
  try {
    const hooks: PipelineHooks = {
      signal: ac.signal,
      onProgress: progress?.onProgress,
      log: chatty ? (line) => io.stderr.write(`${line}\n`) : undefined,
      tokenWorkers: ctx.workerScript && !v['no-workers'] && os.availableParallelism() > 1 ? { script: ctx.workerScript, count: Math.min(4, os.availableParallelism()) } : undefined,
      chunkThreads,
      overlapChunks: !!v.overlap,
    };
    // with a worker script, the pipeline runs on a thread of its own (its young generation bounded)
    const r = ctx.workerScript ? await runPipelineInThread(ctx.workerScript, opts, hooks) : await runPipeline(opts, hooks);
    progress?.done();
    if (v.json) io.stdout.write(JSON.stringify(r, null, 2) + '\n');
    else {
      const ex = r.examples;
      io.stdout.write(
        r.upToDate
          ? `Dataset is up to date: ${r.outDir}\n`
          : `Dataset written to ${r.outDir}\n  ${r.commits.total} commits (${r.commits.processed} processed, ${r.commits.cached} from cache), ${r.chunks} chunks, ${r.tokens} tokens\n  examples: train ${ex.train}, val ${ex.val}, test ${ex.test}\n  manifest: ${displayPath(r.manifestPath)}\n`,
      );
    }
    return 0;
  } finally {
    progress?.done();
    process.removeListener('SIGINT', onSigint);
  }
}

function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

async function verify(args: string[], io: Streams): Promise<number> {
  const { values: v, positionals } = parseArgs({ args, options: { repo: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('verify takes one dataset folder');
  const r = await verifyDataset(positionals[0], { repo: v.repo });
  if (v.json) io.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else {
    for (const p of r.problems) io.stdout.write(`${p}\n`);
    const c = r.checked;
    io.stdout.write(`${r.problems.length === 0 ? 'OK' : `${r.problems.length} problem(s)`}: checked ${c.files} files, ${c.commits} commits, ${c.examples} examples, ${c.chunks} chunks, ${c.blobs} blobs\n`);
  }
  return r.problems.length === 0 ? 0 : 1;
}

function inspect(args: string[], io: Streams): number {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('inspect takes one dataset folder');
  io.stdout.write(inspectDataset(positionals[0]));
  return 0;
}
