/**
 * The headless CLI:
 *   commit-corpus build [repo] [--out DIR] …    build a dataset (exit 0 ok, 1 failure, 2 bad usage, 130 interrupted)
 *   commit-corpus verify DIR [--repo PATH]      re-check a written dataset (exit 1 if anything is wrong)
 *   commit-corpus inspect DIR                   print its stats
 */
import { runThreadIfAsked } from '../core/threads';
import { runCli } from './run';

// This file is also the script of the build's token worker threads.
if (!runThreadIfAsked()) {
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, { workerScript: __filename }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`commit-corpus: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
