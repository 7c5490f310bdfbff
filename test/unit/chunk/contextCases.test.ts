/**
 * Context cases seen by hand in the editor on real histories (issue 18), each with the items expected: what the
 * unit uses, from where it can reach it — not every same-named definition, not the file's other imports.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ChunkRecord } from '../../../src/core/types';
import { FixtureRepo } from '../../fixtures/repo';
import { byName, chunkHistory } from './helpers';

const repos: FixtureRepo[] = [];
const fixture = (): FixtureRepo => {
  const r = FixtureRepo.create('cc-ctxcase-');
  repos.push(r);
  return r;
};
after(() => repos.forEach((r) => r.dispose()));

/** The chunks of commit `h`, from a chunker run over the whole history (disposed). */
async function chunksOf(repo: FixtureRepo, h: string): Promise<ChunkRecord[]> {
  const run = await chunkHistory(repo);
  run.chunker.dispose();
  return run.chunks.get(h)!;
}

const items = (c: ChunkRecord) => c.context.map((i) => `${i.reason} ${i.kind} ${i.symbol} @${i.path}`);

/** Commits `make(1)` then `make(2)` at `file`: the tree items of unit `name` in the second commit. */
async function treeItemsOfEdit(repo: FixtureRepo, file: string, make: (v: number) => string, name: string): Promise<string[]> {
  repo.write(file, make(1));
  repo.commit('v1');
  repo.write(file, make(2));
  const h = repo.commit('v2');
  return items(byName(await chunksOf(repo, h), name)!).filter((i) => i.startsWith('tree '));
}

