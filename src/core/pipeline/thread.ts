/**
 * Starts a pipeline worker thread from `script`: a .js file (the bundled CLI or editor worker, which
 * dispatch on workerData.ccRole) or a .ts source, run through tsx (tests, benchmarks), with a V8 heap cap.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

export function startThread(script: string, workerData: unknown, heapMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: heapMb };
  if (!script.endsWith('.ts')) return new Worker(path.resolve(script), { workerData, resourceLimits });
  // (the module name is built at run time so bundlers leave this source-run-only path alone)
  const tsxApi = ['tsx', 'cjs', 'api'].join('/');
  return new Worker(`require(${JSON.stringify(require.resolve(tsxApi))}).register(); require(${JSON.stringify(path.resolve(script))});`, { eval: true, workerData, resourceLimits });
}
