/**
 * Reading import declarations and resolving them to files of the tree, per language:
 * Rust `use` paths (`crate::`, `super::`, `self::`, the `mod` file layout, other crates of the workspace by their
 * Cargo.toml names), relative imports of TS/JS and the monorepo's own packages by their package.json names,
 * Python relative and absolute imports of the project's own packages, same-package and in-repo packages for Go.
 */
import * as path from 'node:path';
import type { Node } from 'web-tree-sitter';

export interface ImportedName {
  /** Name the file uses (`Baz` in `Bar as Baz`). */
  local: string;
  /** Name defined in the target (`Bar`), or '*' for a glob / namespace / module import. */
  imported: string;
  /** Module path segments as written (Rust: [`crate`, `types`]; TS/Python: [source]). */
  from: string[];
  /** The import names a module (Rust `use a::b;`, Python `from . import mod`, TS `* as ns`). */
  module?: boolean;
  /** A re-export (`export { a as b } from './x'`, `export * from './y'`): it binds nothing in the file itself (local = the exported name). */
  reexport?: boolean;
}

// ───────────── reading import nodes ─────────────
//
// Names are read from the syntax tree of one import node (`use_declaration`, `import_statement`,
// `export … from`, `import_from_statement`, `import_declaration`). Every walk below moves from a node to its
// children (an explicit stack, no recursion: a deeply nested list cannot overflow the call stack), so it ends
// on any finite tree. ERROR and MISSING nodes are skipped: what is well-formed around them is still read.

/** The names imported by one import node of `language` (`text` is the parsed text, UTF-16 offsets). */
export function importNames(language: string, node: Node, text: string): ImportedName[] {
  switch (language) {
    case 'rust':
      return rustUse(node, text);
    case 'typescript':
    case 'tsx':
    case 'javascript':
      return esImport(node, text);
    case 'python':
      return pythonImport(node, text);
    case 'go':
      return goImport(node, text);
    default:
      return [];
  }
}

const src = (n: Node, text: string): string => text.slice(n.startIndex, n.endIndex);

/** Usable child: named, not an error, not inserted by error recovery, not a comment. */
const usable = (n: Node | null): n is Node => !!n && n.isNamed && !n.isError && !n.isMissing && !n.type.includes('comment') && n.endIndex > n.startIndex;

const children = (n: Node): Node[] => n.namedChildren.filter(usable);

/** A Rust identifier's name: raw identifiers `r#type` are the identifier `type` (as units are named). */
export const rustIdent = (s: string): string => (s.startsWith('r#') ? s.slice(2) : s);

/** Segments of a Rust path node (`crate::a::b` → [crate, a, b]; a leading `::` adds none), or null if it is not a plain path. */
function rustPath(n: Node | null, text: string): string[] | null {
  const segs: string[] = [];
  let cur: Node | null = n;
  while (cur) {
    if (!usable(cur)) return null;
    if (cur.type === 'scoped_identifier') {
      const name = cur.childForFieldName('name');
      if (!usable(name)) return null;
      segs.push(rustIdent(src(name, text)));
      cur = cur.childForFieldName('path'); // null after a leading `::`
      continue;
    }
    if (cur.type !== 'identifier' && cur.type !== 'crate' && cur.type !== 'self' && cur.type !== 'super') return null;
    segs.push(rustIdent(src(cur, text)));
    break;
  }
  return segs.reverse();
}

function rustUse(decl: Node, text: string): ImportedName[] {
  const out: ImportedName[] = [];
  const emit = (full: string[], alias?: string): void => {
    const last = full[full.length - 1];
    if (!last) return;
    if (last === 'self') {
      const name = full[full.length - 2];
      if (name) out.push({ local: alias ?? name, imported: name, from: full.slice(0, -2) });
    } else out.push({ local: alias ?? last, imported: last, from: full.slice(0, -1) });
  };
  const arg = decl.childForFieldName('argument');
  if (!usable(arg)) return out;
  // an error right in the declaration (`use a::{b, <<<<<<< HEAD …`) may have cut its argument short (`a`): read nothing
  for (let i = 0; i < decl.childCount; i++) if (decl.child(i)?.isError) return out;
  // depth first, in source order: children are pushed last first
  const stack: Array<{ node: Node; prefix: string[] }> = [{ node: arg, prefix: [] }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node: n, prefix } = item;
    switch (n.type) {
      case 'use_list': {
        const kids = children(n);
        for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i], prefix });
        break;
      }
      case 'scoped_use_list': {
        const p = n.childForFieldName('path');
        const segs = p ? rustPath(p, text) : [];
        const list = n.childForFieldName('list');
        if (segs && usable(list)) stack.push({ node: list, prefix: [...prefix, ...segs] });
        break;
      }
      case 'use_as_clause': {
        const segs = rustPath(n.childForFieldName('path'), text);
        const alias = n.childForFieldName('alias');
        if (segs && usable(alias)) emit([...prefix, ...segs], rustIdent(src(alias, text)));
        break;
      }
      case 'use_wildcard': {
        const p = children(n)[0];
        const segs = p ? rustPath(p, text) : [];
        if (segs) out.push({ local: '*', imported: '*', from: [...prefix, ...segs], module: true });
        break;
      }
      default: {
        const segs = rustPath(n, text);
        if (segs) emit([...prefix, ...segs]);
      }
    }
  }
  return out;
}

