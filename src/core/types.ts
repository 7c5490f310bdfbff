/**
 * Data contracts shared by every stage of the engine.
 * Data flows one way: history → chunks → context → tokens → examples → files.
 * This file never imports anything from `vscode`.
 */

// ───────────────────────── Stage 1: history ─────────────────────────

export type ChangeType = 'added' | 'modified' | 'deleted' | 'renamed';

export type SkipReason =
  | 'binary'
  | 'non-utf8'
  | 'too-large'
  | 'lfs-pointer'
  | 'submodule'
  | 'symlink'
  | 'mode-only'
  | 'generated'
  | 'vendored'
  | 'lock-file'
  | 'minified'
  | 'excluded-path'
  | 'excluded-language'
  | 'missing-object'
  /** Over the per-file time budget of the chunk stage (parse + units + context). */
  | 'timeout';

export interface Person {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  timestamp: number;
  /** Minutes east of UTC, as git stores it (e.g. +0200 → 120). */
  timezoneOffset: number;
}

export interface CommitInfo {
  hash: string;
  parents: string[];
  author: Person;
  committer: Person;
  /** First line of the message. */
  subject: string;
  /** The rest of the message after the blank line (may be empty). */
  body: string;
  isMerge: boolean;
}

export interface FileChange {
  /** New path (for deletions: the deleted path). */
  path: string;
  /** Old path, only for renames. */
  oldPath?: string;
  change: ChangeType;
  /** Octal mode strings as git prints them, e.g. "100644"; absent on the missing side. */
  oldMode?: string;
  newMode?: string;
  oldOid?: string;
  newOid?: string;
  /** Language id guessed from the path ("rust", "typescript", "tsx", "javascript", "python", "go", …) or null. */
  language: string | null;
  /** Decoded UTF-8 text of each side; null when that side does not exist or was skipped. */
  oldText: string | null;
  newText: string | null;
  /** Set when the file's contents were not decoded; the change is still listed. */
  skip?: SkipReason;
  /** Why, for a person: the rule or file that decided it ("assets/.gitattributes: linguist-vendored", "142 KB over the 1,000 KB limit"). */
  skipDetail?: string;
}

export interface CommitRecord {
  commit: CommitInfo;
  files: FileChange[];
  /** A commit that could not be read completely (missing/corrupt object): files is empty. */
  error?: string;
}

/** Read access to a repository at a commit, used by the context stage (symbol index of the tree). */
export interface TreeEntry {
  path: string;
  oid: string;
  mode: string;
}

export interface RepoReader {
  /** Every blob (recursively) in the tree of a commit. */
  listTree(commitHash: string): Promise<TreeEntry[]>;
  /** A blob's bytes, by oid (cached per run). */
  readBlob(oid: string): Promise<Uint8Array>;
  /** A blob decoded as UTF-8 text, or null if binary / not UTF-8 / too large. */
  readText(oid: string, where?: { path: string; commit: string }): Promise<string | null>;
}

// ───────────────────────── Stage 2/3: chunks and context ─────────────────────────

export type ChunkChange = 'added' | 'modified' | 'deleted' | 'top-level';

export type UnitKind =
  'fn' | 'method' | 'struct' | 'enum' | 'union' | 'trait' | 'impl' | 'mod' | 'macro' | 'const' | 'static' | 'type' | 'use' | 'class' | 'interface' | 'import' | 'top-level' | 'hunk';

export interface LineRange {
  /** 1-based inclusive. */
  start: number;
  end: number;
}

export type ContextKind = 'import' | 'trait' | 'struct' | 'enum' | 'impl' | 'fn' | 'type' | 'class' | 'interface' | 'const' | 'mod' | 'macro';

/** ContextItem.role, in rank order. */
export const CONTEXT_ROLES = ['uses', 'type', 'trait', 'other'] as const;
export type ContextRole = (typeof CONTEXT_ROLES)[number];

export interface ContextItem {
  /** Path of the file the snippet comes from. */
  path: string;
  /** Blob oid the snippet is an exact substring of (after collapsing of long bodies: see `collapsed`). */
  oid: string;
  kind: ContextKind;
  symbol: string;
  code: string;
  /** True when bodies were collapsed to `{ … }` (Python: `…`; see chunk/languages.ts ELISION_PATTERN) or the snippet was cut (then `code` is not an exact substring). */
  collapsed: boolean;
  /** Why it was included. */
  reason: 'same-commit' | 'same-file' | 'import' | 'tree';
  /**
   * What the unit does with it, the ranking's first key: `uses` (calls or names it in its code), `type` (names it
   * only as a type: parameters, fields, returns), `trait` (the trait it implements), `other`.
   */
  role?: ContextRole;
  /** Optional: the token count under the tokenizer used for budgeting. */
  tokens?: number;
}

export interface ChunkRecord {
  /** Stable hash of commit + path + kind + qualified name (+ part index). */
  id: string;
  commit: string;
  path: string;
  oldPath?: string;
  language: string | null;
  kind: UnitKind;
  qualifiedName: string;
  change: ChunkChange;
  oldRange: LineRange | null;
  newRange: LineRange | null;
  oldCode: string;
  newCode: string;
  split: boolean;
  context: ContextItem[];
}

// ───────────────────────── Progress / cancellation ─────────────────────────

/**
 * The progress phases, in order, with what the shells show: a label, and the share of a progress bar each fills
 * (the chunks phase, one step per commit, dominates). Cross-file context is collected inside 'chunks', file by
 * file on each file's time budget (chunk/contextStage.ts).
 */
export const PHASES = {
  history: { label: 'reading history', span: [0, 5] },
  chunks: { label: 'chunking commits', span: [5, 80] },
  tokens: { label: 'tokenizing', span: [80, 95] },
  examples: { label: 'cutting examples', span: [95, 97] },
  write: { label: 'writing files', span: [97, 100] },
} as const satisfies Record<string, { label: string; span: readonly [number, number] }>;

export type Phase = keyof typeof PHASES;

export interface ProgressEvent {
  phase: Phase;
  done: number;
  total?: number;
  message?: string;
}

export type ProgressSink = (e: ProgressEvent) => void;
