import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CONTEXT_ROLES, type ContextItem } from '../../../src/core/types';
import { FixtureRepo } from '../../fixtures/repo';
import { byName, chunkHistory } from './helpers';

const repos: FixtureRepo[] = [];
const fixture = (): FixtureRepo => {
  const r = FixtureRepo.create('cc-ctx-');
  repos.push(r);
  return r;
};
after(() => repos.forEach((r) => r.dispose()));

describe('context: Rust', () => {
  it('impl Dispute for Court carries the trait changed in the same commit, and Foo through `use crate::types::Foo`', async () => {
    const repo = fixture();
    repo.write('src/lib.rs', 'pub mod court;\npub mod dispute;\npub mod types;\n');
    repo.write('src/types.rs', '/// A party.\n#[derive(Debug, Clone)]\npub struct Foo {\n    pub name: String,\n}\n\npub struct Unused;\n');
    repo.write('src/dispute.rs', 'pub trait Dispute {\n    fn rule(&self) -> bool;\n}\n');
    repo.write('src/court.rs', 'pub struct Court {\n    pub judges: u32,\n}\n');
    repo.commit('v1');
    repo.write('src/dispute.rs', 'pub trait Dispute {\n    fn rule(&self) -> bool;\n    fn appeal(&self, by: &crate::types::Foo) -> bool { false }\n}\n');
    repo.write(
      'src/court.rs',
      'use crate::dispute::Dispute;\nuse crate::types::Foo;\n\npub struct Court {\n    pub judges: u32,\n}\n\nimpl Dispute for Court {\n    fn rule(&self) -> bool {\n        let party = Foo { name: String::new() };\n        party.name.is_empty()\n    }\n}\n',
    );
    const h2 = repo.commit('impl Dispute for Court');
    const run = await chunkHistory(repo);
    const cs = run.chunks.get(h2)!;
    const impl = byName(cs, 'impl Dispute for Court')!;
    assert.ok(impl, cs.map((c) => c.qualifiedName).join(', '));
    assert.equal(impl.change, 'added');
    const trait = impl.context.find((c) => c.kind === 'trait');
    assert.ok(trait, JSON.stringify(impl.context, null, 1));
    assert.equal(trait.path, 'src/dispute.rs');
    assert.equal(trait.reason, 'same-commit');
    assert.equal(trait.symbol, 'Dispute');
    assert.ok(trait.code.includes('fn appeal'), 'the new version of the trait');
    const foo = impl.context.find((c) => c.symbol === 'Foo' && c.kind === 'struct');
    assert.ok(foo, JSON.stringify(impl.context, null, 1));
    assert.equal(foo.path, 'src/types.rs');
    assert.equal(foo.reason, 'tree');
    assert.equal(foo.code, '/// A party.\n#[derive(Debug, Clone)]\npub struct Foo {\n    pub name: String,\n}');
    const imp = impl.context.filter((c) => c.kind === 'import');
    assert.deepEqual(
      imp.map((c) => c.code),
      ['use crate::types::Foo;', 'use crate::dispute::Dispute;'],
      'each relevant use declaration, exact; what the code uses before the trait it implements',
    );
    // ranked by role: what the code uses (Foo, built in the body, with its import; Court, the type it is for), then
    // the implemented trait and its import
    assert.deepEqual(
      impl.context.map((c) => `${c.role} ${c.kind} ${c.symbol}`),
      ['uses import Foo', 'uses struct Foo', 'uses struct Court', 'trait trait Dispute', 'trait import Dispute'],
    );
    assert.ok(
      impl.context.every((c) => c.symbol !== 'Unused'),
      'only what the chunk uses',
    );
    // the struct it implements for, from its own file (the model sees the impl, not the file)
    const court = impl.context.find((c) => c.reason === 'same-file');
    assert.equal(court?.symbol, 'Court');
    assert.equal(court?.path, 'src/court.rs');
    // priority order: by role, then within a role same-commit, then imports, then the tree, then the same file
    const PRIORITY = ['same-commit', 'import', 'tree', 'same-file'];
    const key = (c: ContextItem) => CONTEXT_ROLES.indexOf(c.role!) * 10 + PRIORITY.indexOf(c.reason);
    assert.deepEqual(
      impl.context.map(key),
      impl.context.map(key).sort((a, b) => a - b),
    );
    // the changed trait refers to Foo by path: it gets Foo too, from the tree
    const dispute = byName(cs, 'Dispute')!;
    assert.ok(dispute.context.length === 0 || dispute.context.every((c) => c.path !== 'src/dispute.rs'));
    const st = run.chunker.stats();
    assert.ok(st.chunksWithContext >= 1);
    assert.ok(st.contextItemsByReason['same-commit'] >= 1 && st.contextItemsByReason.tree >= 1);
    run.chunker.dispose();
  });

  it('resolves super:: and self:: paths and mod.rs layouts, and respects the token budget', async () => {
    const repo = fixture();
    repo.write('src/main.rs', 'mod net;\nfn main() {}\n');
    repo.write('src/net/mod.rs', 'pub mod conn;\npub mod addr;\n\npub enum Proto { Tcp, Udp }\n');
    repo.write(
      'src/net/addr.rs',
      `pub struct Addr {\n${Array.from({ length: 80 }, (_, i) => `    pub field_${i}: u64,`).join('\n')}\n}\n\nimpl Addr {\n    pub fn new() -> Self {\n        todo!()\n    }\n}\n`,
    );
    repo.write('src/net/conn.rs', 'use super::Proto;\nuse super::addr::Addr;\n\npub fn open(p: Proto, a: Addr) {}\n');
    repo.commit('v1');
    repo.write('src/net/conn.rs', 'use super::Proto;\nuse super::addr::Addr;\n\npub fn open(p: Proto, a: Addr) -> bool { true }\n');
    const h2 = repo.commit('v2');
    const run = await chunkHistory(repo, { snippetTokens: 128, contextTokens: 300 });
    const open = byName(run.chunks.get(h2)!, 'open')!;
    const proto = open.context.find((c) => c.symbol === 'Proto' && c.reason === 'tree');
    assert.ok(proto && proto.kind === 'enum' && proto.path === 'src/net/mod.rs', JSON.stringify(open.context, null, 1));
    const addr = open.context.find((c) => c.symbol === 'Addr' && c.kind === 'struct');
    assert.ok(addr, 'the long struct is cut to fit the snippet budget');
    assert.equal(addr.collapsed, true);
    assert.ok(addr.tokens! <= 128);
    assert.ok(open.context.reduce((s, c) => s + (c.tokens ?? 0), 0) <= 300);
    run.chunker.dispose();
  });

  it('no context when disabled', async () => {
    const repo = fixture();
    repo.write('src/lib.rs', 'use crate::a::B;\nfn f(b: B) {}\n');
    repo.write('src/a.rs', 'pub struct B;\n');
    repo.commit('v1');
    const run = await chunkHistory(repo, { context: false });
    assert.ok([...run.chunks.values()].flat().every((c) => c.context.length === 0));
    run.chunker.dispose();
  });
});

