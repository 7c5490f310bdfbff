/**
 * How useful is the cross-file context? Recall of the definitions a changed unit needs, precision of the items it
 * gets, and the tokens spent, by language, on real histories:
 *
 *   npm run bench:context -- REPO… [--commits 400] [--units 150] [--show N] [--keep]
 *
 * (`--show N`: the first N missed needs and unused items per language on stderr.)
 *
 * Each repository's last `--commits` commits are built with the defaults (the bundled CLI, as a user runs it); up
 * to `--units` changed units per language are sampled from chunks.jsonl (deterministically, by chunk id). The
 * reference is computed without the engine: the git CLI lists the tree at the unit's commit and reads its files of
 * that language, and plain regular expressions find what each file defines (Rust: fn, struct, enum, trait, type,
 * union, const, static, macro_rules; Python: def, class, module-level assignments; TS/JS: top-level declarations;
 * Go: func, type, const, var) and what the unit's new code uses.
 *
 * - A name the unit **uses**: in its new code (comments, strings and a proc macro's `quote! { … }` templates removed), an identifier that is called
 *   (`name(`, `name!`), a path's later segment (`a::name`), capitalised (types, traits, classes) or
 *   SCREAMING_CASE; not a method or field (`.name`), except Go's `pkg.Name`; not a language builtin or prelude
 *   name; not a one-letter generic parameter (`T`); not the unit's own name nor what it declares (Rust: enum
 *   variants); attributes (`#[…]`) aside.
 * - **Needed**: a used name that another file of the repository (vendored folders aside) defines at that commit
 *   and the unit's own file neither defines nor imports from outside the repository (Rust: `use std::sync::Mutex`,
 *   `use bytes::Bytes`, any crate that is not one of the workspace's Cargo.toml packages); Rust also leaves out
 *   paths from outside (`std::mem::swap`, `Arc::ptr_eq`, `tracing::trace!`), a path's module segments (`task` in
 *   `task::coop::poll_proceed`), a type's variants and associated types (`Content::Unit`, `D::Error`) and names the
 *   unit binds itself (a
 *   `let`, a parameter, a closure's argument). Defined in more than 4 files: **ambiguous**, left out of recall (counted).
 *   Used names the unit's own file defines are counted apart (same-file needs).
 * - **Recall**: needed names with a context item (not an import line) of that name from one of its defining files.
 * - **Precision**: items (imports included) the unit actually uses: a definition's name, one of an import's names,
 *   all of an impl's type names appear among the unit's identifiers.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { forEachJsonl } from '../src/core/dataset/jsonl';
import type { ChunkRecord } from '../src/core/types';
import { runChild } from './child';

type Family = 'rust' | 'python' | 'ts/js' | 'go';
const FAMILY: Record<string, Family> = { rust: 'rust', python: 'python', typescript: 'ts/js', tsx: 'ts/js', javascript: 'ts/js', go: 'go' };
const EXT: Record<Family, RegExp> = { rust: /\.rs$/, python: /\.pyi?$/, 'ts/js': /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/, go: /\.go$/ };
const VENDORED = /(^|\/)(node_modules|vendor|third_party|dist|build|target)\//;
const SKIP_KINDS = new Set(['use', 'import', 'hunk', 'top-level']);
const MAX_DEFINERS = 4;

/** Definitions by plain text, one regular expression per family (capture group 1 … n: the defined name). */
const DEFS: Record<Family, RegExp> = {
  rust: /\b(?:fn|struct|enum|trait|type|union|const|static)\s+([A-Za-z_]\w*)|macro_rules!\s*([A-Za-z_]\w*)/g,
  python: /^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)|^([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=(?!=)/gm,
  'ts/js': /^(?:export[ \t]+)?(?:default[ \t]+)?(?:declare[ \t]+)?(?:abstract[ \t]+)?(?:async[ \t]+)?(?:function\*?|class|interface|type|enum|const|let|var|namespace)[ \t]+([A-Za-z_$][\w$]*)/gm,
  go: /^func[ \t]+(?:\([^)]*\)[ \t]*)?([A-Za-z_]\w*)|^type[ \t]+([A-Za-z_]\w*)|^(?:const|var)[ \t]+([A-Za-z_]\w*)|^\t([A-Za-z_]\w*)(?:[ \t]+[\w.*[\]]+)?[ \t]*=/gm,
};

