/**
 * Child processes started by the VS Code test harness: each runs in its own process group so that
 * it and everything it spawned (code-server's extension host, Chromium's helpers) can be ended by
 * pid, on normal exit, on failure, and on Ctrl-C.
 */
import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';

const groups = new Set<number>();

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Registers a process group leader started elsewhere (e.g. by Playwright) for cleanup. */
export function trackGroup(pid: number | undefined): void {
  if (pid) groups.add(pid);
}

/** Spawns a command as the leader of a new process group, tracked for cleanup. */
export function spawnGroup(cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  const child = spawn(cmd, args, { ...opts, detached: true });
  if (child.pid) {
    const pid = child.pid;
    groups.add(pid);
    child.once('exit', () => groups.delete(pid));
  }
  return child;
}

/** SIGTERM to the group, then SIGKILL after `graceMs` if the leader has not exited. */
export async function stopGroup(child: ChildProcess, graceMs = 3000): Promise<void> {
  const pid = child.pid;
  if (!pid) return;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(pid, 'SIGTERM');
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([exited, timer])) === 'timeout') killGroup(pid, 'SIGKILL');
  }
  // Helpers of the group may outlive the leader.
  killGroup(pid, 'SIGKILL');
  groups.delete(pid);
}

/** Kills every tracked group at once (synchronous: safe in an 'exit' handler). */
export function killAll(): void {
  for (const pid of groups) killGroup(pid, 'SIGKILL');
  groups.clear();
}

let installed = false;
/** Kill everything we started when this process exits or is interrupted. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.on(sig, () => {
      killAll();
      process.exit(code);
    });
  }
}

/** Rejects with a clear message when `p` takes longer than `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${Math.round(ms / 1000)} s: ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
