/**
 * Worker-thread entry (dist/worker.js): answers the extension's requests with the engine.
 * Protocol: ./protocol.ts. One request may run at a time per kind of work; cancels abort its signal.
 */
import * as os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { runThreadIfAsked } from '../core/threads';
import { findLocalHfTokenizers } from '../core/tokenize';
import { overviewFromOutput } from './overview';
import { analyzeAt, contextView, exampleView, tokenView } from './analysis';
import { build } from './build';
import { buildChunks, buildCounts } from './dataset';
import { commitFiles, listCommitsPage, readBlobAt } from './history';
import { toWorkerError, type HostToWorker, type Request, type WorkerToHost } from './protocol';

// This file is also the script of a build's token worker threads: those serve tokenization only.
const port = runThreadIfAsked() ? null : parentPort;
if (!port && !parentPort) throw new Error('dist/worker.js must run in a worker thread');

const running = new Map<number, AbortController>();

function send(msg: WorkerToHost): void {
  port!.postMessage(msg);
}

async function handle(id: number, req: Request, signal: AbortSignal): Promise<unknown> {
  switch (req.kind) {
    case 'build':
      return build(req, {
        // this same script is the build's pipeline thread and its token and chunk threads (see the entry check above)
        script: __filename,
        signal,
        onProgress: (event) => send({ type: 'progress', id, event }),
        log: (line) => send({ type: 'log', id, line }),
        tokenWorkers: { script: __filename, count: Math.max(0, Math.min(req.workers ?? 2, os.availableParallelism())) },
      });
    case 'listCommits':
      return listCommitsPage(req.repo, req.skip, req.limit, req.filter, signal);
    case 'commitFiles':
      return commitFiles(req.repo, req.commit, req.parent);
    case 'readBlob':
      return readBlobAt(req.repo, req.commit, req.path);
    case 'buildChunks':
      return buildChunks(req.outDir, req.commit);
    case 'buildCounts':
      return buildCounts(req.outDir, req.filter);
    case 'analyze':
      return analyzeAt(req);
    case 'tokenView':
      return tokenView(req.text, req.title, req.tokenizer);
    case 'exampleView':
      return exampleView(req);
    case 'contextView':
      return contextView(req);
    case 'overview':
      return overviewFromOutput(req.outDir);
    case 'findTokenizers':
      return findLocalHfTokenizers();
    case 'crash':
      // dropped from the shipped bundles (esbuild dropLabels): there a crash request is answered like any unknown one
      TEST_AIDS: {
        setTimeout(() => {
          throw new Error('deliberate crash (test request)');
        });
        return new Promise(() => undefined);
      }
      throw new Error('no test aids in this build');
  }
}

port?.on('message', (msg: HostToWorker) => {
  if (msg.type === 'cancel') {
    running.get(msg.id)?.abort();
    return;
  }
  const ac = new AbortController();
  running.set(msg.id, ac);
  handle(msg.id, msg.request, ac.signal)
    .then(
      (result) => send({ type: 'result', id: msg.id, result }),
      (err: unknown) => send({ type: 'error', id: msg.id, error: toWorkerError(err) }),
    )
    .finally(() => running.delete(msg.id));
});
