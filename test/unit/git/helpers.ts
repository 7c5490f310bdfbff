/** Shared helpers for the history engine tests. */
import type { CommitRecord } from '../../../src/core/types';
import { openRepository, type HistoryOptions, type OpenOptions, type Repository } from '../../../src/core/git';

export async function collect(repo: Repository, opts: HistoryOptions = {}, signal?: AbortSignal): Promise<CommitRecord[]> {
  const out: CommitRecord[] = [];
  for await (const r of repo.history(opts, signal)) out.push(r);
  return out;
}

export async function historyOf(dir: string, opts: HistoryOptions = {}, open: OpenOptions = {}): Promise<{ repo: Repository; records: CommitRecord[] }> {
  const repo = await openRepository(dir, open);
  return { repo, records: await collect(repo, opts) };
}

export function byHash(records: CommitRecord[], hash: string): CommitRecord {
  const r = records.find((x) => x.commit.hash === hash);
  if (!r) throw new Error(`commit ${hash} not in history`);
  return r;
}

export function file(record: CommitRecord, path: string) {
  const f = record.files.find((x) => x.path === path);
  if (!f) throw new Error(`${path} not changed in ${record.commit.hash} (files: ${record.files.map((x) => x.path).join(', ')})`);
  return f;
}
