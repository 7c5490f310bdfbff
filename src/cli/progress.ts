/** Progress display: a redrawn bar with phase, counts and ETA on a TTY, plain lines otherwise. */
import type { ProgressEvent } from '../core/types';

export interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export function createProgress(out: Out): { onProgress: (e: ProgressEvent) => void; done: () => void } {
  const tty = !!out.isTTY;
  let phase = '';
  let phaseStart = Date.now();
  let lastPlain = 0;
  let lastDraw = 0;
  let drawn = false;
  const eta = (e: ProgressEvent): string => {
    if (!e.total || e.done <= 0) return '';
    const el = (Date.now() - phaseStart) / 1000;
    const rest = (el / e.done) * (e.total - e.done);
    return ` ETA ${rest < 60 ? `${Math.ceil(rest)}s` : `${Math.floor(rest / 60)}m${Math.ceil(rest % 60)}s`}`;
  };
  return {
    onProgress(e) {
      const now = Date.now();
      if (e.phase !== phase) {
        phase = e.phase;
        phaseStart = now;
        lastPlain = 0;
      }
      const count = e.total ? `${e.done}/${e.total}` : `${e.done}`;
      if (tty) {
        if (now - lastDraw < 80 && e.done !== e.total) return;
        lastDraw = now;
        const width = 24;
        const frac = e.total ? Math.min(1, e.done / e.total) : 0;
        const bar = e.total ? '█'.repeat(Math.round(frac * width)).padEnd(width, '░') : ''.padEnd(width, '·');
        const line = `${e.phase.padEnd(8)} ${bar} ${count}${eta(e)}${e.message ? ` ${e.message}` : ''}`;
        out.write(`\r\x1b[2K${line.slice(0, (out.columns ?? 100) - 1)}`);
        drawn = true;
      } else if (now - lastPlain >= 2000 || e.done === e.total || e.done === 1) {
        lastPlain = now;
        out.write(`${e.phase}: ${count}${eta(e)}${e.message ? ` ${e.message}` : ''}\n`);
      }
    },
    done() {
      if (tty && drawn) out.write('\r\x1b[2K');
    },
  };
}
