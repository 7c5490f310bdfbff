/**
 * Commit-message cleaning for the message section of an example:
 * trailers (Signed-off-by, Co-authored-by, Change-Id, …), URLs and issue references are stripped.
 * An empty or trivial result means "code-only example" (the caller keeps the commit).
 */

const TRAILER_RE =
  /^(?:Signed-off-by|Co-authored-by|Co-Authored-By|Change-Id|Reviewed-by|Reviewed-on|Acked-by|Tested-by|Reported-by|Suggested-by|Cc|Fixes|Closes|Resolves|Refs|See-also|Bug)\s*:.*$/gim;
const URL_RE = /\b(?:https?|ftp):\/\/[^\s<>()"']+/gi;
const ISSUE_RE = /(?:\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?|refs?|see)\s+)?(?:[\w.-]+\/[\w.-]+)?#\d+\b/gi;
const GH_ISSUE_RE = /\bGH-\d+\b/g;
const TRIVIAL = new Set(['wip', 'update', 'updates', 'fix', 'fixes', 'misc', 'tmp', 'temp', 'changes', 'commit', '.', '-', 'initial commit', 'test']);

export function cleanMessage(subject: string, body: string): string {
  const raw = body.trim() ? `${subject}\n\n${body}` : subject;
  let s = raw.replace(TRAILER_RE, '');
  s = s.replace(URL_RE, '');
  s = s.replace(ISSUE_RE, '');
  s = s.replace(GH_ISSUE_RE, '');
  s = s.replace(/\(\s*\)/g, '').replace(/\[\s*\]/g, '');
  const lines = s.split('\n').map((l) => l.replace(/[ \t]+$/g, '').replace(/ {2,}/g, ' '));
  s = lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return s;
}

/** True when the cleaned message carries no information (the example becomes code-only). */
export function isTrivialMessage(cleaned: string): boolean {
  const t = cleaned
    .trim()
    .toLowerCase()
    .replace(/[.!]+$/, '');
  return t.length < 3 || TRIVIAL.has(t);
}
