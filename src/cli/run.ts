/** CLI argument handling and commands (testable: takes argv and streams, returns the exit code). */
import { parseArgs } from 'node:util';
import { AbortError, TOOL_VERSION, UsageError, type PipelineOptions } from '../core/pipeline';
import { inspectDataset } from '../core/dataset/inspect';
import { verifyDataset } from '../core/dataset/verify';
import { engineDefault, flagHelp } from '../core/pipeline/schema';
import { escapeTerminal } from './escape';
import { BUILD_OPTIONS, optionsFromFlags, printResult, repositoriesFrom, startSession, type CliContext, type Streams } from './common';
import { launch, merge, plan, runShardCommand, SHARD_HELP } from './shard';

export type { CliContext, Streams } from './common';

export const HELP = `commit-corpus ${TOOL_VERSION}: turn a repository's git history into training data for code LLMs.

Usage:
  commit-corpus build [repo…] [options]    build a dataset (default repo ".", output "./commit-corpus-out");
                                           several repositories (or --repos FILE, a path per line) make one dataset
  commit-corpus verify DIR [--repo PATH…]  re-check a written dataset against its repositories
  commit-corpus inspect DIR                print a dataset's stats
  commit-corpus --help | --version

${SHARD_HELP}

Build options:
${flagHelp()}

Verify options:
  --repo PATH               the repository to check chunks against (default: those the manifest names);
                            repeat it for a dataset of several (each is matched by its name in the rows)
  --no-repo                 check the files only, not the chunks against the repository
  --json                    the report as JSON

Ctrl-C cancels within a second and leaves the previous output as it was; a second Ctrl-C stops at once.
Exit codes: 0 ok, 1 failure (or verify found problems), 2 bad usage, 130 interrupted.
`;

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
    if (cmd === 'plan') return await plan(rest, io);
    if (cmd === 'run-shard') return await runShardCommand(rest, io, ctx);
    if (cmd === 'merge') return await merge(rest, io, ctx);
    if (cmd === 'launch') return await launch(rest, io, ctx);
    throw new UsageError(`unknown command "${cmd}" (expected build, verify, inspect, plan, run-shard, merge or launch; see --help)`);
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
  const opts: PipelineOptions = { ...repositoriesFrom(positionals, v.repos), out: engineDefault<string>('out'), ...optionsFromFlags(v) };
  const session = startSession(v, io, ctx);
  try {
    // with a worker script, the pipeline runs on a thread of its own (its young generation bounded)
    const r = await session.runner(opts, session.hooks, {});
    session.progress?.done();
    printResult(r, !!v.json, io);
    return 0;
  } finally {
    session.end();
  }
}

async function verify(args: string[], io: Streams): Promise<number> {
  const { values: v, positionals } = parseArgs({
    args,
    options: { repo: { type: 'string', multiple: true }, 'no-repo': { type: 'boolean' }, json: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('verify takes one dataset folder');
  if (v.repo?.length && v['no-repo']) throw new UsageError('verify takes --repo PATH or --no-repo, not both');
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
