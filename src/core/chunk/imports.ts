/**
 * Reading import declarations and resolving them to files of the tree, per language:
 * Rust `use` paths (`crate::`, `super::`, `self::`, the `mod` file layout), relative imports of TS/JS/Python,
 * same-package and in-repo packages for Go.
 */
import * as path from 'node:path';

export interface ImportedName {
  /** Name the file uses (`Baz` in `Bar as Baz`). */
  local: string;
  /** Name defined in the target (`Bar`), or '*' for a glob / namespace / module import. */
  imported: string;
  /** Module path segments as written (Rust: [`crate`, `types`]; TS/Python: [source]). */
  from: string[];
  /** The import names a module (Rust `use a::b;`, Python `from . import mod`, TS `* as ns`). */
  module?: boolean;
}

// ───────────── parsing ─────────────

export function parseImport(language: string, text: string): ImportedName[] {
  switch (language) {
    case 'rust':
      return parseRustUse(text);
    case 'typescript':
    case 'tsx':
    case 'javascript':
      return parseEsImport(text);
    case 'python':
      return parsePythonImport(text);
    case 'go':
      return parseGoImport(text);
    default:
      return [];
  }
}

function parseRustUse(text: string): ImportedName[] {
  const s = text
    .replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '')
    .replace(/#\[[^\]]*\]/g, '')
    .replace(/^\s*pub(\s*\([^)]*\))?\s+/, '')
    .replace(/^\s*use\s+/, '')
    .replace(/;\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  const out: ImportedName[] = [];
  let i = 0;
  const tree = (prefix: string[]): void => {
    // parses `a::b::{...}` | `a::b` | `a::b as c` | `*` starting at i
    const segs: string[] = [];
    for (;;) {
      while (s[i] === ' ') i++;
      if (s[i] === '{') {
        i++;
        for (;;) {
          while (s[i] === ' ' || s[i] === ',') i++;
          if (i >= s.length || s[i] === '}') {
            i++;
            return;
          }
          tree([...prefix, ...segs]);
        }
      }
      const m = /^(\*|[A-Za-z_][A-Za-z0-9_]*)/.exec(s.slice(i));
      if (!m) return;
      i += m[0].length;
      segs.push(m[0]);
      while (s[i] === ' ') i++;
      if (s.startsWith('::', i)) {
        i += 2;
        continue;
      }
      break;
    }
    let alias: string | undefined;
    const am = /^ ?as ([A-Za-z_][A-Za-z0-9_]*)/.exec(s.slice(i));
    if (am) {
      alias = am[1];
      i += am[0].length;
    }
    const full = [...prefix, ...segs];
    const last = full[full.length - 1];
    if (!last) return;
    if (last === '*') out.push({ local: '*', imported: '*', from: full.slice(0, -1), module: true });
    else if (last === 'self') {
      const name = full[full.length - 2];
      if (name) out.push({ local: alias ?? name, imported: name, from: full.slice(0, -2) });
    } else out.push({ local: alias ?? last, imported: last, from: full.slice(0, -1) });
  };
  while (i < s.length) {
    const before = i;
    tree([]);
    while (s[i] === ' ' || s[i] === ',') i++;
    if (i === before) break;
  }
  return out;
}

function parseEsImport(text: string): ImportedName[] {
  const m = /import\s+(?:type\s+)?([\s\S]*?)\s+from\s+['"]([^'"]+)['"]/.exec(text);
  if (!m) return [];
  const clause = m[1];
  const from = [m[2]];
  const out: ImportedName[] = [];
  const ns = /\*\s+as\s+([A-Za-z_$][\w$]*)/.exec(clause);
  if (ns) out.push({ local: ns[1], imported: '*', from, module: true });
  const braces = /\{([\s\S]*?)\}/.exec(clause);
  if (braces) {
    for (const part of braces[1].split(',')) {
      const p = part.replace(/^\s*type\s+/, '').trim();
      if (!p) continue;
      const [imp, loc] = p.split(/\s+as\s+/);
      out.push({ local: (loc ?? imp).trim(), imported: imp.trim(), from });
    }
  }
  const def = /^\s*([A-Za-z_$][\w$]*)\s*(,|$)/.exec(clause);
  if (def) out.push({ local: def[1], imported: def[1], from });
  return out;
}