/** Content of a string literal node (between its quotes). */
const stringContent = (n: Node, text: string): string => text.slice(n.startIndex + 1, Math.max(n.startIndex + 1, n.endIndex - 1));

/** A name of an import/export specifier: an identifier, or a string (`import { "a-b" as c }`). */
const specName = (n: Node | null, text: string): string | undefined => {
  if (!n || n.isError || n.isMissing || n.endIndex <= n.startIndex) return undefined;
  if (n.type === 'string') return stringContent(n, text) || undefined;
  return n.isNamed || n.type === 'default' ? src(n, text) : undefined; // JavaScript's `default as x` is a keyword token
};

/**
 * `import D, * as ns, { a as b, type C } from './x'` (namespace, then named, then default: the order names
 * were always listed in), and the re-exports `export { a as b } from './x'`, `export * from './y'`,
 * `export * as z from './z'` (marked `reexport`: they bind nothing in the file itself).
 * A side-effect `import './x'` and `import x = require('./x')` import no names.
 */
function esImport(node: Node, text: string): ImportedName[] {
  const source = node.childForFieldName('source');
  if (!usable(source) || source.type !== 'string') return [];
  const from = [stringContent(source, text)];
  if (!from[0]) return [];
  const out: ImportedName[] = [];
  if (node.type === 'export_statement') {
    let star = false;
    let bound = false;
    for (let i = 0; i < node.childCount; i++) {
      const c = node.child(i);
      if (!c) continue;
      if (c.type === '*' && !c.isNamed) star = true;
      else if (c.type === 'namespace_export') {
        const id = children(c).find((k) => k.type === 'identifier' || k.type === 'string');
        const name = specName(id ?? null, text);
        if (name) out.push({ local: name, imported: '*', from, module: true, reexport: true });
        bound = true;
      } else if (c.type === 'export_clause') {
        for (const s of children(c)) {
          if (s.type !== 'export_specifier') continue;
          const imp = specName(s.childForFieldName('name'), text);
          if (!imp) continue;
          out.push({ local: specName(s.childForFieldName('alias'), text) ?? imp, imported: imp, from, reexport: true });
        }
        bound = true;
      }
    }
    if (star && !bound) out.push({ local: '*', imported: '*', from, module: true, reexport: true });
    return out;
  }
  const clause = children(node).find((c) => c.type === 'import_clause');
  if (!clause) return out;
  const parts = children(clause);
  for (const c of parts) {
    if (c.type !== 'namespace_import') continue;
    const id = children(c).find((k) => k.type === 'identifier');
    if (id) out.push({ local: src(id, text), imported: '*', from, module: true });
  }
  for (const c of parts) {
    if (c.type !== 'named_imports') continue;
    for (const s of children(c)) {
      if (s.type !== 'import_specifier') continue;
      const imp = specName(s.childForFieldName('name'), text);
      if (!imp) continue;
      out.push({ local: specName(s.childForFieldName('alias'), text) ?? imp, imported: imp, from });
    }
  }
  const def = parts.find((c) => c.type === 'identifier');
  if (def) out.push({ local: src(def, text), imported: src(def, text), from });
  return out;
}

/** `a.b.c` of a dotted_name node, its identifiers joined by dots (whitespace and comments left out). */
const dotted = (n: Node, text: string): string[] =>
  children(n)
    .filter((c) => c.type === 'identifier')
    .map((c) => src(c, text));

