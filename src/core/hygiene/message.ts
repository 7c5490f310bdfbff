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

/** Verbs a commit subject in the imperative mood starts with (CommitPackFT kept such commits). */
const IMPERATIVE = new Set(
  (
    'add adjust allow apply avoid bind build bump cache call catch change check clarify clean cleanup close collapse compute convert copy correct create ' +
    'deduplicate define delete deprecate detect disable document drop emit enable ensure escape expand expose extend extract fetch filter fix format ' +
    'generate handle hide ignore implement import improve include increase initialize inline introduce keep limit load log make mark migrate move ' +
    'normalize optimize parse pass prefer prevent print propagate provide raise read recover reduce refactor reformat register reject remove rename ' +
    'reorder replace require reset resolve restore restructure return reuse revise rewrite rework run save send separate set show simplify skip sort ' +
    'speed split store strip support switch throw tidy trim truncate tweak unify unwrap update upgrade use validate wait warn wrap write'
  ).split(' '),
);

/**
 * The commit-message filter of `--message-filter` (after CommitPackFT): the subject, without a conventional-commit
 * prefix (`fix(parser): …`), starts with an imperative verb, has 3 to 60 words, and is not a merge, a revert, a
 * release or version bump, work in progress or a question.
 */
export function goodMessage(subject: string): boolean {
  const s = subject
    .trim()
    .replace(/^[\w-]+(?:\([^)]*\))?!?:\s*/, '')
    .trim();
  const words = s.split(/\s+/).filter(Boolean);
  if (words.length < 3 || words.length > 60 || s.endsWith('?')) return false;
  if (/^(?:merge|revert|release|version|v?\d+\.\d+)\b/i.test(s) || /\bwip\b/i.test(s) || /^bump\b.*\b(?:version|to v?\d)/i.test(s)) return false;
  return IMPERATIVE.has(words[0].toLowerCase().replace(/[^a-z]/g, ''));
}

/** True when the cleaned message carries no information (the example becomes code-only). */
export function isTrivialMessage(cleaned: string): boolean {
  const t = cleaned
    .trim()
    .toLowerCase()
    .replace(/[.!]+$/, '');
  return t.length < 3 || TRIVIAL.has(t);
}
