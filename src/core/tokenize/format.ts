/**
 * Serializes one example (commit header, message, context snippets, old code → new code) into token ids,
 * in one of four layouts, with per-section token budgets. Truncation happens at token boundaries and is
 * marked (`<TRUNCATED>` in the seed format, a short plain-text mark elsewhere) and counted.
 *
 * Layout of `seed` (markers are single special ids, text between them is encoded on its own, so
 * re-encoding `text` with the extended tokenizer.json gives the same ids):
 *   <COMMIT_START><AUTHOR>name<MSG_START>subject\n\nbody<MSG_END>
 *   per chunk: <FILE>path<LANG>rust<KIND>fn<SYMBOL>name<CHANGE>modified
 *              <CONTEXT_START><IMPORTS_START><SYMBOL>sym (path)\ncode…<IMPORTS_END>…<CONTEXT_END>
 *              <OLD_CODE_START>old<OLD_CODE_END>
 *   target, per chunk: <NEW_CODE_START>new<NEW_CODE_END>; then <COMMIT_END>
 */
import type { ChunkRecord, CommitInfo, ContextItem, ContextKind } from '../types';
import type { Marker } from './markers';
import type { Tokenizer } from './tokenizer';
import { ExactText } from './exact';
import { UsageError } from '../errors';

export const FORMAT_NAMES = ['seed', 'starcoder', 'repo', 'plain'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export interface Budgets {
  message: number;
  oldCode: number;
  newCode: number;
  snippet: number;
  example: number;
}
export const DEFAULT_BUDGETS: Readonly<Budgets> = { message: 64, oldCode: 512, newCode: 2048, snippet: 256, example: 4096 };

export interface ExampleInput {
  commit: CommitInfo;
  chunks: ChunkRecord[];
  /** Used by the `repo` format (`<repo_name>`); default "repo". */
  repoName?: string;
}

export interface SectionInfo {
  name: string;
  /** Token index range [start, end) in contextIds ++ targetIds, markers included. */
  start: number;
  end: number;
  /** Content tokens kept (truncation mark included). */
  used: number;
  /** The content budget (for unbudgeted sections: their length). */
  budget: number;
  truncated: boolean;
}

export interface SerializedExample {
  contextIds: number[];
  targetIds: number[];
  text: string;
  sections: SectionInfo[];
  /** Sections truncated plus context snippets dropped to fit the example budget (and the context window). */
  truncations: number;
  /**
   * Context tokens that open the example and that a window never drops: the commit header and message (the
   * sections before the first chunk's). 0 for a format that starts with its chunks (starcoder's snippets).
   */
  headLength: number;
  /** A target section (new code) was cut by its budget or the example's. */
  targetTruncated: boolean;
}

/** The chosen format needs tokens the tokenizer lacks: bad input (a usage error), one sentence. */
export class FormatUnavailableError extends UsageError {
  override name = 'FormatUnavailableError';
}

/** Throws FormatUnavailableError when `tok` lacks the tokens `format` needs (checked once, before a build starts). */
export function checkFormat(tok: Tokenizer, format: FormatName): void {
  if (format === 'starcoder') need(tok, format, STARCODER_TOKENS);
  if (format === 'repo') need(tok, format, REPO_TOKENS);
  if (!(FORMAT_NAMES as readonly string[]).includes(format)) throw new FormatUnavailableError(`unknown format "${format as string}" (expected one of ${FORMAT_NAMES.join(', ')})`);
}

const STARCODER_TOKENS = [['<commit_before>', '<commit_msg>', '<commit_after>']];
const REPO_TOKENS = [
  ['<repo_name>', '<file_sep>'],
  ['<|repo_name|>', '<|file_sep|>'],
];

type Role = 'fixed' | 'message' | 'snippet' | 'old' | 'new';

interface Section {
  name: string;
  target: boolean;
  role: Role;
  pre: number[];
  content: number[];
  post: number[];
  budget: number | null;
  truncated: boolean;
  dropped: boolean;
}

const GROUPS: Array<{ name: string; start: Marker; end: Marker; kinds: ContextKind[] }> = [
  { name: 'imports', start: '<IMPORTS_START>', end: '<IMPORTS_END>', kinds: ['import'] },
  { name: 'traits', start: '<TRAITS_START>', end: '<TRAITS_END>', kinds: ['trait', 'interface'] },
  { name: 'structs', start: '<STRUCTS_START>', end: '<STRUCTS_END>', kinds: ['struct', 'enum', 'class'] },
  { name: 'impls', start: '<IMPLS_START>', end: '<IMPLS_END>', kinds: ['impl'] },
  { name: 'functions', start: '<FUNCTIONS_START>', end: '<FUNCTIONS_END>', kinds: ['fn', 'macro'] },
  { name: 'types', start: '<TYPES_START>', end: '<TYPES_END>', kinds: ['type', 'const', 'mod'] },
];

function message(c: CommitInfo): string {
  return c.body ? `${c.subject}\n\n${c.body}` : c.subject;
}

export function serializeExample(tok: Tokenizer, input: ExampleInput, format: FormatName, budgets?: Partial<Budgets>, contextWindow?: number): SerializedExample {
  return assemble(tok, format, plan(tok, input, format, budgets, contextWindow), true);
}

/**
 * The example planned (sections encoded, budgets applied) but not yet laid out: `truncations` is what
 * serializeExample would report, known without building id arrays or text (the cheap probe used to split
 * commits into groups); `ids()` lays it out without the decoded text ('').
 */
export function planExample(tok: Tokenizer, input: ExampleInput, format: FormatName, budgets?: Partial<Budgets>, contextWindow?: number): { truncations: number; ids(): SerializedExample } {
  const sections = plan(tok, input, format, budgets, contextWindow);
  let truncations = 0;
  for (const s of sections) if (s.dropped || s.truncated) truncations++;
  return { truncations, ids: () => assemble(tok, format, sections, false) };
}

const exactOf = new WeakMap<Tokenizer, ExactText>();

/** The exactness checks of a tokenizer (one per tokenizer: it holds the set of added-token ids). */
export function exactText(tok: Tokenizer): ExactText {
  let x = exactOf.get(tok);
  if (!x) exactOf.set(tok, (x = new ExactText(tok)));
  return x;
}

/**
 * Formats whose every run (the text between two added tokens) is one section's content, encoded from its text
 * in one call: exact by construction. The others join sections inside a run; their runs are re-encoded whole.
 */
const MARKED: ReadonlySet<FormatName> = new Set(['seed']);

function plan(tok: Tokenizer, input: ExampleInput, format: FormatName, budgets?: Partial<Budgets>, contextWindow?: number): Section[] {
  const b: Budgets = { ...DEFAULT_BUDGETS, ...stripUndefined(budgets ?? {}) };
  for (const [k, v] of Object.entries(b)) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`budget "${k}" must be a positive integer (got ${v})`);
  }
  let sections: Section[];
  let mark: number[];
  switch (format) {
    case 'seed': {
      const m = tok.withMarkers();
      mark = [m['<TRUNCATED>']];
      sections = seedSections(tok, input, b, m);
      break;
    }
    case 'starcoder':
      mark = tok.encode(' [truncated]\n').ids;
      sections = starcoderSections(tok, input, b);
      break;
    case 'repo':
      mark = tok.encode(' [truncated]\n').ids;
      sections = repoSections(tok, input, b);
      break;
    case 'plain':
      mark = tok.encode(' [truncated]\n').ids;
      sections = plainSections(tok, input, b);
      break;
    default:
      throw new FormatUnavailableError(`unknown format "${format as string}" (expected one of ${FORMAT_NAMES.join(', ')})`);
  }
  const x = exactText(tok);
  for (const s of sections) if (s.budget !== null && s.content.length > s.budget) truncate(x, s, s.budget, mark);
  fitExample(x, sections, b.example, mark);
  if (contextWindow !== undefined) fitContext(x, sections, contextWindow, mark);
  return sections;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Cuts a section's content to `budget` tokens, the mark included: the longest exact prefix (tokenize/exact.ts). */
