import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { FixtureRepo } from '../../fixtures/repo';
import { byName, chunkHistory } from './helpers';

const repos: FixtureRepo[] = [];
after(() => repos.forEach((r) => r.dispose()));
function fixture(): FixtureRepo {
  const r = FixtureRepo.create('cc-reach-');
  repos.push(r);
  return r;
}

describe('same-commit context is limited to definitions the chunk can reach', () => {
  it("TypeScript: a same-named local is not another file's definition; an imported one is", async () => {
    const repo = fixture();
    repo.write('src/a.ts', 'export function load() {\n  return 1;\n}\n');
    repo.write('scripts/run.mjs', 'const files = [];\nconsole.log(files);\n');
    repo.write('src/b.ts', 'import { load } from "./a";\n\nexport function main() {\n  const files = [load()];\n  return files;\n}\n');
    repo.commit('v1');
    repo.write('src/a.ts', 'export function load() {\n  return 2;\n}\n');
    repo.write('scripts/run.mjs', 'const files = ["x"];\nconsole.log(files);\n');
    repo.write('src/b.ts', 'import { load } from "./a";\n\nexport function main() {\n  const files = [load(), load()];\n  return files;\n}\n');
    const h = repo.commit('v2');
    const run = await chunkHistory(repo);
    const main = byName(run.chunks.get(h)!, 'main')!;
    assert.ok(main, 'main chunk');
    const same = main.context.filter((c) => c.reason === 'same-commit');
    assert.deepEqual(
      same.map((c) => `${c.path}:${c.symbol}`),
      ['src/a.ts:load'],
      JSON.stringify(main.context, null, 1),
    );
    run.chunker.dispose();
  });

  it('files without a grammar get no context', async () => {
    const repo = fixture();
    repo.write('src/lib.rs', 'pub fn version() -> u32 {\n    1\n}\n');
    repo.write('Cargo.toml', '[package]\nname = "x"\nversion = "0.1.0"\n');
    repo.commit('v1');
    repo.write('src/lib.rs', 'pub fn version() -> u32 {\n    2\n}\n');
    repo.write('Cargo.toml', '[package]\nname = "x"\nversion = "0.2.0"\n');
    const h = repo.commit('v2');
    const run = await chunkHistory(repo);
    const toml = run.chunks.get(h)!.filter((c) => c.path === 'Cargo.toml');
    assert.ok(toml.length > 0);
    assert.ok(
      toml.every((c) => c.context.length === 0),
      JSON.stringify(toml.map((c) => c.context)),
    );
    run.chunker.dispose();
  });
});
