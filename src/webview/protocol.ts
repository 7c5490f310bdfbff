/**
 * The one message protocol between the extension host (src/extension/webviews) and the webview
 * pages (src/webview). Both sides import this file; it holds only types and pure helpers, so it is
 * safe in the browser bundle and in the extension bundle.
 *
 *   host → page: `show` (first payload, or a new one), `update` (replace the payload in place),
 *                `setWhitespace` (drive the whitespace toggle).
 *   page → host: `ready` (script loaded, listening), `rendered` (what was drawn: counts and the
 *                text content, so tests can check what the user sees), `openFile`, `toggleWhitespace`,
 *                `copy`, `error`.
 *
 * Every message is a plain JSON object discriminated by `type` (like GitLens' IPC message types,
 * but as a TypeScript union so `switch (msg.type)` narrows the payload).
 */
import type { ChunkRecord, ContextItem, ContextRole } from '../core/types';

/** Why a context item was chosen, for a person (the context view and the hover). */
export const REASONS: Record<ContextItem['reason'], string> = {
  'same-commit': 'changed in the same commit',
  'same-file': 'defined in the same file',
  import: 'imported by this file',
  tree: 'defined elsewhere in the repository at this commit',
};

/** What the unit does with a context item (its rank's first key), for a person. */
export const ROLES: Record<ContextRole, string> = {
  uses: 'called or named in the code',
  type: 'named as a type',
  trait: 'the trait it implements',
  other: 'reached through what it uses',
};

/** Why an item is there, in words: its source, then what the unit does with it. */
export const whyWords = (c: Pick<ContextItem, 'reason' | 'role'>): string => [REASONS[c.reason] ?? c.reason, c.role ? ROLES[c.role] : ''].filter(Boolean).join(' · ');

// ───────────────────────── views ─────────────────────────

export type ViewKind = 'tokens' | 'context' | 'overview';

export const VIEW_KINDS: readonly ViewKind[] = ['tokens', 'context', 'overview'];

/** `viewType` of each panel (also the `onWebviewPanel:` activation events in package.json). */
export const VIEW_TYPES: Readonly<Record<ViewKind, string>> = {
  tokens: 'commitCorpus.tokenBoundaries',
  context: 'commitCorpus.chunkContext',
  overview: 'commitCorpus.overview',
};

export function viewKindOfType(viewType: string): ViewKind | undefined {
  return VIEW_KINDS.find((k) => VIEW_TYPES[k] === viewType);
}

// ───────────────────────── payloads ─────────────────────────

export interface TokenSpan {
  id: number;
  /** The token's text (decoded), as it appears in the example. */
  text: string;
  /** [start, end) in UTF-16 code units of the whole text. */
  start: number;
  end: number;
  /** [byteStart, byteEnd) in UTF-8 bytes of the whole text. */
  byteStart: number;
  byteEnd: number;
  /** Special / added token (structure marker, <|endoftext|>, …). */
  special: boolean;
}

export interface TokenSection {
  name: string;
  /** Token index range [startToken, endToken). */
  startToken: number;
  endToken: number;
  used: number;
  budget: number;
  truncated: boolean;
}

export interface TokenViewPayload {
  title: string;
  /** Tokenizer name or source shown in the header. */
  tokenizer: string;
  tokens: TokenSpan[];
  sections?: TokenSection[];
  /** Characters (UTF-16 code units) of the text. */
  chars: number;
}

export interface CommitSummary {
  hash: string;
  subject: string;
  author: string;
  /** ISO date. */
  date: string;
}

export interface ContextViewPayload {
  chunk: ChunkRecord;
  commit: CommitSummary;
  /** Token cost of each `chunk.context` item (same order). */
  contextTokens: number[];
  oldTokens: number;
  newTokens: number;
  /** Repository root: where `openFile` paths are resolved. */
  repoDir: string;
}

export type SplitName = 'train' | 'val' | 'test';

export interface OverviewPayload {
  outDir: string;
  commitsOverTime: Array<{ month: string; commits: number }>;
  examplesPerSplit: Record<SplitName, number>;
  /** Tokens per example (context + target). */
  tokenLengths: number[];
  languages: Record<string, number>;
  kinds: Record<string, number>;
  skips: Record<string, number>;
  redactions: Record<string, number>;
  duplicates?: Record<string, number>;
}

export interface PayloadOf {
  tokens: TokenViewPayload;
  context: ContextViewPayload;
  overview: OverviewPayload;
}