function parsePythonImport(text: string): ImportedName[] {
  const s = text.replace(/#[^\n]*/g, '').replace(/[()\\]/g, ' ').replace(/\s+/g, ' ').trim();
  const out: ImportedName[] = [];
  let m = /^from\s+(\S+)\s+import\s+(.*)$/.exec(s);
  if (m) {
    const from = [m[1]];
    for (const part of m[2].split(',')) {
      const [imp, loc] = part.trim().split(/\s+as\s+/);
      if (!imp) continue;
      if (imp === '*') out.push({ local: '*', imported: '*', from, module: true });
      else out.push({ local: (loc ?? imp).trim(), imported: imp.trim(), from });
    }
    return out;
  }
  m = /^import\s+(.*)$/.exec(s);
  if (m) {
    for (const part of m[1].split(',')) {
      const [mod, loc] = part.trim().split(/\s+as\s+/);
      if (!mod) continue;
      const segs = mod.split('.');
      out.push({ local: (loc ?? segs[0]).trim(), imported: segs[segs.length - 1], from: [segs.slice(0, -1).join('.') || '.'], module: true });
    }
  }
  return out;
}

function parseGoImport(text: string): ImportedName[] {
  const out: ImportedName[] = [];
  const re = /(?:^|\s|\()([A-Za-z_.][A-Za-z0-9_]*\s+)?"([^"]+)"/g;
  text = text.replace(/^\s*import\b/, ''); // `import "x/y"`: the keyword is not an alias
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const p = m[2];
    const base = p.split('/').pop()!;
    out.push({ local: (m[1] ?? base).trim(), imported: '*', from: [p], module: true });
  }
  return out;
}

// ───────────── resolving to files ─────────────

/** A resolved import: the files to look in, and the names to look for ('*' = any name the chunk uses). */
export interface Target {
  files: string[];
  name: string;
}

export function resolveImport(language: string, file: string, imp: ImportedName, paths: Set<string>): Target[] {
  switch (language) {
    case 'rust':
      return resolveRust(file, imp, paths);
    case 'typescript':
    case 'tsx':
    case 'javascript':
      return resolveEs(file, imp, paths);
    case 'python':
      return resolvePython(file, imp, paths);
    case 'go':
      return resolveGo(imp, paths);
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
    if (dir === '.' || dir === '/' || dir === '') break;
    dir = path.posix.dirname(dir);
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

function resolveRust(file: string, imp: ImportedName, paths: Set<string>): Target[] {
  const root = rustCrateRoot(file, paths);
  const cur = rustModulePath(file, root);
  const bases: string[][] = [];
  const from = imp.from;
  if (from[0] === 'crate') bases.push(from.slice(1));
  else if (from[0] === 'self') bases.push([...cur, ...from.slice(1)]);
  else if (from[0] === 'super') {
    let m = cur.slice();
    let i = 0;
    while (from[i] === 'super') {
      m = m.slice(0, -1);
      i++;
    }
    bases.push([...m, ...from.slice(i)]);
  } else if (from.length) {
    bases.push(from, [...cur, ...from]); // 2015-style crate path, or a child module
  } else bases.push(cur);
  const out: Target[] = [];
  for (const b of bases) {
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

function resolveEs(file: string, imp: ImportedName, paths: Set<string>): Target[] {
  const src = imp.from[0];
  if (!src.startsWith('.')) return [];
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), src));
  const stems = [base];
  if (/\.(m|c)?js$/.test(base)) stems.push(base.replace(/\.(m|c)?js$/, ''));
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
    let d = path.posix.dirname(file);
    while (d !== '.' && d !== '') {
      roots.push(d);
      d = path.posix.dirname(d);
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

function resolveGo(imp: ImportedName, paths: Set<string>): Target[] {
  const segs = imp.from[0].split('/');
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

/** Go files of the same package (same folder), excluding the file itself. */
export function goPackageFiles(file: string, paths: Set<string>): string[] {
  const dir = path.posix.dirname(file);
  const out: string[] = [];
  for (const p of paths) if (p !== file && p.endsWith('.go') && !p.endsWith('_test.go') && path.posix.dirname(p) === dir) out.push(p);
  return out.sort();
}