function truncate(x: ExactText, s: Section, budget: number, mark: number[]): void {
  const keep = Math.max(0, budget - mark.length);
  const body = s.truncated ? s.content.slice(0, s.content.length - mark.length) : s.content;
  s.content = [...x.head(body, keep), ...mark];
  s.truncated = true;
}

function size(s: Section): number {
  return s.dropped ? 0 : s.pre.length + s.content.length + s.post.length;
}

/** Whole-example budget: drop context snippets (last first), then shrink old code, new code, message. */
function fitExample(x: ExactText, sections: Section[], limit: number, mark: number[]): void {
  let total = dropSnippets(sections, limit);
  for (const role of ['old', 'new', 'message'] as Role[]) {
    for (let k = sections.length - 1; k >= 0 && total > limit; k--) {
      const s = sections[k];
      if (s.role !== role || s.content.length <= mark.length) continue;
      const before = s.content.length;
      truncate(x, s, Math.max(mark.length, before - (total - limit)), mark);
      total -= before - s.content.length;
    }
  }
}

/** Drops snippet sections, the last (lowest-ranked) first, until `sections` fit `limit`; returns their size then. */
function dropSnippets(sections: Section[], limit: number): number {
  let total = sections.reduce((n, s) => n + size(s), 0);
  for (let k = sections.length - 1; k >= 0 && total > limit; k--) {
    const s = sections[k];
    if (s.role !== 'snippet' || s.dropped) continue;
    total -= size(s);
    s.dropped = true;
  }
  return total;
}