/**
 * `import a.b as c, d` (module imports: `a.b` → imported `b` from `a`), `from .m import (x as y, z)`,
 * `from . import *`, `from __future__ import f`.
 */
function pythonImport(node: Node, text: string): ImportedName[] {
  const out: ImportedName[] = [];
  const names = (): Array<{ name: string[]; alias?: string }> => {
    const r: Array<{ name: string[]; alias?: string }> = [];
    for (let i = 0; i < node.childCount; i++) {
      if (node.fieldNameForChild(i) !== 'name') continue;
      const c = node.child(i);
      if (!usable(c)) continue;
      if (c.type === 'dotted_name') r.push({ name: dotted(c, text) });
      else if (c.type === 'aliased_import') {
        const n = c.childForFieldName('name');
        const a = c.childForFieldName('alias');
        if (usable(n) && n.type === 'dotted_name' && usable(a)) r.push({ name: dotted(n, text), alias: src(a, text) });
      }
    }
    return r.filter((x) => x.name.length > 0);
  };
  if (node.type === 'import_statement') {
    for (const { name: segs, alias } of names()) {
      out.push({ local: alias ?? segs[0], imported: segs[segs.length - 1], from: [segs.slice(0, -1).join('.') || '.'], module: true });
    }
    return out;
  }
  let module: string;
  if (node.type === 'future_import_statement') module = '__future__';
  else if (node.type === 'import_from_statement') {
    const m = node.childForFieldName('module_name');
    if (!usable(m)) return out;
    if (m.type === 'dotted_name') module = dotted(m, text).join('.');
    else if (m.type === 'relative_import') {
      const prefix = children(m).find((c) => c.type === 'import_prefix');
      const rest = children(m).find((c) => c.type === 'dotted_name');
      module = (prefix ? src(prefix, text).replace(/[^.]/g, '') : '') + (rest ? dotted(rest, text).join('.') : '');
    } else return out;
    if (!module) return out;
  } else return out;
  const from = [module];
  if (children(node).some((c) => c.type === 'wildcard_import')) out.push({ local: '*', imported: '*', from, module: true });
  for (const { name, alias } of names()) {
    const imp = name.join('.');
    out.push({ local: alias ?? imp, imported: imp, from });
  }
  return out;
}

/** `import "a/b"`, `import ( x "a/b"; . "c"; _ "d" )`: each package is a module import named by its alias or last segment. */
function goImport(node: Node, text: string): ImportedName[] {
  const out: ImportedName[] = [];
  const specs: Node[] = [];
  for (const c of children(node)) {
    if (c.type === 'import_spec') specs.push(c);
    else if (c.type === 'import_spec_list') specs.push(...children(c).filter((s) => s.type === 'import_spec'));
  }
  for (const s of specs) {
    const p = s.childForFieldName('path');
    if (!usable(p) || (p.type !== 'interpreted_string_literal' && p.type !== 'raw_string_literal')) continue;
    const path = stringContent(p, text);
    if (!path) continue;
    const name = s.childForFieldName('name');
    const base = path.split('/').pop()!;
    out.push({ local: usable(name) ? src(name, text) : base, imported: '*', from: [path], module: true });
  }
  return out;
}

// ───────────── resolving to files ─────────────

/** A resolved import: the files to look in, and the names to look for ('*' = any name the chunk uses). */
export interface Target {
  files: string[];
  name: string;
}

/**
 * The packages of a repository's tree, by the names code imports them by: Rust crates by their Cargo.toml name
 * (`tokio-test` → `tokio_test`, the folder holding its lib.rs), JS/TS packages by their package.json name (the
 * package's folder). Read by the context stage from the tree at the commit (readManifest).
 */
export interface Workspace {
  crates: Map<string, string>;
  packages: Map<string, string>;
  /** Go modules by their go.mod `module` path: their folder. */
  modules: Map<string, string>;
  /** TypeScript configs by path: their TsConfig as JSON (readManifest). */
  tsconfigs: Map<string, string>;
}

export const EMPTY_WORKSPACE: Workspace = { crates: new Map(), packages: new Map(), modules: new Map(), tsconfigs: new Map() };

/** Is this path a manifest a Workspace is read from? */
export const isManifest = (p: string): boolean => /(^|\/)(Cargo\.toml|package\.json|go\.mod|tsconfig(\.[\w-]+)?\.json)$/.test(p) && !/(^|\/)(node_modules|vendor)\//.test(p);

