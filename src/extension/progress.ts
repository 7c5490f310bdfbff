/**
 * Progress of a whole dataset build for the progress notification: one weighted overall fraction (phase
 * weights from the previous build of the same repository, else the PHASES spans) drives both the bar and a
 * single smoothed ETA. No `vscode` here, so it is unit-tested with a fake clock.
 */
import { PHASES, type Phase, type ProgressEvent } from '../core/types';

/** Milliseconds each phase took in a previous build (missing or 0: the first-run default share). */
export type PhaseWeights = Partial<Record<Phase, number>>;

const ORDER = Object.keys(PHASES) as Phase[];
/** No ETA before this much time has passed since the first event (too little to extrapolate from). */
const WARMUP_MS = 1500;
/** Time constants of the exponential smoothing towards a higher / lower raw ETA. */
const SMOOTH_UP_MS = 3000;
const SMOOTH_DOWN_MS = 1000;

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Each phase's share of the build (sums to 1): measured durations normalised, defaults for the gaps. */
function shares(weights: PhaseWeights = {}): Record<Phase, number> {
  const def = (p: Phase) => (PHASES[p].span[1] - PHASES[p].span[0]) / 100;
  const measured = ORDER.filter((p) => Number.isFinite(weights[p]) && weights[p]! > 0);
  const sum = measured.reduce((s, p) => s + weights[p]!, 0);
  const left = 1 - ORDER.filter((p) => !measured.includes(p)).reduce((s, p) => s + def(p), 0);
  return Object.fromEntries(ORDER.map((p) => [p, measured.includes(p) ? (left * weights[p]!) / sum : def(p)])) as Record<Phase, number>;
}

/** Turns pipeline progress events into a progress message and bar increments. */
export class ProgressTracker {
  private readonly share: Record<Phase, number>;
  private readonly frac = Object.fromEntries(ORDER.map((p) => [p, 0])) as Record<Phase, number>;
  private readonly firstSeen: PhaseWeights = {};
  private latest = -1;
  private start: number | undefined;
  private percent = 0;
  private shown: { eta: number; at: number } | undefined;

  constructor(
    weights?: PhaseWeights,
    private readonly now: () => number = Date.now,
  ) {
    this.share = shares(weights);
  }

  /** The overall fraction in [0, 1]: phases before the latest one seen count as finished. */
  fraction(): number {
    const f = ORDER.reduce((s, p, i) => s + this.share[p] * (i < this.latest ? 1 : this.frac[p]), 0);
    return Math.min(1, f);
  }

  /** Milliseconds since the first event. */
  elapsed(): number {
    return this.start === undefined ? 0 : this.now() - this.start;
  }

  /** Milliseconds per phase seen: its first event to the first event of a later phase (or now). */
  phaseDurations(): PhaseWeights {
    const out: PhaseWeights = {};
    ORDER.forEach((p, i) => {
      const t0 = this.firstSeen[p];
      if (t0 === undefined) return;
      const later = ORDER.slice(i + 1).map((q) => this.firstSeen[q] ?? Infinity);
      out[p] = Math.max(0, Math.min(this.now(), ...later) - t0);
    });
    return out;
  }

  /** Also fine to call again with the last event from a timer: the ETA counts down between events. */
  update(e: ProgressEvent): { message: string; increment: number } {
    const t = this.now();
    this.start ??= t;
    this.firstSeen[e.phase] ??= t;
    this.latest = Math.max(this.latest, ORDER.indexOf(e.phase));
    if (e.total && e.total > 0) this.frac[e.phase] = Math.max(this.frac[e.phase], Math.min(1, e.done / e.total));
    const f = this.fraction();
    const increment = Math.max(0, 100 * f - this.percent);
    this.percent = Math.max(this.percent, 100 * f);

    let message: string = PHASES[e.phase].label;
    // "chunking commits 6/7" (the label names the unit)
    if (e.total !== undefined && (e.phase === 'chunks' || e.total > 1)) message += ` ${e.done}/${e.total}`;
    const elapsed = t - this.start;
    if (f > 0 && f < 1 && elapsed >= WARMUP_MS) message += ` · about ${formatDuration(this.smooth((elapsed * (1 - f)) / f, t))} left`;
    return { message, increment };
  }

  /**
   * The shown ETA: the last one counted down by the time since, moved towards the raw ETA by time-based
   * exponential smoothing (faster down than up), growing at most 2× per second, never under 1s while work remains.
   */
  private smooth(raw: number, t: number): number {
    let eta = raw;
    if (this.shown) {
      const dt = Math.max(0, t - this.shown.at);
      const predicted = Math.max(0, this.shown.eta - dt);
      eta = predicted + (raw - predicted) * (1 - Math.exp(-dt / (raw > predicted ? SMOOTH_UP_MS : SMOOTH_DOWN_MS)));
      eta = Math.min(eta, this.shown.eta * 2 ** (dt / 1000));
    }
    eta = Math.max(1000, eta);
    this.shown = { eta, at: t };
    return eta;
  }
}