/**
 * The context within its window: drop context snippets (the lowest-ranked, last, first), then cut old code from its
 * start (the lines next to the change stay); never the header, the message or a chunk's file line.
 */
function fitContext(x: ExactText, sections: Section[], limit: number, mark: number[]): void {
  const context = sections.filter((s) => !s.target);
  let total = dropSnippets(context, limit);
  for (const s of context) {
    if (total <= limit) break;
    if (s.role !== 'old' || s.content.length <= mark.length) continue;
    const before = s.content.length;
    const want = Math.max(mark.length, before - (total - limit));
    // a truncated section ends with the mark: the mark moves to the front, what is kept is the end
    const body = s.truncated ? s.content.slice(0, s.content.length - mark.length) : s.content;
    s.content = [...mark, ...x.tail(body, want - mark.length)];
    s.truncated = true;
    total -= before - s.content.length;
  }
}

function assemble(tok: Tokenizer, format: FormatName, sections: Section[], withText: boolean): SerializedExample {
  let contextIds: number[] = [];
  let targetIds: number[] = [];
  const infos: SectionInfo[] = [];
  let truncations = 0;
  // Context sections come first in the stream, target sections after.
  const ordered = [...sections.filter((s) => !s.target), ...sections.filter((s) => s.target)];
  for (const s of ordered) {
    if (s.dropped) {
      truncations++;
      continue;
    }
    const out = s.target ? targetIds : contextIds;
    const start = contextIds.length + targetIds.length;
    for (const part of [s.pre, s.content, s.post]) for (const id of part) out.push(id);
    const end = contextIds.length + targetIds.length;
    if (s.truncated) truncations++;
    infos.push({ name: s.name, start, end, used: s.content.length, budget: s.budget ?? s.content.length, truncated: s.truncated });
  }
  // the head: the context sections before the first chunk's
  let headLength = 0;
  for (const s of ordered) {
    if (s.target || s.name.startsWith('chunk[')) break;
    headLength += size(s);
  }
  if (!MARKED.has(format)) {
    // sections joined inside a run: each side's runs re-encoded from their text (section ranges stay those of the
    // separate encodings, approximate by the few tokens the joins merge)
    const x = exactText(tok);
    contextIds = Array.from(x.canon(contextIds));
    targetIds = Array.from(x.canon(targetIds));
    headLength = Math.min(headLength, contextIds.length);
  }
  const targetTruncated = sections.some((s) => s.target && (s.truncated || s.dropped));
  return { contextIds, targetIds, text: withText ? tok.decode(contextIds) + tok.decode(targetIds) : '', sections: infos, truncations, headLength, targetTruncated };
}

function sec(name: string, role: Role, target: boolean, pre: number[], content: number[], post: number[], budget: number | null): Section {
  return { name, role, target, pre, content, post, budget, truncated: false, dropped: false };
}

// ───────────────────────── seed ─────────────────────────

function seedSections(tok: Tokenizer, input: ExampleInput, b: Budgets, m: Record<Marker, number>): Section[] {
  const enc = (s: string) => tok.encode(s).ids;
  const out: Section[] = [];
  const c = input.commit;
  out.push(sec('header', 'fixed', false, [m['<COMMIT_START>'], m['<AUTHOR>']], enc(c.author.name), [], null));
  out.push(sec('message', 'message', false, [m['<MSG_START>']], enc(message(c)), [m['<MSG_END>']], b.message));
  input.chunks.forEach((ch, i) => {
    const file = [m['<FILE>'], ...enc(ch.path), m['<LANG>'], ...enc(ch.language ?? 'unknown'), m['<KIND>'], ...enc(ch.kind), m['<SYMBOL>'], ...enc(ch.qualifiedName), m['<CHANGE>'], ...enc(ch.change)];
    out.push(sec(`chunk[${i}].file`, 'fixed', false, file, [], [], null));
    if (ch.context.length > 0) {
      out.push(sec(`chunk[${i}].context`, 'fixed', false, [m['<CONTEXT_START>']], [], [], null));
      for (const g of GROUPS) {
        const items = ch.context.filter((x) => g.kinds.includes(x.kind));
        if (items.length === 0) continue;
        out.push(sec(`chunk[${i}].${g.name}`, 'fixed', false, [m[g.start]], [], [], null));
        items.forEach((x, k) => out.push(sec(`chunk[${i}].${g.name}[${k}]`, 'snippet', false, [m['<SYMBOL>']], enc(snippetText(x)), [], b.snippet)));
        out.push(sec(`chunk[${i}].${g.name}.end`, 'fixed', false, [m[g.end]], [], [], null));
      }
      out.push(sec(`chunk[${i}].context.end`, 'fixed', false, [m['<CONTEXT_END>']], [], [], null));
    }
    out.push(sec(`chunk[${i}].old`, 'old', false, [m['<OLD_CODE_START>']], enc(ch.oldCode), [m['<OLD_CODE_END>']], b.oldCode));
    out.push(sec(`chunk[${i}].new`, 'new', true, [m['<NEW_CODE_START>']], enc(ch.newCode), [m['<NEW_CODE_END>']], b.newCode));
  });
  out.push(sec('end', 'fixed', true, [m['<COMMIT_END>']], [], [], null));
  return out;
}