/** Which of a Workspace's maps a manifest's name goes to. */
export function manifestKind(p: string): 'crates' | 'packages' | 'modules' | 'tsconfigs' {
  if (p.endsWith('package.json')) return 'packages';
  if (p.endsWith('go.mod')) return 'modules';
  return p.endsWith('.json') ? 'tsconfigs' : 'crates';
}

/** What a tsconfig says about module resolution, its folders from the repository's root. */
interface TsConfig {
  /** compilerOptions.paths' folder: baseUrl, else the config's own folder. */
  base: string;
  baseUrl: boolean;
  paths: Array<[string, string[]]>;
  /** The config it extends (a path of the tree), if relative. */
  extends?: string;
}

/** JSON with comments and trailing commas (tsconfig's dialect) to JSON: comments outside strings dropped. */
function jsonc(text: string): string {
  return text.replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_m, str: string | undefined) => str ?? ' ').replace(/,(\s*[}\]])/g, '$1');
}

function readTsConfig(file: string, text: string): TsConfig | null {
  const dir = path.posix.dirname(file) === '.' ? '' : path.posix.dirname(file);
  const join = (...p: string[]) => {
    const n = path.posix.normalize(p.filter(Boolean).join('/') || '.');
    return n === '.' ? '' : n.replace(/\/$/, '');
  };
  let j: { extends?: unknown; compilerOptions?: { baseUrl?: unknown; paths?: unknown } };
  try {
    j = JSON.parse(jsonc(text));
  } catch {
    return null;
  }
  if (!j || typeof j !== 'object') return null;
  const co = j.compilerOptions && typeof j.compilerOptions === 'object' ? j.compilerOptions : {};
  const baseUrl = typeof co.baseUrl === 'string' ? join(dir, co.baseUrl) : undefined;
  const paths: Array<[string, string[]]> = [];
  if (co.paths && typeof co.paths === 'object')
    for (const [k, v] of Object.entries(co.paths as Record<string, unknown>).slice(0, 200)) if (Array.isArray(v)) paths.push([k, v.filter((t): t is string => typeof t === 'string').slice(0, 8)]);
  const ext = typeof j.extends === 'string' && j.extends.startsWith('.') ? join(dir, j.extends.endsWith('.json') ? j.extends : `${j.extends}.json`) : undefined;
  if (!baseUrl && !paths.length && !ext) return null;
  return { base: baseUrl ?? dir, baseUrl: !!baseUrl, paths, ...(ext ? { extends: ext } : {}) };
}

const tsConfigMemo = new Map<string, TsConfig>();
const tsConfigOf = (json: string): TsConfig => {
  let c = tsConfigMemo.get(json);
  if (!c) {
    if (tsConfigMemo.size > 1_000) tsConfigMemo.clear();
    tsConfigMemo.set(json, (c = JSON.parse(json) as TsConfig));
  }
  return c;
};

/**
 * The stems a bare specifier maps to under the tsconfig nearest to `file` (through its `extends`, up to 4 configs):
 * its `paths` (the longest matching prefix; `*` substituted), else its baseUrl; [] when no config says anything.
 */
function tsConfigStems(file: string, spec: string, ws: Workspace): string[] {
  if (!ws.tsconfigs.size) return [];
  let at: string | undefined;
  for (let d = path.posix.dirname(file); ; d = path.posix.dirname(d)) {
    const c = d === '.' || d === '' ? 'tsconfig.json' : `${d}/tsconfig.json`;
    if (ws.tsconfigs.has(c)) {
      at = c;
      break;
    }
    if (d === '.' || d === '/' || d === '') break;
  }
  let baseUrl: string | undefined;
  for (let hop = 0; at && hop < 4; hop++) {
    const json = ws.tsconfigs.get(at);
    if (!json) break;
    const c = tsConfigOf(json);
    if (c.baseUrl && baseUrl === undefined) baseUrl = c.base;
    if (c.paths.length) {
      let best: [string, string[]] | undefined;
      let bestLen = -1;
      for (const [pattern, targets] of c.paths) {
        const star = pattern.indexOf('*');
        const prefix = star < 0 ? pattern : pattern.slice(0, star);
        const suffix = star < 0 ? '' : pattern.slice(star + 1);
        const hit = star < 0 ? spec === pattern : spec.length >= prefix.length + suffix.length && spec.startsWith(prefix) && spec.endsWith(suffix);
        if (hit && prefix.length > bestLen) {
          bestLen = prefix.length;
          const mid = star < 0 ? '' : spec.slice(prefix.length, spec.length - suffix.length);
          best = [pattern, targets.map((t) => path.posix.normalize([c.base, t.replace('*', mid)].filter(Boolean).join('/')))];
        }
      }
      if (best) return best[1].map((t) => t.replace(/\.(m|c)?js$|\.tsx?$/, ''));
      break; // a config's paths replace the ones it extends
    }
    at = c.extends;
  }
  return baseUrl !== undefined ? [[baseUrl, spec].filter(Boolean).join('/')] : [];
}

