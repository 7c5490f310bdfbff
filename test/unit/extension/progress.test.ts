import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Phase, ProgressEvent } from '../../../src/core/types';
import { formatDuration, ProgressTracker, type PhaseWeights } from '../../../src/extension/progress';

/** A build's shape: each phase's real duration and how many progress steps it reports (0: no total). */
type Plan = { phase: Phase; ms: number; steps: number }[];

interface Shown {
  t: number;
  event: ProgressEvent;
  message: string;
  increment: number;
  /** Seconds in "about X left", if shown. */
  eta: number | undefined;
  /** Real milliseconds left after this event. */
  remaining: number;
}

function parseEta(message: string): number | undefined {
  const m = /about (?:(\d+)h (\d+)m|(\d+)m (\d+)s|(\d+)s) left/.exec(message);
  if (!m) return undefined;
  if (m[1] !== undefined) return Number(m[1]) * 3600 + Number(m[2]) * 60;
  if (m[3] !== undefined) return Number(m[3]) * 60 + Number(m[4]);
  return Number(m[5]);
}

/** Runs a build plan against a tracker on a fake clock: a first event per phase, then evenly spaced steps. */
function simulate(plan: Plan, weights?: PhaseWeights): { shown: Shown[]; tracker: ProgressTracker; advance: (ms: number) => void } {
  let now = 1_000_000;
  const end = now + plan.reduce((s, p) => s + p.ms, 0);
  const tracker = new ProgressTracker(weights, () => now);
  const shown: Shown[] = [];
  const send = (event: ProgressEvent) => {
    const { message, increment } = tracker.update(event);
    shown.push({ t: now, event, message, increment, eta: parseEta(message), remaining: end - now });
  };
  for (const { phase, ms, steps } of plan) {
    send({ phase, done: 0, total: steps || undefined });
    for (let i = 1; i <= Math.max(1, steps); i++) {
      now += ms / Math.max(1, steps);
      if (steps) send({ phase, done: i, total: steps });
    }
  }
  return { shown, tracker, advance: (ms) => void (now += ms) };
}

const FIRST_RUN: Plan = [
  { phase: 'history', ms: 2_000, steps: 0 },
  { phase: 'chunks', ms: 120_000, steps: 400 },
  { phase: 'tokens', ms: 25_000, steps: 400 },
  { phase: 'examples', ms: 3_000, steps: 1 },
  { phase: 'write', ms: 4_000, steps: 1 },
];

test('first run: one ETA that never jumps up more than 2× a second, never shows 0, and stays sensible', () => {
  const { shown } = simulate(FIRST_RUN);
  const withEta = shown.filter((s) => s.eta !== undefined);
  assert.ok(withEta.length > 700, `an ETA on most events (${withEta.length})`);
  assert.ok(shown.every((s) => !/\b0s left/.test(s.message)));
  // No ETA during the first 1.5 s; afterwards on every event while work remains, at least 1s.
  for (const s of shown) {
    const working = s.remaining > 0;
    if (s.t - shown[0]!.t >= 1500 && working) assert.ok(s.eta !== undefined && s.eta >= 1, `ETA at ${s.message}`);
    if (s.t - shown[0]!.t < 1500) assert.equal(s.eta, undefined);
    if (!working) assert.equal(s.eta, undefined, s.message);
  }
  // Growth within any one second: at most 2× (plus rounding to whole seconds).
  for (let i = 0; i < withEta.length; i++) {
    for (let j = i + 1; j < withEta.length && withEta[j]!.t - withEta[i]!.t <= 1000; j++) {
      assert.ok(withEta[j]!.eta! <= 2 * withEta[i]!.eta! + 1.5, `${withEta[i]!.message} → ${withEta[j]!.message}`);
    }
  }
  // Once chunking has run steadily for a while (the start is extrapolated from a short history), the ETA
  // counts down (never up by more than rounding).
  const chunking = withEta.filter((s) => s.event.phase === 'chunks' && s.event.done >= 100);
  for (let i = 1; i < chunking.length; i++) assert.ok(chunking[i]!.eta! <= chunking[i - 1]!.eta! + 1, chunking[i]!.message);
  // At the start of tokenizing: the remaining ~32 s, not minutes (nor seconds).
  const tok = shown.find((s) => s.event.phase === 'tokens')!;
  assert.ok(tok.eta! >= tok.remaining / 2000 && tok.eta! <= (2 * tok.remaining) / 1000, `${tok.message}, really ${tok.remaining} ms`);
  // The last ETA before writing: the 4 s of writing, not absurdly small.
  const lastBeforeWrite = shown.filter((s) => s.event.phase === 'examples').at(-1)!;
  assert.ok(lastBeforeWrite.eta! >= lastBeforeWrite.remaining / 2000, `${lastBeforeWrite.message}, really ${lastBeforeWrite.remaining} ms`);
  assert.ok(lastBeforeWrite.eta! <= (3 * lastBeforeWrite.remaining) / 1000, lastBeforeWrite.message);
  // The message shape is today's.
  assert.match(shown.find((s) => s.event.phase === 'chunks' && s.event.done === 200)!.message, /^chunking commits 200\/400 · about 1m \d\ds left$/);
  assert.equal(shown[0]!.message, 'reading history');
});

