/**
 * Hygiene of one commit, applied where its chunks are made, before anything is cached or logged: the message
 * cleaned (trailers, URLs, issue references), and secrets and PII redacted from every string that came from
 * the repository — message, author and committer names (and e-mails unless kept), file paths, changed code and
 * context snippets, the history's error text. One Redactor per commit: placeholder numbers restart with each
 * commit (the same secret is the same placeholder within an example), so the result depends on the commit only
 * and chunk threads may run in any order.
 */
import type { ChunkRecord, CommitInfo } from '../types';
import { cleanMessage, isTrivialMessage } from './message';
import { Redactor, type RedactionKind } from './redact';

export interface ScrubSettings {
  redact: boolean;
  /** Keep author and committer e-mails (code, messages and names are still redacted). */
  keepAuthorEmails: boolean;
}

export interface ScrubbedCommit {
  /** The commit with its cleaned message split into subject and body (subject '' when trivial). */
  commit: CommitInfo;
  /** The cleaned message ('' when trivial: a code-only example). */
  message: string;
  chunks: ChunkRecord[];
  /** Redactions made in each chunk (same order as `chunks`). */
  redactions: number[];
  /** Redactions of the whole commit by kind (message, names, paths, code). */
  redacted: Partial<Record<RedactionKind, number>>;
  /** The `paths` given, redacted (paths the caller wants to name in a log). */
  timeouts: string[];
  error?: string;
}

export function scrubCommit(c: CommitInfo, chunks: ChunkRecord[], error: string | undefined, s: ScrubSettings, paths: string[] = []): ScrubbedCommit {
  const r = s.redact ? new Redactor() : null;
  const red = (t: string, path?: string): string => (r && t ? r.redact(t, path === undefined ? undefined : { path }) : t);
  // people first: an author's e-mail is the same placeholder in every commit (`<REDACTED_EMAIL_1>`)
  const keepEmail = s.keepAuthorEmails || !r;
  // (the e-mail fields as a whole: an author's address is not kept even on a documentation domain)
  const email = (e: string) => (keepEmail || !r ? e : r.mask('email', e));
  const author = { ...c.author, name: red(c.author.name), email: email(c.author.email) };
  const committer = { ...c.committer, name: red(c.committer.name), email: email(c.committer.email) };
  const message = red(cleanMessage(c.subject, c.body));
  const trivial = isTrivialMessage(message);
  const [subject, ...rest] = trivial ? [''] : message.split('\n');
  const commit: CommitInfo = { ...c, author, committer, subject, body: rest.join('\n').replace(/^\n+/, '') };
  const redactions: number[] = [];
  const out = chunks.map((ch): ChunkRecord => {
    if (!r) {
      redactions.push(0);
      return ch;
    }
    const before = r.total();
    const path = red(ch.path);
    const x: ChunkRecord = {
      ...ch,
      path,
      oldCode: red(ch.oldCode, ch.oldPath ?? ch.path),
      newCode: red(ch.newCode, ch.path),
      context: ch.context.map((ci) => ({ ...ci, path: red(ci.path), code: red(ci.code, ci.path) })),
    };
    if (ch.oldPath !== undefined) x.oldPath = red(ch.oldPath);
    redactions.push(r.total() - before);
    return x;
  });
  const named = paths.map((p) => red(p));
  const redacted: Partial<Record<RedactionKind, number>> = {};
  if (r) for (const [k, v] of Object.entries(r.counts) as Array<[RedactionKind, number]>) if (v > 0) redacted[k] = v;
  return { commit, message: trivial ? '' : message, chunks: out, redactions, redacted, timeouts: named, ...(error !== undefined ? { error: red(error) } : {}) };
}