/**
 * What one manifest adds to a Workspace: [name, folder] (null: none). Cargo.toml: `[lib] name` or `[package] name`,
 * dashes read as underscores, the folder of `[lib] path` (default `src/lib.rs`); package.json: `name`, its folder;
 * go.mod: its `module` path, its folder; a tsconfig: its path and its TsConfig as JSON. Plain line reading: a hostile or malformed file gives null, never an exception.
 */
export function readManifest(file: string, text: string): [string, string] | null {
  const dir = path.posix.dirname(file) === '.' ? '' : path.posix.dirname(file);
  const join = (...p: string[]) => path.posix.normalize(p.filter(Boolean).join('/'));
  if (manifestKind(file) === 'tsconfigs') {
    const c = readTsConfig(file, text);
    return c ? [file, JSON.stringify(c)] : null;
  }
  if (file.endsWith('go.mod')) {
    const m = /^[ \t]*module[ \t]+"?([^\s"/]+(?:\/[^\s"/]+){0,40})"?[ \t]*(?:\/\/.*)?$/m.exec(text);
    return m && m[1].length <= 300 ? [m[1], dir] : null;
  }
  if (file.endsWith('package.json')) {
    try {
      const j = JSON.parse(text) as { name?: unknown };
      return typeof j?.name === 'string' && j.name.length <= 214 ? [j.name, dir] : null;
    } catch {
      return null;
    }
  }
  let section = '';
  let pkg: string | undefined;
  let lib: string | undefined;
  let libPath: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const head = /^\[\s*([\w.-]+)\s*\]$/.exec(line);
    if (head) {
      section = head[1];
      continue;
    }
    const kv = /^(name|path)\s*=\s*"([^"\\]{1,200})"/.exec(line);
    if (!kv) continue;
    if (section === 'package' && kv[1] === 'name') pkg = kv[2];
    else if (section === 'lib' && kv[1] === 'name') lib = kv[2];
    else if (section === 'lib' && kv[1] === 'path') libPath = kv[2];
  }
  const name = lib ?? pkg;
  if (!name) return null;
  const root = path.posix.dirname(join(dir, libPath ?? 'src/lib.rs'));
  return [name.replace(/-/g, '_'), root === '.' ? '' : root];
}

export function resolveImport(language: string, file: string, imp: ImportedName, paths: Set<string>, ws: Workspace = EMPTY_WORKSPACE): Target[] {
  switch (language) {
    case 'rust':
      return resolveRust(file, imp, paths, ws);
    case 'typescript':
    case 'tsx':
    case 'javascript':
      return resolveEs(file, imp, paths, ws);
    case 'python':
      return resolvePython(file, imp, paths);
    case 'go':
      return resolveGo(imp, paths, ws);
    default:
      return [];
  }
}

/** The folder holding the crate root (`lib.rs` / `main.rs`) of a Rust file. */
export function rustCrateRoot(file: string, paths: Set<string>): string {
  let dir = path.posix.dirname(file);
  let srcDir: string | undefined;
  for (;;) {
    const p = dir === '.' ? '' : `${dir}/`;
    if (paths.has(`${p}lib.rs`) || paths.has(`${p}main.rs`)) return dir === '.' ? '' : dir;
    if (!srcDir && path.posix.basename(dir) === 'src') srcDir = dir;
    const up = path.posix.dirname(dir);
    if (dir === '.' || dir === '/' || dir === '' || up === dir) break;
    dir = up;
  }
  return srcDir ?? path.posix.dirname(file).replace(/^\.$/, '');
}

/** Module path of a Rust file relative to its crate root: `src/a/b.rs` → [a, b]; `src/a/mod.rs` → [a]. */
export function rustModulePath(file: string, root: string): string[] {
  let rel = root ? file.slice(root.length + 1) : file;
  rel = rel.replace(/\.rs$/, '');
  const segs = rel.split('/');
  if (segs[segs.length - 1] === 'mod') segs.pop();
  if (segs.length === 1 && (segs[0] === 'lib' || segs[0] === 'main')) return [];
  return segs;
}