test('with weights of a previous build (tokenizing as long as chunking) the ETA at 50% chunking is about right', () => {
  const weights: PhaseWeights = { history: 1_000, chunks: 60_000, tokens: 60_000, examples: 2_000, write: 3_000 };
  const plan: Plan = [
    { phase: 'history', ms: 1_000, steps: 0 },
    { phase: 'chunks', ms: 60_000, steps: 200 },
    { phase: 'tokens', ms: 60_000, steps: 200 },
    { phase: 'examples', ms: 2_000, steps: 1 },
    { phase: 'write', ms: 3_000, steps: 1 },
  ];
  const half = (shown: Shown[]) => shown.find((s) => s.event.phase === 'chunks' && s.event.done === 100)!;
  const s = half(simulate(plan, weights).shown);
  assert.equal(s.remaining, 95_000);
  assert.ok(s.eta! >= 95 / 2 && s.eta! <= 95 * 2, s.message);
  // The defaults (tokens 15%) would say well under half of that: the weights are what makes it right.
  assert.ok(half(simulate(plan).shown).eta! < 95 / 2);
  // A phase missing (or 0) in the weights gets its default share: history 5%, examples 2%, write 3%.
  const t = new ProgressTracker({ chunks: 10, tokens: 10, write: 0 }, () => 0);
  t.update({ phase: 'history', done: 0 });
  assert.ok(Math.abs(t.update({ phase: 'chunks', done: 5, total: 10 }).increment - (5 + 45 / 2)) < 1e-9);
});

test('the ETA follows a falling estimate, stays at least 1s while work remains, and grows slowly in a stall', () => {
  // The previous build tokenized slowly, this one is instant: the ETA must drop to the real few seconds.
  const plan: Plan = [
    { phase: 'history', ms: 1_000, steps: 0 },
    { phase: 'chunks', ms: 30_000, steps: 100 },
    { phase: 'tokens', ms: 500, steps: 100 },
    { phase: 'examples', ms: 3_000, steps: 1 },
  ];
  const { shown, tracker, advance } = simulate(plan, { chunks: 10, tokens: 10 });
  const beforeTokens = shown.find((s) => s.event.phase === 'tokens')!;
  assert.ok(beforeTokens.eta! > 20, beforeTokens.message);
  const beforeWrite = shown.at(-1)!;
  assert.equal(beforeWrite.event.phase, 'examples');
  assert.ok(beforeWrite.eta! <= 4, `${beforeWrite.message}: follows the estimate down to the 2 s of writing`);
  assert.ok(beforeWrite.eta! >= 1);

  // Writing (2 s of it are left) then stalls at 99/100: the raw ETA is a few ms, the shown one stays "1s"
  // rather than "0s", also when the same event comes again every 250 ms (a caller's timer), for 30 s.
  tracker.update({ phase: 'write', done: 0, total: 100 });
  const etas: number[] = [];
  for (let i = 0; i < 120; i++) {
    advance(250);
    etas.push(parseEta(tracker.update({ phase: 'write', done: 99, total: 100 }).message)!);
  }
  assert.equal(etas[0], 1);
  assert.ok(etas.every((eta) => eta >= 1));
  for (let i = 0; i + 4 < etas.length; i++) assert.ok(etas[i + 4]! <= 2 * etas[i]! + 1.5, `${etas[i]} → ${etas[i + 4]}`);
});

