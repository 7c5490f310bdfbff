/**
 * A one-node Slurm cluster for the tests, on this machine: munged with its own socket and key, slurmctld and
 * slurmd in the foreground with a generated slurm.conf (the node's real CPUs and memory, own ports, state, spool
 * and logs in a temp folder). Needs root and Debian's slurm-wlm and munge (.ci/run installs them).
 *
 *   const c = await startSlurm();   // c.env: SLURM_CONF for sbatch/squeue/scancel
 *   …
 *   await c.stop();                 // every daemon stopped, the folder removed (also after a failed start)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface SlurmCluster {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Runs a Slurm client (sbatch, squeue, scancel, sinfo) against this cluster. */
  client(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string };
  stop(): Promise<void>;
}

const BINARIES = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scancel', 'sinfo'];

/** Why a Slurm cluster cannot be started here, or null when it can. */
export function slurmUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root (a one-node Slurm needs root; CI runs these tests as root)';
  const missing = BINARIES.filter((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status !== 0 && !fs.existsSync(`/usr/sbin/${b}`));
  return missing.length ? `Slurm is not installed (${missing.join(', ')} missing; apt-get install slurm-wlm munge, as .ci/run does)` : null;
}

function bin(b: string): string {
  return fs.existsSync(`/usr/sbin/${b}`) ? `/usr/sbin/${b}` : b;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function until(what: string, ok: () => boolean, ms: number, logs: string[]): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end)
      throw new Error(
        `Slurm: ${what} did not happen within ${ms / 1000} s; logs:\n${logs.map((l) => (fs.existsSync(l) ? `${l}:\n${fs.readFileSync(l, 'utf8').slice(-2000)}` : `${l}: none`)).join('\n')}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startSlurm(): Promise<SlurmCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-slurm-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const c of children.reverse()) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const d of ['state', 'spool', 'munge']) fs.mkdirSync(path.join(dir, d), { mode: 0o700 });
    // munge: a key of its own, a socket of its own (a system munged, if any, is left alone)
    const key = path.join(dir, 'munge', 'munge.key');
    fs.writeFileSync(key, Buffer.from(Array.from({ length: 1024 }, () => Math.floor(Math.random() * 256))), { mode: 0o400 });
    const socket = path.join(dir, 'munge', 'munge.socket');
    children.push(
      spawn(
        bin('munged'),
        [
          '--foreground',
          '--force',
          `--key-file=${key}`,
          `--socket=${socket}`,
          `--pid-file=${path.join(dir, 'munge', 'munged.pid')}`,
          `--log-file=${path.join(dir, 'munge', 'munged.log')}`,
          `--seed-file=${path.join(dir, 'munge', 'seed')}`,
        ],
        { stdio: 'ignore' },
      ),
    );
    await until('munged listening', () => fs.existsSync(socket), 10_000, [path.join(dir, 'munge', 'munged.log')]);
    const host = os.hostname().split('.')[0];
    const cpus = os.availableParallelism();
    const memMb = Math.floor(os.totalmem() / 2 ** 20) - 512;
    const [ctldPort, dPort] = [await freePort(), await freePort()];
    const conf = path.join(dir, 'slurm.conf');
    fs.writeFileSync(
      conf,
      [
        'ClusterName=cctest',
        `SlurmctldHost=${host}(127.0.0.1)`,
        'SlurmUser=root',
        'SlurmdUser=root',
        `SlurmctldPort=${ctldPort}`,
        `SlurmdPort=${dPort}`,
        'AuthType=auth/munge',
        'CredType=cred/munge',
        `AuthInfo=socket=${socket}`,
        `StateSaveLocation=${path.join(dir, 'state')}`,
        `SlurmdSpoolDir=${path.join(dir, 'spool')}`,
        `SlurmctldPidFile=${path.join(dir, 'slurmctld.pid')}`,
        `SlurmdPidFile=${path.join(dir, 'slurmd.pid')}`,
        `SlurmctldLogFile=${path.join(dir, 'slurmctld.log')}`,
        `SlurmdLogFile=${path.join(dir, 'slurmd.log')}`,
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'SelectType=select/cons_tres',
        'SelectTypeParameters=CR_Core',
        'SchedulerType=sched/backfill',
        'MpiDefault=none',
        'ReturnToService=2',
        'JobAcctGatherType=jobacct_gather/none',
        'AccountingStorageType=accounting_storage/none',
        'KillWait=5',
        'MinJobAge=300',
        `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${memMb} State=UNKNOWN`,
        `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
        '',
      ].join('\n'),
    );
    const env = { ...process.env, SLURM_CONF: conf };
    const logs = [path.join(dir, 'slurmctld.log'), path.join(dir, 'slurmd.log')];
    children.push(spawn(bin('slurmctld'), ['-D', '-i', '-f', conf], { env, stdio: 'ignore' }));
    children.push(spawn(bin('slurmd'), ['-D', '-f', conf, '-N', host], { env, stdio: 'ignore' }));
    const client = (cmd: string, args: string[]) => {
      const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
      return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    };
    await until('the node idle', () => /idle/.test(client('sinfo', ['-h', '-o', '%T']).stdout), 60_000, logs);
    return { dir, env, client, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
