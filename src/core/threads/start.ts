/**
 * Starts a pipeline thread of a role from `script`: a .js file (the bundled CLI or editor worker, whose first
 * call is runThreadIfAsked(), which dispatches on the role) or a .ts source, run through tsx (tests, benchmarks),
 * with a V8 heap cap.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { tokenizerFile } from '../tokenize/index';
import { THREAD_YOUNG_MB } from './limits';

/** The roles a pipeline thread can have (the table that runs each is runThreadIfAsked's, in ./index.ts). */
export type ThreadRole = 'cc-pipeline' | 'cc-tokenize' | 'cc-chunk';

/** What every pipeline thread gets as workerData: its role, then the role's own start data. */
export type ThreadStart<T> = T & { ccRole: ThreadRole };

/** `heapMb`: the thread's old-generation cap (none: V8's default). */
export function startThread<T extends object>(script: string, role: ThreadRole, data: T, heapMb?: number): Worker {
  const workerData: ThreadStart<T> = { ...data, ccRole: role };
  const resourceLimits: ResourceLimits = { maxYoungGenerationSizeMb: THREAD_YOUNG_MB, ...(heapMb ? { maxOldGenerationSizeMb: heapMb } : {}) };
  if (!script.endsWith('.ts')) return new Worker(path.resolve(script), { workerData, resourceLimits });
  // (the module name is built at run time so bundlers leave this source-run-only path alone)
  const tsxApi = ['tsx', 'cjs', 'api'].join('/');
  // loaded from a task, not while the eval script itself runs: a thread terminated during that evaluation
  // (a cancel or an out-of-memory report right at start) can abort the process on a Node assertion
  const load = `require(${JSON.stringify(require.resolve(tsxApi))}).register(); require(${JSON.stringify(path.resolve(script))});`;
  return new Worker(`setImmediate(() => { ${load} });`, { eval: true, workerData, resourceLimits });
}

/**
 * Can this thread's heap hold the tokenizer it is about to load? Parsing a tokenizer.json takes about
 * 5.5× its size (Qwen3: 11 MB file, +61 MiB heap). Under a cap far below that, the parse overruns it
 * inside one builtin, where V8 aborts the whole process instead of ending the thread (seen in CI with a
 * 16 MiB cap), so a thread asks first and reports itself out of memory instead.
 */
export function heapHoldsTokenizer(source?: string): boolean {
  let bytes: number;
  try {
    bytes = fs.statSync(tokenizerFile(source)).size;
  } catch {
    return true; // loading reports the missing file
  }
  return getHeapStatistics().heap_size_limit >= 8 * bytes + (16 << 20);
}