/** Files that may hold module `segs` of the crate at `root`: its own file, then its parent's (inline `mod`). */
export function rustModuleFiles(root: string, segs: string[], paths: Set<string>): string[] {
  const p = root ? `${root}/` : '';
  const out: string[] = [];
  for (let k = segs.length; k >= 0; k--) {
    const s = segs.slice(0, k);
    const cands = s.length === 0 ? [`${p}lib.rs`, `${p}main.rs`] : [`${p}${s.join('/')}.rs`, `${p}${s.join('/')}/mod.rs`];
    const hit = cands.find((c) => paths.has(c));
    if (hit) {
      out.push(hit);
      if (k === segs.length) break; // found the module's own file
    }
    if (out.length) break;
  }
  return out;
}

/** Crates of the Rust distribution. */
const RUST_EXTERNAL = new Set(['std', 'core', 'alloc']);

function resolveRust(file: string, imp: ImportedName, paths: Set<string>, ws: Workspace): Target[] {
  const root = rustCrateRoot(file, paths);
  const cur = rustModulePath(file, root);
  const bases: Array<{ root: string; segs: string[] }> = [];
  const from = imp.from;
  const crate = from.length ? ws.crates.get(from[0]) : undefined;
  if (from[0] === 'crate') bases.push({ root, segs: from.slice(1) });
  else if (from[0] === 'self') bases.push({ root, segs: [...cur, ...from.slice(1)] });
  else if (from[0] === 'super') {
    let m = cur.slice();
    let i = 0;
    while (from[i] === 'super') {
      m = m.slice(0, -1);
      i++;
    }
    bases.push({ root, segs: [...m, ...from.slice(i)] });
  } else if (crate !== undefined && crate !== root) {
    bases.push({ root: crate, segs: from.slice(1) }); // another crate of the workspace, by its Cargo.toml name
  } else if (crate === undefined && RUST_EXTERNAL.has(from[0])) {
    return []; // the standard library is in no repository's tree
  } else if (from.length) {
    bases.push({ root, segs: crate !== undefined ? from.slice(1) : from }, { root, segs: [...cur, ...from] }); // the crate itself by name, a 2015-style crate path, or a child module
  } else bases.push({ root, segs: cur });
  const out: Target[] = [];
  for (const { root, segs: b } of bases) {
    if (imp.imported === '*') {
      const files = rustModuleFiles(root, b, paths);
      if (files.length) out.push({ files, name: '*' });
      continue;
    }
    const files = rustModuleFiles(root, b, paths);
    if (files.length) out.push({ files, name: imp.imported });
    // `use crate::types;` imports a module: any name the chunk uses from it
    const own = rustModuleFiles(root, [...b, imp.imported], paths);
    if (own.length && own[0] !== files[0] && /\/mod\.rs$|\.rs$/.test(own[0]) && rustModulePath(own[0], root).length === b.length + 1) out.push({ files: own, name: '*' });
  }
  return out;
}

const ES_EXT = ['', '.ts', '.tsx', '.d.ts', '.js', '.jsx', '.mjs', '.cjs', '/index.ts', '/index.tsx', '/index.js', '/index.jsx'];

function resolveEs(file: string, imp: ImportedName, paths: Set<string>, ws: Workspace): Target[] {
  const src = imp.from[0];
  const stems: string[] = [];
  if (src.startsWith('.')) {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), src));
    stems.push(base);
    if (/\.(m|c)?js$/.test(base)) stems.push(base.replace(/\.(m|c)?js$/, ''));
  } else {
    // the tsconfig's paths and baseUrl (`@/components/x`, `~/util`), else
    // a package of the monorepo by its package.json name (`@vue/runtime-core`, `@scope/pkg/sub`): its sources
    stems.push(...tsConfigStems(file, src, ws));
    const [a, b] = src.split('/');
    const name = src.startsWith('@') ? `${a}/${b ?? ''}` : a;
    const dir = ws.packages.get(name);
    if (dir === undefined && !stems.length) return [];
    if (dir !== undefined) {
      const sub = src.slice(name.length + 1);
      const at = (p: string) => [dir, p].filter(Boolean).join('/');
      stems.push(...(sub ? [at(`src/${sub}`), at(sub)] : [at('src/index'), at('index'), at('lib/index')]));
    }
  }
  for (const st of stems) {
    for (const e of ES_EXT) {
      if (paths.has(st + e)) return [{ files: [st + e], name: imp.imported === 'default' ? '*' : imp.imported }];
    }
  }
  return [];
}