function snippetText(x: ContextItem): string {
  return `${x.symbol} (${x.path})\n${x.code}`;
}

// ───────────────────────── starcoder ─────────────────────────

function need(tok: Tokenizer, format: FormatName, alternatives: string[][]): number[] {
  for (const names of alternatives) {
    const ids = names.map((n) => tok.tokenToId(n));
    if (ids.every((id) => id !== undefined)) return ids as number[];
  }
  const wanted = alternatives.map((a) => a.join(' ')).join('" or "');
  throw new FormatUnavailableError(
    `format "${format}" needs the tokens "${wanted}", which tokenizer ${tok.source} lacks; use format "seed" (adds its own markers) or "plain", or a tokenizer that has them`,
  );
}

function starcoderSections(tok: Tokenizer, input: ExampleInput, b: Budgets): Section[] {
  const [before, msg, after] = need(tok, 'starcoder', STARCODER_TOKENS);
  const fileSep = tok.tokenToId('<file_sep>');
  const enc = (s: string) => tok.encode(s).ids;
  const out: Section[] = [];
  if (fileSep !== undefined) {
    input.chunks.forEach((ch, i) => ch.context.forEach((x, k) => out.push(sec(`chunk[${i}].context[${k}]`, 'snippet', false, [fileSep], enc(`${x.path}\n${x.code}\n`), [], b.snippet))));
  }
  out.push(sec('commit_before', 'fixed', false, [before], [], [], null));
  input.chunks.forEach((ch, i) => out.push(sec(`chunk[${i}].old`, 'old', false, [], enc(ch.oldCode + '\n'), [], b.oldCode)));
  out.push(sec('message', 'message', false, [msg], enc(message(input.commit)), [after], b.message));
  input.chunks.forEach((ch, i) => out.push(sec(`chunk[${i}].new`, 'new', true, [], enc(ch.newCode + '\n'), [], b.newCode)));
  return out;
}

// ───────────────────────── repo ─────────────────────────

function repoSections(tok: Tokenizer, input: ExampleInput, b: Budgets): Section[] {
  const [repoName, fileSep] = need(tok, 'repo', REPO_TOKENS);
  const enc = (s: string) => tok.encode(s).ids;
  const out: Section[] = [sec('repo', 'fixed', false, [repoName], enc(`${input.repoName ?? 'repo'}\n`), [], null)];
  input.chunks.forEach((ch, i) => ch.context.forEach((x, k) => out.push(sec(`chunk[${i}].context[${k}]`, 'snippet', false, [fileSep], enc(`${x.path}\n${x.code}\n`), [], b.snippet))));
  input.chunks.forEach((ch, i) => {
    const header = sec(`chunk[${i}].file`, 'fixed', i > 0, [fileSep], enc(`${ch.path}\n`), [], null);
    out.push(header);
    out.push(sec(`chunk[${i}].new`, 'new', true, [], enc(ch.newCode + '\n'), [], b.newCode));
  });
  return out;
}

// ───────────────────────── plain ─────────────────────────

function plainSections(tok: Tokenizer, input: ExampleInput, b: Budgets): Section[] {
  const enc = (s: string) => tok.encode(s).ids;
  const out: Section[] = [];
  out.push(sec('message', 'message', false, enc('Commit message:\n'), enc(message(input.commit)), enc('\n\n'), b.message));
  input.chunks.forEach((ch, i) => {
    const head = `File: ${ch.path} (${ch.language ?? 'unknown'} ${ch.kind} ${ch.qualifiedName}, ${ch.change})\n`;
    out.push(sec(`chunk[${i}].file`, 'fixed', false, enc(head), [], [], null));
    ch.context.forEach((x, k) => out.push(sec(`chunk[${i}].context[${k}]`, 'snippet', false, enc(`Context from ${x.path}:\n`), enc(x.code), enc('\n'), b.snippet)));
    out.push(sec(`chunk[${i}].old`, 'old', false, enc('Before:\n'), enc(ch.oldCode), enc('\nAfter:\n'), b.oldCode));
    out.push(sec(`chunk[${i}].new`, 'new', true, [], enc(ch.newCode), enc('\n'), b.newCode));
  });
  return out;
}
