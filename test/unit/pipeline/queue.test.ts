/** The two hand-offs between stages that run at once (src/core/pipeline/queue.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Arrivals, BoundedQueue } from '../../../src/core/pipeline/queue';

const tick = () => new Promise((r) => setImmediate(r));

test('BoundedQueue: FIFO, the producer waits while `capacity` items wait, the capacity is asked at each push', async () => {
  let capacity = 2;
  const q = new BoundedQueue<number>(() => capacity);
  const pushed: number[] = [];
  const producer = (async () => {
    for (let i = 0; i < 5; i++) {
      await q.push(i);
      pushed.push(i);
    }
  })();
  await tick();
  assert.deepEqual(pushed, [0, 1], 'stops at the capacity');
  assert.equal(await q.take(), 0);
  await tick();
  assert.deepEqual(pushed, [0, 1, 2]);
  capacity = Infinity;
  assert.equal(await q.take(), 1);
  await producer;
  assert.deepEqual(pushed, [0, 1, 2, 3, 4], 'never waits once the capacity is Infinity');
  assert.deepEqual([await q.take(), await q.take(), await q.take()], [2, 3, 4]);
});

test('BoundedQueue: a failed producer reaches the consumer after the items it pushed, also a consumer already waiting', async () => {
  const q = new BoundedQueue<string>(() => 10);
  await q.push('a');
  const boom = new Error('boom');
  q.fail(boom);
  assert.equal(await q.take(), 'a');
  await assert.rejects(q.take(), boom);
  const r = new BoundedQueue<string>(() => 10);
  const waiting = r.take();
  await tick();
  r.fail(boom);
  await assert.rejects(waiting, boom);
});

test('Arrivals: wait resolves on arrival (in any order) or when the producer ends; rejects when it failed first', async () => {
  const a = new Arrivals<string>();
  let got = '';
  const w = a.wait('y').then(() => (got = 'y'));
  a.arrive('x');
  await tick();
  assert.equal(got, '', 'another key does not wake it');
  a.arrive('y');
  await w;
  assert.equal(got, 'y');
  await a.wait('x'); // already there
  assert.ok(a.open && a.has('x') && !a.has('z'));
  const z = a.wait('z');
  a.end();
  await z; // ended: the key will not come, the caller looks elsewhere (the cache)
  assert.equal(a.open, false);
  const f = new Arrivals<string>();
  f.arrive('k');
  const never = f.wait('never');
  f.fail(new Error('chunk stage failed'));
  await assert.rejects(never, /chunk stage failed/);
  await f.wait('k'); // what arrived before the failure is still there
});
