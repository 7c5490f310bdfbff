/**
 * Text from a repository (file names, messages, manifest fields) on its way to a terminal: control characters
 * (C0 but tab, DEL, C1 — ANSI escapes, carriage returns, backspaces) and the bidirectional overrides that can
 * make text read differently than it is ("Trojan Source") are shown as escapes, never interpreted.
 * `keepNewlines` for multi-line text this tool laid out itself.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const show = (c: string): string => {
  const n = c.charCodeAt(0);
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
};

export function escapeTerminal(s: string, keepNewlines = false): string {
  return s.replace(keepNewlines ? UNSAFE_BUT_NEWLINE : UNSAFE, show);
}
