/**
 * The language table. Adding a language = its grammar package (`npm install tree-sitter-…`), one row here, one
 * `.scm` file in ./queries (and, for context through its imports, a case in ./imports.ts); then
 * `npm run manifest:write` puts it into package.json (hover, activation). See DEVELOPERS.md.
 */
export interface LanguageSpec {
  /** Language id as `FileChange.language` spells it. */
  id: string;
  /** Grammar wasm asset name (copied next to the bundles: src/core/assets.ts). */
  wasm: string;
  /** The grammar's wasm in node_modules. */
  grammar: string;
  /** File extensions (lower case, no dot). */
  extensions: string[];
  /** VS Code language ids of its documents (hover, the editor's commands). */
  editorIds: string[];
  /** Query file in ./queries. */
  query: string;
  /** Parent node types a unit is widened to when it is their only named child (`export`, decorators, `type (…)`). */
  wrappers: string[];
  /** Sibling node types just before a unit that belong to it (attributes, doc comments). */
  leading: string[];
  /** Field or node types holding a unit's body (collapsed to `collapse` in context snippets and split chunks). */
  bodies: string[];
  /** Text a collapsed body is replaced by (never valid code of the language: see ELLIPSIS). */
  collapse: string;
  /** Unit kinds that contain methods (a `fn` directly inside one is a `method`). */
  containers: string[];
  /** Kind of the file's import block unit. */
  importKind: 'use' | 'import';
}

/**
 * The marker of elided text: U+2026 HORIZONTAL ELLIPSIS, which is no token of Rust, TypeScript/JavaScript,
 * Python or Go outside strings and comments (Python's `...` is: the Ellipsis constant). Dropped members of a
 * split container become a `…` line, a snippet cut at a line ends with `\n…`.
 */
export const ELLIPSIS = '\u2026';
/** A collapsed body of the brace languages (Rust, TS/JS, Go): `fn f() { … }`. */
export const BRACE_COLLAPSE = `{ ${ELLIPSIS} }`;
/** A collapsed Python block: `def f():\n    …` (the block's own indentation, then the marker). */
export const PYTHON_COLLAPSE = ELLIPSIS;
/**
 * Source of a regular expression matching any elision the chunker writes into split chunks and collapsed
 * context snippets (a collapsed body or an `…`, with the blanks around it), for checkers that match such
 * code against the blob (dataset verify). Every LanguageSpec.collapse matches it.
 */
export const ELISION_PATTERN = `\\s*\\{\\s*${ELLIPSIS}\\s*\\}|[ \\t]*${ELLIPSIS}[ \\t]*`;

const BRACE = BRACE_COLLAPSE;

/** TypeScript and TSX: two grammars, one query and one way to cut units. */
const TYPESCRIPT = {
  query: 'typescript.scm',
  wrappers: ['export_statement', 'ambient_declaration'],
  leading: ['comment', 'decorator'],
  bodies: ['statement_block', 'class_body', 'interface_body', 'object_type', 'enum_body'],
  collapse: BRACE,
  containers: ['class', 'interface'],
  importKind: 'import' as const,
};

export const LANGUAGES: LanguageSpec[] = [
  {
    id: 'rust',
    wasm: 'tree-sitter-rust.wasm',
    grammar: 'tree-sitter-rust/tree-sitter-rust.wasm',
    extensions: ['rs'],
    editorIds: ['rust'],
    query: 'rust.scm',
    wrappers: [],
    leading: ['attribute_item', 'line_comment', 'block_comment'],
    bodies: ['block', 'declaration_list', 'field_declaration_list', 'enum_variant_list'],
    collapse: BRACE,
    containers: ['impl', 'trait'],
    importKind: 'use',
  },
  {
    id: 'typescript',
    wasm: 'tree-sitter-typescript.wasm',
    grammar: 'tree-sitter-typescript/tree-sitter-typescript.wasm',
    extensions: ['ts', 'mts', 'cts'],
    editorIds: ['typescript'],
    ...TYPESCRIPT,
  },
  {
    id: 'tsx',
    wasm: 'tree-sitter-tsx.wasm',
    grammar: 'tree-sitter-typescript/tree-sitter-tsx.wasm',
    extensions: ['tsx'],
    editorIds: ['typescriptreact'],
    ...TYPESCRIPT,
  },
  {
    id: 'javascript',
    wasm: 'tree-sitter-javascript.wasm',
    grammar: 'tree-sitter-javascript/tree-sitter-javascript.wasm',
    extensions: ['js', 'mjs', 'cjs', 'jsx'],
    editorIds: ['javascript', 'javascriptreact'],
    query: 'javascript.scm',
    wrappers: ['export_statement'],
    leading: ['comment', 'decorator'],
    bodies: ['statement_block', 'class_body'],
    collapse: BRACE,
    containers: ['class'],
    importKind: 'import',
  },
  {
    id: 'python',
    wasm: 'tree-sitter-python.wasm',
    grammar: 'tree-sitter-python/tree-sitter-python.wasm',
    extensions: ['py', 'pyi'],
    editorIds: ['python'],
    query: 'python.scm',
    wrappers: ['decorated_definition'],
    leading: ['comment'],
    bodies: ['block'],
    collapse: PYTHON_COLLAPSE,
    containers: ['class'],
    importKind: 'import',
  },
  {
    id: 'go',
    wasm: 'tree-sitter-go.wasm',
    grammar: 'tree-sitter-go/tree-sitter-go.wasm',
    extensions: ['go'],
    editorIds: ['go'],
    query: 'go.scm',
    wrappers: ['type_declaration', 'const_declaration', 'var_declaration'],
    leading: ['comment'],
    bodies: ['block', 'field_declaration_list'],
    collapse: BRACE,
    containers: [],
    importKind: 'import',
  },
];

const BY_ID = new Map(LANGUAGES.map((l) => [l.id, l]));

/** Aliases the history engine may produce. */
const ALIASES: Record<string, string> = { ts: 'typescript', js: 'javascript', jsx: 'javascript', py: 'python', golang: 'go', rs: 'rust' };

export function languageSpec(id: string | null | undefined): LanguageSpec | undefined {
  if (!id) return undefined;
  return BY_ID.get(id) ?? BY_ID.get(ALIASES[id] ?? '');
}

const EXTENSIONS: Record<string, string> = Object.fromEntries(LANGUAGES.flatMap((l) => l.extensions.map((e) => [e, l.id])));

/** Language of a path by extension (for files of the tree, which carry no language). */
export function languageOfPath(p: string): string | null {
  const dot = p.lastIndexOf('.');
  return dot < 0 ? null : (EXTENSIONS[p.slice(dot + 1).toLowerCase()] ?? null);
}
