/**
 * The thread layer: every pipeline thread the engine starts, and the one table that runs each role. The stages
 * (../pipeline) know nothing of threads; shells start nothing but what is exported here.
 *
 *   if (!runThreadIfAsked()) main();   // first line of every script that serves as a thread (dist/cli.js, dist/worker.js)
 *
 * Roles: 'cc-pipeline' (a whole build: runPipelineInThread), 'cc-tokenize' (TokenPool's threads), 'cc-chunk'
 * (chunkInWorkers' slices). Each gets workerData = its start data + ccRole (startThread), reports errors as
 * ThreadError (./envelope) and an exhausted heap the one way isOutOfMemory tests.
 */
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { ThreadRole, ThreadStart } from './start';
import { pipelineThreadMain } from './pipelineThread';
import { tokenThreadMain } from './tokenPool';
import { chunkThreadMain } from './chunkThreads';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each role's start data is typed by its own main
const ROLES: Record<ThreadRole, (port: MessagePort, start: any) => void> = {
  'cc-pipeline': pipelineThreadMain,
  'cc-tokenize': tokenThreadMain,
  'cc-chunk': chunkThreadMain,
};

/** Runs this thread's role when it was started as a pipeline thread; false otherwise (the script's own work follows). */
export function runThreadIfAsked(): boolean {
  const role = (workerData as Partial<ThreadStart<object>> | undefined)?.ccRole;
  if (isMainThread || !parentPort || !role || !Object.hasOwn(ROLES, role)) return false;
  ROLES[role](parentPort, workerData);
  return true;
}

export { runPipelineInThread, type ThreadStop } from './pipelineThread';
export { TokenPool, TokenWorkerOutOfMemory } from './tokenPool';
export { chunkInWorkers, CHUNK_WORKER_HEAP_MB } from './chunkThreads';
export { THREAD_YOUNG_MB } from './limits';
