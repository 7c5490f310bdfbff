/**
 * Progress display: a redrawn bar with phase, counts, rate and ETA on a TTY; plain lines otherwise (logs, CI):
 * one at every phase change and at least one every 10 s while the build runs, even when no event came.
 */
import type { ProgressEvent } from '../core/types';
import { escapeTerminal } from './escape';

export interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Seconds between plain lines (and the longest silence on a non-terminal). */
const PLAIN_EVERY_MS = 10_000;

export function duration(s: number): string {
  if (s < 60) return `${Math.max(0, Math.round(s))}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function createProgress(out: Out, now: () => number = Date.now): { onProgress: (e: ProgressEvent) => void; done: () => void } {
  const tty = !!out.isTTY;
  let last: ProgressEvent | null = null;
  let phaseStart = now();
  let lastPlain = 0;
  let lastDraw = 0;
  let drawn = false;

  /** `done/total (pct) · rate/s · ETA` of the current phase; the ETA once there is enough to go on. */
  const status = (e: ProgressEvent): string => {
    const parts = [e.total ? `${e.done}/${e.total}` : e.done ? `${e.done}` : 'started'];
    const el = (now() - phaseStart) / 1000;
    if (e.total && e.total > 1) parts[0] += ` (${Math.floor((100 * e.done) / e.total)}%)`;
    if (el >= 1 && e.done > 0 && e.total !== 1) parts.push(`${(e.done / el).toFixed(e.done / el < 10 ? 1 : 0)}/s`);
    if (e.total && e.done > 0 && e.done < e.total && (el >= 5 || e.done >= e.total / 100)) parts.push(`ETA ${duration((el / e.done) * (e.total - e.done))}`);
    return parts.join(' · ');
  };
  const plain = (e: ProgressEvent, suffix = '') => {
    lastPlain = now();
    out.write(`${e.phase}: ${status(e)}${e.message ? ` ${escapeTerminal(e.message)}` : ''}${suffix}\n`);
  };
  // a non-terminal reader (a log, CI) hears from the build every 10 s, also when no event came
  const heartbeat = tty
    ? null
    : setInterval(() => {
        if (last && now() - lastPlain >= PLAIN_EVERY_MS) plain(last, ` · ${duration((now() - phaseStart) / 1000)} in this phase`);
      }, 1000);
  heartbeat?.unref();

  return {
    onProgress(e) {
      const t = now();
      const changed = e.phase !== last?.phase;
      if (changed) phaseStart = t;
      last = e;
      if (tty) {
        if (t - lastDraw < 80 && e.done !== e.total && !changed) return;
        lastDraw = t;
        const width = 24;
        const frac = e.total ? Math.min(1, e.done / e.total) : 0;
        const bar = e.total ? '█'.repeat(Math.round(frac * width)).padEnd(width, '░') : ''.padEnd(width, '·');
        const line = `${e.phase.padEnd(8)} ${bar} ${status(e)}${e.message ? ` ${escapeTerminal(e.message)}` : ''}`;
        out.write(`\r\x1b[2K${line.slice(0, (out.columns ?? 100) - 1)}`);
        drawn = true;
      } else if (changed || e.done === e.total || t - lastPlain >= PLAIN_EVERY_MS) plain(e);
    },
    done() {
      if (heartbeat) clearInterval(heartbeat);
      if (tty && drawn) out.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