describe('context cases', () => {
  it('Python: a function using urlparse and DEFAULT_PORTS gets those (their imports, the constant), not the rest of the file', async () => {
    const repo = fixture();
    repo.write('src/pkg/__init__.py', '');
    repo.write('src/pkg/utils.py', 'DEFAULT_PORTS = {"http": 80, "https": 443}\n\n\nclass Unrelated:\n    def run(self):\n        return 1\n\n\ndef other():\n    return 2\n');
    repo.write('src/pkg/models.py', 'class Thing:\n    pass\n');
    const sessions = (body: string) =>
      `import os\nimport sys\nfrom urllib.parse import urlparse, urljoin\nfrom .utils import DEFAULT_PORTS, other\nfrom .models import Thing\n\n\nclass Session(Thing):\n    def close(self):\n        return other() or os.getcwd() or sys.argv\n\n\ndef should_strip_auth(old_url, new_url):\n${body}\n`;
    repo.write('src/pkg/sessions.py', sessions('    old = urlparse(old_url)\n    return DEFAULT_PORTS.get(old.scheme)'));
    repo.commit('v1');
    repo.write('src/pkg/sessions.py', sessions('    old, new = urlparse(old_url), urlparse(new_url)\n    return DEFAULT_PORTS.get(old.scheme) != DEFAULT_PORTS.get(new.scheme)'));
    const h = repo.commit('Compare default ports');
    const cs = await chunksOf(repo, h);
    const fn = byName(cs, 'should_strip_auth')!;
    assert.deepEqual(items(fn), ['import import urlparse @src/pkg/sessions.py', 'import import DEFAULT_PORTS @src/pkg/sessions.py', 'tree const DEFAULT_PORTS @src/pkg/utils.py']);
  });

  it('Rust: sanitize_at gets its callee is_dangerous_e2 from its own file (changed in the same commit), not `use … as _`', async () => {
    const repo = fixture();
    repo.write('src/lib.rs', 'pub mod text;\n');
    const text = (check: string, body: string) =>
      `use std::fmt::Write as _;\n\nfn is_dangerous_e2(c: char) -> bool {\n    ${check}\n}\n\npub fn sanitize_at(s: &str, at: usize) -> String {\n    let mut out = String::new();\n    for c in s[at..].chars() {\n${body}\n    }\n    out\n}\n`;
    repo.write('src/text.rs', text("c == '\\u{202e}'", '        if is_dangerous_e2(c) {\n            let _ = write!(out, "?");\n        } else {\n            out.push(c);\n        }'));
    repo.commit('v1');
    repo.write(
      'src/text.rs',
      text(
        "matches!(c, '\\u{202a}'..='\\u{202e}')",
        '        if is_dangerous_e2(c) {\n            let _ = write!(out, "\\\\u{{{:x}}}", c as u32);\n        } else {\n            out.push(c);\n        }',
      ),
    );
    const h = repo.commit('Escape every bidi control');
    const cs = await chunksOf(repo, h);
    const fn = byName(cs, 'sanitize_at')!;
    assert.deepEqual(items(fn), ['same-file fn is_dangerous_e2 @src/text.rs']);
    assert.ok(fn.context[0].code.includes("'\\u{202a}'..='\\u{202e}'"), 'the new version of the callee');
  });

  it("Rust: fn main gets no other binary's fn main (a glob import makes them reachable by name alone)", async () => {
    const repo = fixture();
    const main = (f: string, v: number) => `use std::io::prelude::*;\n\nfn main() {\n    std::io::stdout().write_all(b"${f} ${v}").unwrap();\n}\n`;
    for (const f of ['src/main.rs', 'examples/echo.rs', 'examples/chat.rs']) repo.write(f, main(f, 1));
    repo.commit('v1');
    for (const f of ['src/main.rs', 'examples/echo.rs', 'examples/chat.rs']) repo.write(f, main(f, 2));
    const h = repo.commit('v2');
    const cs = await chunksOf(repo, h);
    const mains = cs.filter((c) => c.qualifiedName === 'main');
    assert.equal(mains.length, 3);
    for (const m of mains) assert.ok(!items(m).some((i) => / main @/.test(i)), `${m.path}: ${items(m).join(', ')}`);
  });

  it('Rust: impl From<Error> for io::Error does not get impl From<ParseError> for io::Error, and does get its Error', async () => {
    const repo = fixture();
    repo.write('src/lib.rs', 'pub mod net;\npub mod parse;\n');
    const net = (msg: string) =>
      `use std::io;\n\npub struct Error;\n\nimpl From<Error> for io::Error {\n    fn from(_: Error) -> io::Error {\n        io::Error::new(io::ErrorKind::Other, "${msg}")\n    }\n}\n`;
    const parse = (msg: string) =>
      `use std::io;\n\npub struct ParseError;\n\nimpl From<ParseError> for io::Error {\n    fn from(_: ParseError) -> io::Error {\n        io::Error::new(io::ErrorKind::InvalidData, "${msg}")\n    }\n}\n`;
    repo.write('src/net.rs', net('net'));
    repo.write('src/parse.rs', parse('parse'));
    repo.commit('v1');
    repo.write('src/net.rs', net('network error'));
    repo.write('src/parse.rs', parse('parse error'));
    const h = repo.commit('v2');
    const cs = await chunksOf(repo, h);
    const impl = cs.find((c) => c.path === 'src/net.rs' && c.kind === 'impl')!;
    assert.ok(impl, cs.map((c) => `${c.path} ${c.qualifiedName}`).join(', '));
    assert.ok(!items(impl).some((i) => i.includes('ParseError')), items(impl).join('\n'));
    assert.ok(items(impl).includes('same-file struct Error @src/net.rs'), items(impl).join('\n'));
  });

  it('Rust: another crate of the workspace by its Cargo.toml name, through two `pub use` hops and a glob re-export', async () => {
    const repo = fixture();
    repo.write('Cargo.toml', '[workspace]\nmembers = ["crates/util", "app"]\n');
    repo.write('crates/util/Cargo.toml', '[package]\nname = "my-util"\nversion = "0.1.0"\n');
    repo.write('crates/util/src/lib.rs', 'pub mod sync;\npub use sync::Mutex;\n');
    repo.write('crates/util/src/sync/mod.rs', 'mod mutex;\nmod notify;\npub use self::mutex::Mutex;\npub use self::notify::*;\n');
    repo.write('crates/util/src/sync/mutex.rs', 'pub struct Mutex<T> {\n    pub inner: T,\n}\n');
    repo.write('crates/util/src/sync/notify.rs', 'pub struct Notify;\n');
    repo.write('app/Cargo.toml', '[package]\nname = "app"\nversion = "0.1.0"\n');
    const main = (v: number) => `use my_util::Mutex;\nuse my_util::sync::Notify;\n\nfn main() {\n    let m = Mutex { inner: ${v} };\n    let _n = Notify;\n    println!("{}", m.inner);\n}\n`;
    repo.write('app/src/main.rs', main(1));
    repo.commit('v1');
    repo.write('app/src/main.rs', main(2));
    const h = repo.commit('v2');
    const cs = await chunksOf(repo, h);
    const fn = byName(cs, 'main')!;
    const tree = items(fn).filter((i) => i.startsWith('tree '));
    assert.deepEqual(tree, ['tree struct Mutex @crates/util/src/sync/mutex.rs', 'tree struct Notify @crates/util/src/sync/notify.rs']);
  });

  it("TypeScript: a monorepo package by its package.json name (`@vue/runtime-core`), through its index's re-export", async () => {
    const repo = fixture();
    repo.write('packages/runtime-core/package.json', '{"name": "@vue/runtime-core", "main": "dist/index.js"}\n');
    repo.write('packages/runtime-core/src/index.ts', "export { h } from './h'\nexport const version = '1'\n");
    repo.write('packages/runtime-core/src/h.ts', 'export function h(type: string) {\n  return { type }\n}\n');
    const render = (tag: string) => `import { h } from '@vue/runtime-core'\n\nexport function render() {\n  return h('${tag}')\n}\n`;
    repo.write('packages/runtime-dom/src/render.ts', render('div'));
    repo.commit('v1');
    repo.write('packages/runtime-dom/src/render.ts', render('span'));
    const h = repo.commit('v2');
    const cs = await chunksOf(repo, h);
    const fn = byName(cs, 'render')!;
    assert.deepEqual(items(fn), ['import import h @packages/runtime-dom/src/render.ts', 'tree fn h @packages/runtime-core/src/h.ts']);
  });

  it("Go: a test gets its package's helpers from the package's other test files", async () => {
    const repo = fixture();
    repo.write('go.mod', 'module example.com/cli\n\ngo 1.21\n');
    repo.write('command.go', 'package cli\n\ntype Command struct {\n\tUse string\n}\n');
    repo.write('command_test.go', 'package cli\n\nfunc executeCommand(c *Command, args ...string) (string, error) {\n\treturn c.Use, nil\n}\n');
    const test = (arg: string) =>
      `package cli\n\nimport "testing"\n\nfunc TestArgs(t *testing.T) {\n\tc := &Command{Use: "x"}\n\tif _, err := executeCommand(c, "${arg}"); err != nil {\n\t\tt.Fatal(err)\n\t}\n}\n`;
    repo.write('args_test.go', test('a'));
    repo.commit('v1');
    repo.write('args_test.go', test('b'));
    const h = repo.commit('v2');
    const cs = await chunksOf(repo, h);
    const fn = byName(cs, 'TestArgs')!;
    const tree = items(fn).filter((i) => i.startsWith('tree '));
    assert.deepEqual(tree, ['tree struct Command @command.go', 'tree fn executeCommand @command_test.go']);
  });

  it("Rust: an integration test reaches a struct through `pub use`, both inside cfg macros, and a workspace crate's #[macro_export] macro", async () => {
    const repo = fixture();
    repo.write('Cargo.toml', '[workspace]\nmembers = ["tokio", "tokio-test"]\n');
    repo.write('tokio/Cargo.toml', '[package]\nname = "tokio"\nversion = "1.0.0"\n');
    repo.write('tokio/src/lib.rs', '#[macro_use]\nmod macros;\npub mod net;\n');
    repo.write('tokio/src/macros.rs', 'macro_rules! cfg_net {\n    ($($item:item)*) => { $( #[cfg(feature = "net")] $item )* }\n}\n');
    repo.write('tokio/src/net/mod.rs', 'cfg_net! {\n    pub mod tcp;\n    pub use tcp::TcpStream;\n}\n');
    repo.write('tokio/src/net/tcp.rs', 'cfg_net! {\n    /// A TCP stream.\n    pub struct TcpStream {\n        fd: i32,\n    }\n}\n');
    repo.write('tokio-test/Cargo.toml', '[package]\nname = "tokio-test"\nversion = "0.4.0"\n');
    repo.write('tokio-test/src/lib.rs', '#[macro_use]\nmod macros;\n');
    repo.write('tokio-test/src/macros.rs', '#[macro_export]\nmacro_rules! assert_ok {\n    ($e:expr) => { $e.unwrap() };\n}\n');
    const test = (v: number) =>
      `use tokio::net::TcpStream;\nuse tokio_test::assert_ok;\n\n#[test]\nfn connect() {\n    let s: Option<TcpStream> = None;\n    assert_ok!(Ok::<_, ()>(${v}));\n    drop(s);\n}\n`;
    repo.write('tokio/tests/tcp.rs', test(1));
    repo.commit('v1');
    repo.write('tokio/tests/tcp.rs', test(2));
    const h = repo.commit('v2');
    const cs = await chunksOf(repo, h);
    const fn = byName(cs, 'connect')!;
    const tree = items(fn).filter((i) => i.startsWith('tree '));
    // the macro it invokes first, the struct it names only as a type second
    assert.deepEqual(tree, ['tree macro assert_ok @tokio-test/src/macros.rs', 'tree struct TcpStream @tokio/src/net/tcp.rs']);
    assert.equal(fn.context.find((i) => i.symbol === 'TcpStream' && i.reason === 'tree')?.code, '/// A TCP stream.\n    pub struct TcpStream {\n        fd: i32,\n    }');
  });

  it('Python: a pytest test gets the fixtures it takes from the conftest.py files above it', async () => {
    const repo = fixture();
    repo.write('tests/conftest.py', 'import pytest\n\n\n@pytest.fixture\ndef httpbin():\n    return "http://localhost"\n\n\n@pytest.fixture\ndef unused():\n    return 1\n');
    const test = (path: string) => `def test_get(httpbin):\n    assert httpbin.startswith("${path}")\n`;
    repo.write('tests/api/test_get.py', test('http'));
    repo.commit('v1');
    repo.write('tests/api/test_get.py', test('http://'));
    const h = repo.commit('v2');
    const cs = await chunksOf(repo, h);
    const fn = byName(cs, 'test_get')!;
    assert.deepEqual(items(fn), ['tree fn httpbin @tests/conftest.py']);
  });

  it('Rust: a unit naming many big definitions gets every one of them, compacted, rather than the first few whole', async () => {
    const repo = fixture();
    repo.write('src/lib.rs', 'pub mod types;\npub mod run;\n');
    // twelve structs of ~150 tokens each: whole, six would fill the 1,024-token context budget
    const fields = (n: number) => Array.from({ length: 24 }, (_, k) => `    pub field_${n}_${k}: u64,`).join('\n');
    repo.write('src/types.rs', Array.from({ length: 12 }, (_, n) => `/// Type ${n}.\npub struct Type${n} {\n${fields(n)}\n}\n`).join('\n'));
    const run = (v: number) =>
      `use crate::types::{${Array.from({ length: 12 }, (_, n) => `Type${n}`).join(', ')}};\n\npub fn run(${Array.from({ length: 12 }, (_, n) => `t${n}: &Type${n}`).join(', ')}) -> u64 {\n    ${Array.from({ length: 12 }, (_, n) => `t${n}.field_${n}_0`).join(' + ')} + ${v}\n}\n`;
    repo.write('src/run.rs', run(1));
    repo.commit('v1');
    repo.write('src/run.rs', run(2));
    const h = repo.commit('v2');
    const fn = byName(await chunksOf(repo, h), 'run')!;
    const tree = fn.context.filter((i) => i.reason === 'tree');
    assert.deepEqual(
      tree.map((i) => i.symbol),
      Array.from({ length: 12 }, (_, n) => `Type${n}`),
    );
    // as many as needed made short (the biggest first): the signature and first fields, no doc comment
    const short = tree.filter((i) => i.collapsed);
    assert.ok(short.length >= 6 && short.every((i) => i.code.startsWith(`pub struct ${i.symbol} {`) && (i.tokens ?? 0) <= 64), JSON.stringify(tree.map((i) => [i.symbol, i.tokens, i.collapsed])));
    assert.ok(fn.context.reduce((n, i) => n + (i.tokens ?? 0), 0) <= 1024, 'within the budget');
  });

  it('Rust: a module imported by name reaches the functions its mod.rs re-exports (`use tokio::fs;` … `fs::hard_link(…)`)', async () => {
    const repo = fixture();
    repo.write('Cargo.toml', '[package]\nname = "tokio"\nversion = "1.0.0"\n');
    repo.write('src/lib.rs', 'pub mod fs;\npub mod task;\n');
    repo.write('src/fs/mod.rs', 'mod hard_link;\npub use self::hard_link::hard_link;\nmod create_dir;\npub use self::create_dir::create_dir;\nmod unused;\npub use self::unused::unused;\n');
    repo.write('src/fs/hard_link.rs', 'pub async fn hard_link(a: &str, b: &str) -> std::io::Result<()> {\n    Ok(())\n}\n');
    repo.write('src/fs/create_dir.rs', 'pub async fn create_dir(a: &str) -> std::io::Result<()> {\n    Ok(())\n}\n');
    repo.write('src/fs/unused.rs', 'pub fn unused() {}\n');
    repo.write('src/task/mod.rs', 'mod yield_now;\npub use yield_now::yield_now;\n');
    repo.write('src/task/yield_now.rs', 'pub async fn yield_now() {}\n');
    const test = (v: number) => `use tokio::fs;\nuse tokio::task;\n\n#[test]\nfn link() {\n    fs::create_dir("a");\n    fs::hard_link("a", "b");\n    task::yield_now();\n    let _ = ${v};\n}\n`;
    assert.deepEqual(await treeItemsOfEdit(repo, 'tests/fs_link.rs', test, 'link'), [
      'tree fn hard_link @src/fs/hard_link.rs',
      'tree fn create_dir @src/fs/create_dir.rs',
      'tree fn yield_now @src/task/yield_now.rs',
    ]);
  });

  it('a file of the tree larger than the history reads (maxFileBytes) is not context either', async () => {
    const repo = fixture();
    repo.write('src/lib.rs', 'pub mod big;\npub mod small;\npub mod user;\n');
    const padding = Array.from({ length: 400 }, (_, n) => `pub const PAD_${n}: u32 = ${n};`).join('\n');
    repo.write('src/big.rs', `pub struct Big {\n    pub x: u32,\n}\n\n${padding}\n`);
    repo.write('src/small.rs', 'pub struct Small {\n    pub y: u32,\n}\n');
    const user = (v: number) => `use crate::big::Big;\nuse crate::small::Small;\n\npub fn make() -> (Big, Small) {\n    (Big { x: ${v} }, Small { y: ${v} })\n}\n`;
    repo.write('src/user.rs', user(1));
    repo.commit('v1');
    repo.write('src/user.rs', user(2));
    const h = repo.commit('v2');
    const tree = async (maxFileBytes?: number) => {
      const run = await chunkHistory(repo, { maxFileBytes }, { maxFileBytes });
      run.chunker.dispose();
      return items(byName(run.chunks.get(h)!, 'make')!).filter((i) => i.startsWith('tree '));
    };
    assert.ok(Buffer.byteLength(repo.read('src/big.rs')) > 10_000);
    assert.deepEqual(await tree(), ['tree struct Big @src/big.rs', 'tree struct Small @src/small.rs']);
    assert.deepEqual(await tree(10_000), ['tree struct Small @src/small.rs']);
  });

  it("Go: an import resolves through go.mod's module path to exactly its folder, not a same-named folder elsewhere", async () => {
    const repo = fixture();
    repo.write('go.mod', 'module example.com/app // the app\n\ngo 1.21\n');
    // sorts before internal/: the suffix rule alone would pick it for "…/internal/util"
    repo.write('examples/internal/util/util.go', 'package util\n\nfunc Clean(s string) string {\n\treturn "example"\n}\n');
    repo.write('internal/util/util.go', 'package util\n\nfunc Clean(s string) string {\n\treturn s\n}\n');
    repo.write('tools/go.mod', 'module example.com/tools\n');
    repo.write('tools/fmt/fmt.go', 'package fmt\n\nfunc Pretty(s string) string {\n\treturn s\n}\n');
    const main = (v: number) =>
      `package main\n\nimport (\n\t"example.com/app/internal/util"\n\t"example.com/tools/fmt"\n\t"github.com/other/internal/util2"\n)\n\nfunc run() string {\n\treturn fmt.Pretty(util.Clean("${v}")) + util2.Clean()\n}\n`;
    assert.deepEqual(await treeItemsOfEdit(repo, 'cmd/app/main.go', main, 'run'), ['tree fn Clean @internal/util/util.go', 'tree fn Pretty @tools/fmt/fmt.go']);
  });

  it("TypeScript: tsconfig paths and baseUrl, through a package's config extending the root's (comments, trailing commas)", async () => {
    const repo = fixture();
    repo.write('tsconfig.base.json', '{\n  // shared\n  "compilerOptions": {\n    "baseUrl": ".",\n    "paths": { "~lib/*": ["packages/lib/src/*"], "@/*": ["packages/web/src/*"], },\n  },\n}\n');
    repo.write('packages/web/tsconfig.json', '{ "extends": "../../tsconfig.base.json", /* no paths of its own */ "include": ["src"] }\n');
    repo.write('packages/lib/src/format.ts', 'export function formatPrice(n: number): string {\n  return `$${n}`;\n}\n');
    repo.write('packages/web/src/components/button.ts', 'export function renderButton(label: string): string {\n  return `<button>${label}</button>`;\n}\n');
    repo.write('packages/web/src/other/button.ts', 'export function renderButton(): string {\n  return "decoy";\n}\n');
    const main = (v: number) =>
      `import { formatPrice } from '~lib/format';\nimport { renderButton } from '@/components/button';\n\nexport function checkout(): string {\n  return renderButton(formatPrice(${v}));\n}\n`;
    assert.deepEqual(await treeItemsOfEdit(repo, 'packages/web/src/app/main.ts', main, 'checkout'), [
      'tree fn formatPrice @packages/lib/src/format.ts',
      'tree fn renderButton @packages/web/src/components/button.ts',
    ]);
  });

  it('ranks by role: what the unit calls first, then the types it names, then the trait it implements; the last dropped first', async () => {
    const repo = fixture();
    repo.write('src/lib.rs', 'pub mod config;\npub mod output;\npub mod render;\npub mod util;\npub mod page;\n');
    repo.write('src/config.rs', 'pub struct Config {\n    pub width: u32,\n}\n');
    repo.write('src/output.rs', 'pub struct Output {\n    pub text: String,\n}\n');
    repo.write('src/render.rs', '/// Something drawn.\npub trait Render {\n    fn render(&self, cfg: &crate::config::Config) -> crate::output::Output;\n}\n');
    repo.write('src/util.rs', 'pub fn layout(width: u32) -> String {\n    " ".repeat(width as usize)\n}\n');
    const page = (v: number) =>
      `use crate::config::Config;\nuse crate::output::Output;\nuse crate::render::Render;\nuse crate::util::layout;\n\npub struct Page;\n\nimpl Render for Page {\n    fn render(&self, cfg: &Config) -> Output {\n        let text = layout(cfg.width + ${v});\n        crate::output::Output { text }\n    }\n}\n`;
    repo.write('src/page.rs', page(1));
    repo.commit('v1');
    repo.write('src/page.rs', page(2));
    const h = repo.commit('v2');
    const at = async (contextTokens?: number) => {
      const run = await chunkHistory(repo, { contextTokens });
      run.chunker.dispose();
      const cs = run.chunks.get(h)!;
      const fn = cs.find((c) => c.qualifiedName === 'impl Render for Page');
      assert.ok(fn, cs.map((c) => `${c.kind} ${c.qualifiedName}`).join(', '));
      return fn.context.filter((i) => i.reason === 'tree').map((i) => `${i.role} ${i.symbol}`);
    };
    // Output is built by path in the body (a use; within a role, in the imports' order); Config only a parameter's type
    assert.deepEqual(await at(), ['uses Output', 'uses layout', 'type Config', 'trait Render']);
    const tight = await at(60);
    assert.ok(tight.length < 4 && !tight.includes('trait Render') && tight[0] === 'uses Output', JSON.stringify(tight));
  });
});
