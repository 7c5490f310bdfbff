/** Human-readable summary of a written dataset folder (`commit-corpus inspect DIR`). */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function inspectDataset(dir: string): string {
  const abs = path.resolve(dir);
  const mf = path.join(abs, 'manifest.json');
  if (!fs.existsSync(mf)) throw new Error(`${abs} is not a commit-corpus output folder (no manifest.json)`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const m: any = JSON.parse(fs.readFileSync(mf, 'utf8'));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const st: any = JSON.parse(fs.readFileSync(path.join(abs, 'dataset', 'stats.json'), 'utf8'));
  const lines: string[] = [];
  const kv = (k: string, v: unknown) => lines.push(`${k.padEnd(18)} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  kv('dataset', abs);
  // a dataset written before manifests listed `repositories` has its one repository and range
  const repos: Array<{ name?: string; path: string; ref: string; head: string; commits: number; first_commit: string | null; last_commit: string | null }> = m.repositories ?? [
    { ...m.repository, ...m.range },
  ];
  for (const r of repos) {
    kv(repos.length > 1 ? `repository ${r.name}` : 'repository', `${r.path} @ ${r.ref} (${String(r.head).slice(0, 12)})`);
    kv(repos.length > 1 ? '  commits' : 'commits', `${r.commits} (${String(r.first_commit ?? '-').slice(0, 12)} … ${String(r.last_commit ?? '-').slice(0, 12)})`);
  }
  kv('tokenizer', `${m.tokenizer.source} (vocab ${m.tokenizer.vocab_size})`);
  kv('format / mode', `${m.settings.format} / ${m.settings.mode}, windows ${m.settings.contextWindow}+${m.settings.targetWindow}`);
  kv('chunks', st.chunks);
  kv('tokens', st.tokens);
  for (const s of ['train', 'val', 'test']) {
    const x = st.splits[s];
    kv(
      `${s}`,
      `${x.examples} examples from ${x.commits} commits; context p50 ${x.context_tokens.p50 ?? '-'} p95 ${x.context_tokens.p95 ?? '-'}; target p50 ${x.target_tokens.p50 ?? '-'} p95 ${x.target_tokens.p95 ?? '-'}`,
    );
  }
  kv('languages', st.languages);
  kv('kinds', st.kinds);
  kv('skips', st.skips);
  kv('redactions', st.redactions);
  kv('duplicates', st.duplicates);
  kv('split targets', st.split_targets);
  const total = (m.files as Array<{ bytes: number }>).reduce((a, f) => a + f.bytes, 0);
  kv('files', `${m.files.length} files, ${(total / 1e6).toFixed(2)} MB`);
  for (const p of m.phases ?? []) kv(`  ${p.phase}`, `${p.repo ? `${p.repo}: ` : ''}${p.duration_ms} ms ${JSON.stringify(p.counts)}`);
  return lines.join('\n') + '\n';
}
