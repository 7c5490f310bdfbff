/**
 * A pipeline-thread script for the cancel tests: the real engine, except that once the pipeline thread reports
 * the start of phase $CC_TEST_STALL_PHASE it blocks in a synchronous loop forever — the worst case for a cancel
 * (a thread that never returns to its event loop: a pathological file, a huge tokenizer, a long write).
 * Token and chunk threads started from this script are not affected (they post no progress).
 */
import { isMainThread, parentPort } from 'node:worker_threads';
import { runThreadIfAsked } from '../../../src/core/threads';

const phase = process.env.CC_TEST_STALL_PHASE;
if (!isMainThread && parentPort && phase) {
  const port = parentPort;
  const post = port.postMessage.bind(port);
  port.postMessage = (m: { type?: string; event?: { phase: string; done: number } }) => {
    post(m);
    if (m?.type === 'progress' && m.event?.phase === phase && m.event.done === 0) for (;;);
  };
}
runThreadIfAsked();