describe('context: TypeScript, Python, Go', () => {
  it('follows relative imports and Go packages to definitions in the tree', async () => {
    const repo = fixture();
    repo.write('web/shapes.ts', 'export interface Shape {\n  area(): number;\n}\n\nexport class Circle implements Shape {\n  area(): number { return 3; }\n}\n');
    repo.write('web/main.ts', "import { Shape } from './shapes';\n\nexport function total(xs: Shape[]): number { return 0; }\n");
    repo.write('py/pkg/models.py', 'class User:\n    def __init__(self, name):\n        self.name = name\n');
    repo.write('py/pkg/views.py', 'from .models import User\n\ndef show(u: User):\n    return u.name\n');
    repo.write('go/srv/types.go', 'package srv\n\ntype Config struct {\n\tPort int\n}\n');
    repo.write('go/srv/run.go', 'package srv\n\nfunc Run(c Config) int { return c.Port }\n');
    repo.commit('v1');
    repo.write('web/main.ts', "import { Shape } from './shapes';\n\nexport function total(xs: Shape[]): number { return xs.length; }\n");
    repo.write('py/pkg/views.py', 'from .models import User\n\ndef show(u: User):\n    return u.name.upper()\n');
    repo.write('go/srv/run.go', 'package srv\n\nfunc Run(c Config) int { return c.Port + 1 }\n');
    const h2 = repo.commit('v2');
    const run = await chunkHistory(repo);
    const cs = run.chunks.get(h2)!;
    const ts = byName(cs, 'total')!;
    assert.deepEqual(
      ts.context.map((c) => `${c.reason} ${c.kind} ${c.symbol} ${c.path}`),
      ['import import Shape web/main.ts', 'tree interface Shape web/shapes.ts'],
    );
    const py = byName(cs, 'show')!;
    assert.deepEqual(
      py.context.map((c) => `${c.reason} ${c.kind} ${c.symbol} ${c.path}`),
      ['import import User py/pkg/views.py', 'tree class User py/pkg/models.py'],
    );
    const go = byName(cs, 'Run')!;
    assert.deepEqual(
      go.context.map((c) => `${c.reason} ${c.kind} ${c.symbol} ${c.path}`),
      ['tree struct Config go/srv/types.go'],
    );
    run.chunker.dispose();
  });
});