function resolvePython(file: string, imp: ImportedName, paths: Set<string>): Target[] {
  const src = imp.from[0];
  const dots = /^\.*/.exec(src)![0].length;
  const rest = src.slice(dots).split('.').filter(Boolean);
  const roots: string[] = [];
  if (dots > 0) {
    let d = path.posix.dirname(file);
    for (let k = 1; k < dots; k++) d = path.posix.dirname(d);
    roots.push(d === '.' ? '' : d);
  } else {
    roots.push('');
    // every parent folder (dirname of '/' is '/': stop where it no longer shortens)
    for (let d = path.posix.dirname(file), up = path.posix.dirname(d); d !== '.' && d !== ''; d = up, up = path.posix.dirname(d)) {
      roots.push(d);
      if (up === d) break;
    }
    roots.push('src');
  }
  const find = (segs: string[]): string | undefined => {
    for (const r of roots) {
      const p = [r, ...segs].filter(Boolean).join('/');
      for (const c of [`${p}.py`, `${p}/__init__.py`]) if (paths.has(c)) return c;
    }
    return undefined;
  };
  const out: Target[] = [];
  if (imp.module && imp.imported !== '*') {
    const f = find([...rest, imp.imported]);
    if (f) out.push({ files: [f], name: '*' });
    return out;
  }
  const f = find(rest);
  if (f) out.push({ files: [f], name: imp.imported });
  const sub = imp.imported !== '*' ? find([...rest, imp.imported]) : undefined; // `from . import mod`
  if (sub) out.push({ files: [sub], name: '*' });
  return out;
}

/**
 * A Go import path: inside a module of the tree (go.mod), exactly its folder under the module's (the package's
 * files, tests aside); outside every module of a tree that has one, nothing (another module's package); in a tree
 * without go.mod, the longest suffix of the path that is a folder of the tree.
 */
function resolveGo(imp: ImportedName, paths: Set<string>, ws: Workspace = EMPTY_WORKSPACE): Target[] {
  const from = imp.from[0];
  if (ws.modules.size) {
    let best: [string, string] | undefined;
    for (const [mod, dir] of ws.modules) if ((from === mod || from.startsWith(`${mod}/`)) && (!best || mod.length > best[0].length)) best = [mod, dir];
    if (!best) return [];
    const want = [best[1], from.slice(best[0].length + 1)].filter(Boolean).join('/');
    const files: string[] = [];
    for (const p of paths) if (p.endsWith('.go') && !p.endsWith('_test.go') && (path.posix.dirname(p) === want || (want === '' && !p.includes('/')))) files.push(p);
    return files.length ? [{ files: files.sort(), name: '*' }] : [];
  }
  const segs = from.split('/');
  // the longest suffix of the import path that is a folder of the tree
  const dirs = new Map<string, string[]>();
  for (const p of paths) {
    if (!p.endsWith('.go') || p.endsWith('_test.go')) continue;
    const d = path.posix.dirname(p);
    let l = dirs.get(d);
    if (!l) dirs.set(d, (l = []));
    l.push(p);
  }
  for (let k = Math.min(segs.length, 6); k >= 1; k--) {
    const suffix = segs.slice(segs.length - k).join('/');
    for (const [d, files] of dirs) if (d === suffix || d.endsWith(`/${suffix}`)) return [{ files: files.sort(), name: '*' }];
    if (k <= 2) break; // a one-segment match is not enough evidence unless the path itself is short
  }
  return [];
}

/** Go files of the same package (same folder), excluding the file itself; a test file also sees the package's other test files (its helpers). */
export function goPackageFiles(file: string, paths: Set<string>): string[] {
  const dir = path.posix.dirname(file);
  const tests = file.endsWith('_test.go');
  const out: string[] = [];
  for (const p of paths) if (p !== file && p.endsWith('.go') && (tests || !p.endsWith('_test.go')) && path.posix.dirname(p) === dir) out.push(p);
  // the package's own files first, then its tests
  return out.sort((a, b) => Number(a.endsWith('_test.go')) - Number(b.endsWith('_test.go')) || (a < b ? -1 : a > b ? 1 : 0));
}