const BUILTINS: Record<Family, Set<string>> = {
  rust: new Set(
    'all any not doc cfg feature test Self self Option Some None Result Ok Err Vec String Box Default Clone Copy Send Sync Sized Drop Fn FnMut FnOnce From Into TryFrom TryInto Iterator IntoIterator DoubleEndedIterator ExactSizeIterator Extend ToString ToOwned PartialEq Eq PartialOrd Ord Debug Display Hash AsRef AsMut Unpin Future println print eprintln eprint format write writeln vec assert assert_eq assert_ne debug_assert debug_assert_eq panic unreachable unimplemented todo matches cfg include_str concat stringify env file line column thread_local dbg'.split(
      ' ',
    ),
  ),
  python: new Set(
    'self cls None True False len str int float bool bytes dict list set tuple frozenset object type print isinstance issubclass super range enumerate zip map filter sorted reversed min max sum any all abs open repr hash id iter next getattr setattr hasattr delattr callable vars dir format Exception BaseException ValueError TypeError KeyError IndexError AttributeError RuntimeError NotImplementedError StopIteration OSError IOError ImportError AssertionError UnicodeDecodeError UnicodeEncodeError DeprecationWarning Warning staticmethod classmethod property'.split(
      ' ',
    ),
  ),
  'ts/js': new Set(
    'Object Array Promise Error TypeError RangeError Map Set WeakMap WeakSet JSON Math Date RegExp String Number Boolean Symbol BigInt console require module exports process Buffer setTimeout clearTimeout setInterval clearInterval parseInt parseFloat isNaN undefined NaN Infinity Record Partial Readonly Pick Omit Exclude Extract ReturnType Parameters NonNullable Required InstanceType Function Proxy Reflect'.split(
      ' ',
    ),
  ),
  go: new Set(
    'make len cap append new panic recover copy delete close print println string int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 uintptr byte rune float32 float64 bool error nil true false iota any'.split(
      ' ',
    ),
  ),
};