test('increments: monotone, weighted, sum ≤ 100 even when an earlier phase reports after a later one', () => {
  let now = 0;
  const t = new ProgressTracker(undefined, () => now);
  const events: ProgressEvent[] = [
    { phase: 'history', done: 0 },
    { phase: 'history', done: 50 },
    { phase: 'chunks', done: 0, total: 4 },
    { phase: 'chunks', done: 2, total: 4 },
    { phase: 'chunks', done: 1, total: 4 },
    { phase: 'tokens', done: 0, total: 10 },
    { phase: 'chunks', done: 3, total: 4 },
    { phase: 'tokens', done: 5, total: 10 },
    { phase: 'tokens', done: 10, total: 10 },
    { phase: 'examples', done: 0, total: 1 },
    { phase: 'examples', done: 1, total: 1 },
    { phase: 'write', done: 0, total: 1 },
    { phase: 'write', done: 1, total: 1 },
    { phase: 'write', done: 1, total: 1 },
  ];
  const bar: number[] = [];
  const messages: string[] = [];
  let sum = 0;
  for (const e of events) {
    now += 700;
    const { message, increment } = t.update(e);
    messages.push(message);
    assert.ok(increment >= 0, `increment ${increment} at ${JSON.stringify(e)}`);
    sum += increment;
    bar.push(sum);
  }
  assert.ok(Math.abs(bar[3]! - (5 + 75 / 2)) < 1e-9, `half of chunking: ${bar[3]}`);
  assert.ok(Math.abs(bar[6]! - 80) < 1e-9, `chunks count fully once tokens started: ${bar[6]}`);
  assert.ok(Math.abs(bar[7]! - 87.5) < 1e-9);
  assert.ok(sum <= 100 + 1e-9 && sum > 99.999, `sum ${sum}`);
  // No ETA in the first 1.5 s; none once all is done.
  assert.deepEqual(messages.slice(0, 3), ['reading history', 'reading history', 'chunking commits 0/4']);
  assert.match(messages[3]!, /^chunking commits 2\/4 · about \d+s left$/);
  assert.equal(messages.at(-1), 'writing files');
  // Phase durations as seen: first event to the first event of the next phase (the last one: to now).
  now += 300;
  assert.deepEqual(t.phaseDurations(), { history: 1400, chunks: 2100, tokens: 2800, examples: 1400, write: 1700 });
  assert.equal(t.elapsed(), 700 * 13 + 300);
});

test('formatDuration', () => {
  assert.equal(formatDuration(-5), '0s');
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(1_499), '1s');
  assert.equal(formatDuration(1_500), '2s');
  assert.equal(formatDuration(59_499), '59s');
  assert.equal(formatDuration(59_500), '1m 00s');
  assert.equal(formatDuration(61_000), '1m 01s');
  assert.equal(formatDuration(3_599_000), '59m 59s');
  assert.equal(formatDuration(3_600_000), '1h 00m');
  assert.equal(formatDuration(3_661_000), '1h 01m');
  assert.equal(formatDuration(10 * 3_600_000 + 5 * 60_000), '10h 05m');
});