export type AnyPayload = PayloadOf[ViewKind];

/** `{ view: 'tokens', payload: TokenViewPayload } | …` */
export type ViewAndPayload = { [K in ViewKind]: { view: K; payload: PayloadOf[K] } }[ViewKind];

// ───────────────────────── host → page ─────────────────────────

/** `seq` numbers the payloads the host sent; the page echoes it in `rendered`. */
export type ShowMessage = { type: 'show'; seq?: number } & ViewAndPayload;
export type UpdateMessage = { type: 'update'; seq?: number } & ViewAndPayload;
export interface SetWhitespaceMessage {
  type: 'setWhitespace';
  show: boolean;
}

export type HostMessage = ShowMessage | UpdateMessage | SetWhitespaceMessage;

// ───────────────────────── page → host ─────────────────────────

export interface ReadyMessage {
  type: 'ready';
  /** The view the page restored from its saved state, if any. */
  restored?: ViewKind;
}

export interface RenderedMessage {
  type: 'rendered';
  view: ViewKind;
  /** What was drawn, e.g. { tokens, specials, sections, chars } or { contextItems, links } or { charts, bars }. */
  counts: Record<string, number>;
  /** textContent of the rendered view (capped at TEXT_REPORT_LIMIT characters). */
  text: string;
  /** Elements in the rendered view that data could have smuggled in (img, script, iframe, object): must be 0. */
  foreignElements: number;
  whitespace: boolean;
  /** The `seq` of the show/update drawn (absent when drawn from the restored state). */
  seq?: number;
}

export interface OpenFileMessage {
  type: 'openFile';
  path: string;
  commit: string;
  /** 1-based line to reveal. */
  line?: number;
  /** A snippet whose first line is searched for when `line` is not known. */
  search?: string;
}

export interface ToggleWhitespaceMessage {
  type: 'toggleWhitespace';
  show: boolean;
}

export interface CopyMessage {
  type: 'copy';
  text: string;
}

export interface ErrorMessage {
  type: 'error';
  message: string;
}

export type PageMessage = ReadyMessage | RenderedMessage | OpenFileMessage | ToggleWhitespaceMessage | CopyMessage | ErrorMessage;

/** Every message either side sent. */
export type ProtocolMessage = HostMessage | PageMessage;

export const TEXT_REPORT_LIMIT = 200_000;

/** What the page keeps with vscode.setState (and the host's serializer receives after a reload). */
export interface PageState {
  view: ViewKind;
  payload: AnyPayload;
  whitespace: boolean;
}

// ───────────────────────── validation (the host never trusts the page blindly) ─────────────────────────

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Narrows an incoming message from the page; anything malformed is `undefined`. */
export function parsePageMessage(v: unknown): PageMessage | undefined {
  if (!isObj(v) || typeof v.type !== 'string') return undefined;
  switch (v.type) {
    case 'ready':
      return v.restored === undefined || VIEW_KINDS.includes(v.restored as ViewKind) ? (v as unknown as ReadyMessage) : undefined;
    case 'rendered':
      return VIEW_KINDS.includes(v.view as ViewKind) && isObj(v.counts) && typeof v.text === 'string' && typeof v.foreignElements === 'number' ? (v as unknown as RenderedMessage) : undefined;
    case 'openFile':
      return typeof v.path === 'string' &&
        typeof v.commit === 'string' &&
        (v.line === undefined || (typeof v.line === 'number' && v.line >= 1)) &&
        (v.search === undefined || typeof v.search === 'string')
        ? (v as unknown as OpenFileMessage)
        : undefined;
    case 'toggleWhitespace':
      return typeof v.show === 'boolean' ? (v as unknown as ToggleWhitespaceMessage) : undefined;
    case 'copy':
      return typeof v.text === 'string' ? (v as unknown as CopyMessage) : undefined;
    case 'error':
      return typeof v.message === 'string' ? (v as unknown as ErrorMessage) : undefined;
    default:
      return undefined;
  }
}

/** A saved page state, or undefined when it is not one (old version, corrupt). */
export function parsePageState(v: unknown): PageState | undefined {
  if (!isObj(v) || !VIEW_KINDS.includes(v.view as ViewKind) || !isObj(v.payload)) return undefined;
  return { view: v.view as ViewKind, payload: v.payload as unknown as AnyPayload, whitespace: v.whitespace === true };
}