/** Comments and string literals blanked out (lengths kept), roughly per family. */
function strip(code: string, f: Family): string {
  const blank = (m: string) => m.replace(/[^\n]/g, ' ');
  let s = code.replace(/\/\*[\s\S]*?\*\//g, blank);
  if (f === 'python')
    s = s
      .replace(/("""|''')[\s\S]*?\1/g, blank)
      .replace(/#[^\n]*/g, blank)
      .replace(/"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g, blank);
  else {
    s = s.replace(/\/\/[^\n]*/g, blank).replace(/"(?:\\.|[^"\\\n])*"/g, blank);
    if (f === 'rust') {
      s = s.replace(/'(?:\\.|[^'\\\n])'/g, blank).replace(/#!?\[[^\]\n]*\]/g, blank); // char literals, attributes
      s = blankTemplates(s);
    } else s = s.replace(/'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`/g, blank);
  }
  return s;
}

/**
 * A proc macro's code templates (`quote! { … }`, `quote_spanned! { span => … }`, `parse_quote!(…)`, wrappers named `quote_…!`) blanked out: the
 * names in them are tokens of the code the macro emits into another crate, not uses of this crate's definitions.
 */
function blankTemplates(s: string): string {
  const open = /\b(?:quote\w*|parse_quote\w*)!\s*([({[])/g;
  const close: Record<string, string> = { '(': ')', '{': '}', '[': ']' };
  let out = s;
  for (let m = open.exec(s); m; m = open.exec(s)) {
    const o = m[1];
    const c = close[o];
    let depth = 0;
    let i = m.index + m[0].length - 1;
    for (; i < s.length; i++) {
      if (s[i] === o) depth++;
      else if (s[i] === c && --depth === 0) break;
    }
    const from = m.index + m[0].length;
    out = out.slice(0, from) + out.slice(from, i).replace(/[^\n]/g, ' ') + out.slice(i);
    open.lastIndex = Math.max(open.lastIndex, i);
  }
  return out;
}

const IDENT = /[A-Za-z_$][\w$]*/g;

/** Every identifier of the code (for precision), and the names it uses in the sense above (for recall). */
function usage(code: string, f: Family, own: string, goPackages: Set<string>, external: Set<string> = new Set()): { idents: Set<string>; used: Set<string> } {
  const s = strip(code, f);
  const idents = new Set<string>();
  const used = new Set<string>();
  const locals = f === 'rust' ? rustLocals(s) : new Set<string>();
  // what the unit declares itself: Rust enum variants and struct fields, a line's first capitalised name before , ( { or =
  const declared = f === 'rust' ? new Set([...s.matchAll(/^[ \t]*([A-Z]\w*)[ \t]*[,({=]/gm)].map((m) => m[1])) : new Set<string>();
  for (const m of s.matchAll(IDENT)) {
    const name = m[0];
    const at = m.index;
    idents.add(name);
    if (name === own || declared.has(name) || BUILTINS[f].has(name) || /^\d/.test(name) || /^[A-Z]\d?$/.test(name)) continue; // T, U1: generic parameters
    const before = s.slice(Math.max(0, at - 2), at);
    const after = /^\s*([(!])?/.exec(s.slice(at + name.length, at + name.length + 40))?.[1] ?? '';
    const dotted = before.endsWith('.') && !before.endsWith('..');
    if (dotted) {
      // Go: pkg.Name, with pkg a package the unit's file imports
      if (f !== 'go' || !/^[A-Z]/.test(name)) continue;
      const prev = /([A-Za-z_]\w*)\.$/.exec(s.slice(Math.max(0, at - 40), at))?.[1];
      if (!prev || !goPackages.has(prev)) continue;
    }
    const called = after === '(' || (f === 'rust' && after === '!');
    const pathSeg = before.endsWith('::'); // a::name (a leading segment, a module or crate, is not a definition)
    if (f === 'rust') {
      if (!pathSeg && locals.has(name)) continue; // a local, a parameter, a closure's argument
      // `Type::Variant`, `Trait::Assoc`: an enum's variant or an associated type, not a definition of its own
      if (pathSeg && /^[A-Z][a-z]/.test(name) && /(?:^|[^\w])([A-Z]\w*)\s*::\s*$/.test(s.slice(Math.max(0, at - 80), at))) continue;
      // a lower-case segment before `::` is a module or crate (`task::coop::poll_proceed`), not a function's use
      if (/^[a-z_]/.test(name) && /^\s*::/.test(s.slice(at + name.length, at + name.length + 4))) continue;
      // a path from the standard library or another crate (`std::mem::swap`, `Arc::ptr_eq`, `tracing::trace!`)
      const head = pathSeg
        ? /((?:[A-Za-z_]\w*\s*::\s*)+)$/
            .exec(s.slice(Math.max(0, at - 200), at))?.[1]
            .split('::')[0]
            .trim()
        : undefined;
      if (head && (head === 'std' || head === 'core' || head === 'alloc' || STD_TYPES.has(head) || external.has(head))) continue;
    }
    if (called || pathSeg || /^[A-Z]/.test(name)) used.add(name); // capitalised: types, traits, classes, CONSTANTS
  }
  return { idents, used };
}

/** The names a Go file's imports bind (an alias, else the path's last segment). */
function goImports(text: string): Set<string> {
  const out = new Set<string>();
  const blocks = [...text.matchAll(/^import\s*\(([\s\S]*?)\)/gm)].map((m) => m[1]).concat([...text.matchAll(/^import\s+((?:\w+\s+)?"[^"]+")/gm)].map((m) => m[1]));
  for (const b of blocks)
    for (const m of b.matchAll(/(?:^|\n)\s*(?:([A-Za-z_]\w*)\s+)?"([^"]+)"/g)) {
      const name =
        m[1] ??
        m[2]
          .split('/')
          .pop()!
          .replace(/^go-|\.v\d+$|-go$/g, '');
      out.add(name);
    }
  return out;
}

/**
 * The names a Rust file imports from outside the repository: the standard library (`use std::sync::{Arc, Mutex};`,
 * `core::`, `alloc::`) or any crate that is not one of the workspace's (`use tracing::trace;`, `use bytes::Bytes;`).
 */
function externalImports(text: string, crates: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const m of strip(text, 'rust').matchAll(/\buse\s+(?:::)?([A-Za-z_]\w*)::([^;]{1,2000});/g)) {
    const root = m[1];
    if (root === 'crate' || root === 'self' || root === 'super' || crates.has(root)) continue;
    for (const id of m[2].match(IDENT) ?? []) out.add(id);
  }
  return out;
}

/** Common types of the standard library a path starts with (`Arc::new`, `MaybeUninit::uninit`): std's items, not the repository's. */
const STD_TYPES = new Set(
  'Arc Rc Weak Box Vec String Option Result MaybeUninit Cell RefCell UnsafeCell OnceCell Mutex RwLock Condvar HashMap HashSet BTreeMap BTreeSet VecDeque BinaryHeap Duration Instant SystemTime Pin PhantomData NonNull ManuallyDrop Cow Ordering AtomicUsize AtomicBool AtomicU64 AtomicU32 AtomicPtr Path PathBuf OsString OsStr Error ErrorKind Layout Iterator i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64 char str bool'.split(
    ' ',
  ),
);

/** Lower-case names a Rust unit binds itself: `let` (one name), `for … in`, closure arguments, parameters, `if let`/match bindings of one name. */
function rustLocals(s: string): Set<string> {
  const out = new Set<string>();
  const add = (re: RegExp) => {
    for (const m of s.matchAll(re)) for (const id of m[1].match(/\b[a-z_]\w*/g) ?? []) if (id !== 'mut' && id !== 'ref') out.add(id);
  };
  add(/\blet\s+((?:mut\s+)?[a-z_]\w*)/g);
  add(/\bfor\s+([^{]{1,80}?)\s+in\b/g);
  add(/\|([^|\n]{0,120})\|/g);
  add(/[(,]\s*((?:mut\s+)?[a-z_]\w*)\s*:(?!:)/g);
  add(/\b(?:Some|Ok|Err)\(\s*((?:ref\s+)?(?:mut\s+)?[a-z_]\w*)\s*\)/g);
  return out;
}

/** The crate names of a Rust workspace (`[package] name`, `-` as `_`), from the Cargo.toml files' texts. */
function crateNames(manifests: string[]): Set<string> {
  const out = new Set<string>();
  for (const t of manifests) {
    const m = /^\[package\][^[]*?^name\s*=\s*"([^"]+)"/ms.exec(t);
    if (m) out.add(m[1].replace(/-/g, '_'));
  }
  return out;
}

/** Names a file's text defines. */
function definedNames(text: string, f: Family): Set<string> {
  const out = new Set<string>();
  for (const m of strip(text, f).matchAll(DEFS[f])) for (let g = 1; g < m.length; g++) if (m[g]) out.add(m[g]);
  return out;
}

/** The last identifier of a symbol ("Foo::new" → new, "(*Server).Handle" → Handle), or null for an impl. */
function itemName(symbol: string, kind?: string): string | null {
  // a whole impl block defines no name; an item inside one (`impl Interest::READABLE`, kind const) defines its own
  if (/^impl\b/.test(symbol) && (kind === undefined || kind === 'impl')) return null;
  const ids = symbol.replace(/#\d+$/, '').match(IDENT);
  return ids ? ids[ids.length - 1] : null;
}

/** `git cat-file --batch` over one repository: blob texts by oid, cached. */
class Blobs {
  private readonly child;
  private buf = Buffer.alloc(0);
  private waiting: Array<(b: Buffer | null) => void> = [];
  constructor(gitDir: string) {
    this.child = spawn('git', ['--git-dir', gitDir, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child.stdout.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.drain();
    });
  }
  private drain(): void {
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl < 0 || !this.waiting.length) return;
      const head = this.buf.subarray(0, nl).toString();
      if (head.endsWith(' missing')) {
        this.buf = this.buf.subarray(nl + 1);
        this.waiting.shift()!(null);
        continue;
      }
      const size = Number(head.split(' ')[2]);
      if (this.buf.length < nl + 1 + size + 1) return;
      const body = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 1 + size + 1);
      this.waiting.shift()!(body);
    }
  }
  read(oid: string): Promise<Buffer | null> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.stdin.write(`${oid}\n`);
    });
  }
  close(): void {
    this.child.stdin.end();
  }
}

interface Tally {
  units: number;
  needed: number;
  found: number;
  ambiguous: number;
  sameFile: number;
  items: number;
  usedItems: number;
  tokens: number;
  empty: number;
}
const tally = (): Tally => ({ units: 0, needed: 0, found: 0, ambiguous: 0, sameFile: 0, items: 0, usedItems: 0, tokens: 0, empty: 0 });

/** Deterministic sample order: FNV-1a of the chunk id. */
function rank(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

async function measure(repo: string, out: string, perFamily: number, show: number): Promise<Map<Family, Tally>> {
  const byFamily = new Map<Family, ChunkRecord[]>();
  forEachJsonl(path.join(out, 'chunks.jsonl'), (r) => {
    const c = r as ChunkRecord;
    const f = c.language ? FAMILY[c.language] : undefined;
    if (!f || SKIP_KINDS.has(c.kind) || !c.newCode || c.change === 'deleted') return;
    (byFamily.get(f) ?? byFamily.set(f, []).get(f)!).push(c);
  });
  const gitDir = spawnSync('git', ['-C', repo, 'rev-parse', '--absolute-git-dir'], { encoding: 'utf8' }).stdout.trim() || repo;
  const blobs = new Blobs(gitDir);
  const defsOf = new Map<string, Set<string>>();
  const trees = new Map<string, Array<{ path: string; oid: string }>>();
  const crates = new Map<string, Set<string>>();
  /** The workspace's crate names at a commit (every Cargo.toml of its tree). */
  const cratesOf = async (commit: string, tree: Array<{ path: string; oid: string }>): Promise<Set<string>> => {
    let c = crates.get(commit);
    if (!c) {
      const texts: string[] = [];
      for (const e of tree) if (/(^|\/)Cargo\.toml$/.test(e.path) && !VENDORED.test(e.path)) texts.push((await blobs.read(e.oid))?.toString('utf8') ?? '');
      crates.set(commit, (c = crateNames(texts)));
    }
    return c;
  };
  const result = new Map<Family, Tally>();
  try {
    for (const [f, all] of byFamily) {
      const sample = all.sort((a, b) => rank(a.id) - rank(b.id) || (a.id < b.id ? -1 : 1)).slice(0, perFamily);
      const t = tally();
      result.set(f, t);
      for (const c of sample) {
        let tree = trees.get(c.commit);
        if (!tree) {
          const ls = spawnSync('git', ['--git-dir', gitDir, 'ls-tree', '-r', '-z', c.commit], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
          tree = ls
            .split('\0')
            .filter(Boolean)
            .map((l) => {
              const [meta, p] = l.split('\t');
              return { path: p, oid: meta.split(' ')[2] };
            });
          trees.set(c.commit, tree);
        }
        // name → the files defining it (the unit's own file apart)
        const definers = new Map<string, string[]>();
        let own = new Set<string>();
        let packages = new Set<string>();
        let external = new Set<string>();
        for (const e of tree) {
          if (!EXT[f].test(e.path) || VENDORED.test(e.path)) continue;
          let d = defsOf.get(e.oid);
          if (!d || e.path === c.path) {
            const b = await blobs.read(e.oid);
            const text = b && b.length < 2_000_000 ? b.toString('utf8') : '';
            d = definedNames(text, f);
            defsOf.set(e.oid, d);
            if (e.path === c.path && f === 'go') packages = goImports(text);
            if (e.path === c.path && f === 'rust') external = externalImports(text, await cratesOf(c.commit, tree));
          }
          if (e.path === c.path) own = d;
          else for (const n of d) (definers.get(n) ?? definers.set(n, []).get(n)!).push(e.path);
        }
        const ownName = itemName(c.qualifiedName) ?? '';
        const { idents, used } = usage(c.newCode, f, ownName, packages, external);
        const items = c.context.filter((i) => i.kind !== 'import');
        t.units++;
        if (!c.context.length) t.empty++;
        for (const n of used) {
          if (external.has(n)) continue; // `use std::sync::Mutex`, `use bytes::Bytes`: not the repository's
          if (own.has(n)) {
            t.sameFile++;
            continue;
          }
          const where = definers.get(n);
          if (!where) continue;
          if (where.length > MAX_DEFINERS) {
            t.ambiguous++;
            continue;
          }
          t.needed++;
          if (items.some((i) => itemName(i.symbol, i.kind) === n && where.includes(i.path))) t.found++;
          else if (show > 0 && t.needed - t.found <= show)
            process.stderr.write(
              `   missed (${f}) ${c.path} ${c.qualifiedName} @${c.commit.slice(0, 8)}: ${n} (in ${where.join(', ')}); has ${c.context.map((i) => i.symbol).join(' | ') || 'nothing'}\n`,
            );
        }
        for (const i of c.context) {
          t.items++;
          t.tokens += i.tokens ?? 0;
          const names = i.kind === 'import' ? i.symbol.split(/,\s*/) : /^impl\b/.test(i.symbol) ? (i.symbol.match(/[A-Z]\w*/g) ?? []) : [itemName(i.symbol) ?? ''];
          const ok =
            i.kind === 'import' ? names.some((n) => n !== ownName && idents.has(n)) : names.length > 0 && names.every((n) => n !== '' && idents.has(n) && (n !== ownName || /^impl\b/.test(i.symbol)));
          if (ok) t.usedItems++;
          else if (show > 0 && t.items - t.usedItems <= show)
            process.stderr.write(`   unused (${f}) ${c.path} ${c.qualifiedName} @${c.commit.slice(0, 8)}: ${i.reason} ${i.kind} ${i.symbol} @${i.path}\n`);
        }
      }
    }
  } finally {
    blobs.close();
  }
  return result;
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : '–');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (n: string, d: number) => {
    const i = args.indexOf(n);
    if (i < 0) return d;
    const v = Number(args[i + 1]);
    args.splice(i, 2);
    return v;
  };
  const commits = flag('--commits', 400);
  const units = flag('--units', 150);
  const show = flag('--show', 0);
  const keepAt = args.indexOf('--keep');
  if (keepAt >= 0) args.splice(keepAt, 1);
  if (!args.length) throw new Error('usage: npm run bench:context -- REPO… [--commits 400] [--units 150] [--keep]');
  const work = path.resolve('bench/.work/context');
  const lines = [
    `last ${commits} commits, up to ${units} changed units per language, default budgets; reference: git CLI + plain-text definitions`,
    '',
    '| repository | language | units | needed | recall | ambiguous | same-file uses | items | precision | tokens/unit | no context |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const repo of args.map((a) => path.resolve(a))) {
    const name = /([^/]+)\+([^/]+)\/repo\/?$/.exec(repo)?.slice(1).join('/') ?? path.basename(repo);
    const dir = path.join(work, name.replace(/[^\w.-]/g, '_'));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const out = path.join(dir, 'out');
    try {
      process.stderr.write(`── ${name}: building the last ${commits} commits\n`);
      const b = await runChild(['build', repo, '--out', out, '--cache-dir', path.join(dir, 'cache'), '--max-commits', String(commits), '-q']);
      if (b.code !== 0) {
        lines.push(`| ${name} | build failed (exit ${String(b.code)}) | | | | | | | | | |`);
        continue;
      }
      for (const [f, t] of [...(await measure(repo, out, units, show))].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
        lines.push(
          `| ${name} | ${f} | ${t.units} | ${t.needed} | ${pct(t.found, t.needed)} | ${t.ambiguous} | ${t.sameFile} | ${t.items} | ${pct(t.usedItems, t.items)} | ${(t.tokens / Math.max(1, t.units)).toFixed(0)} | ${pct(t.empty, t.units)} |`,
        );
      process.stderr.write(`${lines[lines.length - 1]}\n`);
    } finally {
      if (keepAt < 0) fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(lines.join('\n'));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
