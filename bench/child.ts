/**
 * Runs the bundled CLI (dist/cli.js) in a child process, as users run it, and measures it from outside: wall
 * time, peak resident memory (VmHWM and VmRSS from /proc: all its threads) and CPU seconds (utime + stime),
 * so nothing of the benchmark's own runtime is counted. Shared by the bench:* scripts.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CLI = path.resolve(__dirname, '../dist/cli.js');

export interface ChildRun {
  code: number | null;
  wall: number;
  peakRss: number;
  /** CPU seconds of all the process's threads (sampled until it exits; null without /proc). */
  cpu: { user: number; sys: number } | null;
  stdout: string;
  stderr: string;
}

/**
 * `node dist/cli.js …args`. `echo`: the RSS every 5 s on this process's stderr; `passStderr`: the child's stderr
 * goes through as it comes; `timeoutMs`: the child is killed (SIGKILL) past it (code null).
 */
export function runChild(args: string[], opts: { echo?: boolean; passStderr?: boolean; timeoutMs?: number } = {}): Promise<ChildRun> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (opts.passStderr) process.stderr.write(b);
    });
    let peak = 0;
    let shown = 0;
    let cpu: ChildRun['cpu'] = null;
    const sample = () => {
      let rss: number;
      try {
        // utime and stime (fields 14 and 15) in clock ticks, Linux's USER_HZ of 100
        const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        cpu = { user: Number(f[11]) / 100, sys: Number(f[12]) / 100 };
        const s = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0) * 1024;
        rss = kb('VmRSS');
        peak = Math.max(peak, kb('VmHWM'), rss);
      } catch {
        return; // not started yet or already gone (no /proc: the peak stays unknown)
      }
      const now = performance.now();
      if (opts.echo && now - shown >= 5000) {
        shown = now;
        process.stderr.write(`  ${((now - t0) / 1000).toFixed(0)} s: rss ${(rss / 2 ** 20).toFixed(0)} MiB, peak ${(peak / 2 ** 20).toFixed(0)} MiB\n`);
      }
    };
    const sampler = setInterval(sample, 50);
    const killer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sampler);
      clearTimeout(killer);
      resolve({ code, wall: performance.now() - t0, peakRss: peak, cpu, stdout, stderr });
    });
  });
}
