/** Lists tokenizer.json files already in the local Hugging Face hub cache. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function hfHubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HUGGINGFACE_HUB_CACHE) return env.HUGGINGFACE_HUB_CACHE;
  const home = env.HF_HOME ?? path.join(env.XDG_CACHE_HOME ?? path.join(env.HOME ?? os.homedir(), '.cache'), 'huggingface');
  return path.join(home, 'hub');
}

/** `models--org--name/snapshots/<rev>/tokenizer.json`, sorted by model then path. */
export function findLocalHfTokenizers(env: NodeJS.ProcessEnv = process.env): Array<{ model: string; path: string }> {
  const hub = hfHubCacheDir(env);
  const out: Array<{ model: string; path: string }> = [];
  let entries: string[];
  try {
    entries = fs.readdirSync(hub);
  } catch {
    return [];
  }
  for (const dir of entries.sort()) {
    if (!dir.startsWith('models--')) continue;
    const model = dir.slice('models--'.length).split('--').join('/');
    const snaps = path.join(hub, dir, 'snapshots');
    let revs: string[];
    try {
      revs = fs.readdirSync(snaps).sort();
    } catch {
      continue;
    }
    for (const rev of revs) {
      const p = path.join(snaps, rev, 'tokenizer.json');
      if (fs.existsSync(p)) out.push({ model, path: p });
    }
  }
  return out;
}
