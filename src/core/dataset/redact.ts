/**
 * Secret and PII redaction, applied to text BEFORE tokenization.
 *
 * Each match is replaced by a placeholder `<REDACTED_KIND_N>`; the same secret gets the same
 * placeholder for the whole run (N counts distinct values per kind in order of first sight).
 * Counts are kept by kind; the secrets themselves are never logged or returned.
 */

export type RedactionKind =
  | 'private_key'
  | 'aws_key'
  | 'github_token'
  | 'slack_token'
  | 'stripe_key'
  | 'jwt'
  | 'generic_secret'
  | 'email'
  | 'ip_address';

interface Rule {
  kind: RedactionKind;
  re: RegExp;
  /** Index of the capture group holding the secret (0 = whole match). */
  group?: number;
  /** A cheaper test that every match of `re` passes (texts that fail it are skipped). */
  pre?: (text: string) => boolean;
  accept?: (value: string) => boolean;
}

/** Matches a placeholder this module writes (used by `verify` to treat them as wildcards). */
export const PLACEHOLDER_RE = /<REDACTED_[A-Z_]+_\d+>/g;

/** Pre-checks (no g flag: test() keeps no state). A secret's name, then `=` or `:` and a quote. */
const SECRET_NAME_THEN_QUOTE = /(?:secret|token|passw|api_?key|access_?key|auth|credential)[A-Za-z0-9_]*\s*[:=]\s*["'`]/i;
/** Four dot-separated numbers' shape. */
const DOTTED_QUAD = /\d\.\d{1,3}\.\d{1,3}\.\d/;

const RULES: Rule[] = [
  {
    kind: 'private_key',
    re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)/g,
    pre: (t) => t.includes('PRIVATE KEY'),
  },
  { kind: 'aws_key', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g },
  { kind: 'github_token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g, pre: (t) => t.includes('gh') },
  { kind: 'slack_token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, pre: (t) => t.includes('xox') },
  { kind: 'stripe_key', re: /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b/g, pre: (t) => t.includes('_live_') || t.includes('_test_') },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, pre: (t) => t.includes('eyJ') },
  {
    // key = "value" assignments whose name says secret and whose value looks random.
    kind: 'generic_secret',
    re: /\b(?:[A-Za-z0-9_]*?(?:secret|token|passwd|password|api_?key|apikey|access_?key|auth|credential)[A-Za-z0-9_]*)\s*[:=]\s*["'`]([A-Za-z0-9+/=_\-.~]{16,})["'`]/gi,
    group: 1,
    // the name's keyword, then `= "` or `: '`: a literal-led search instead of one from every word start
    pre: (t) => SECRET_NAME_THEN_QUOTE.test(t),
    accept: (v) => shannonEntropy(v) >= 3.5 && /\d/.test(v) && /[A-Za-z]/.test(v),
  },
  {
    kind: 'email',
    re: /\b[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}\b/g,
    pre: (t) => t.includes('@'),
    accept: (v) => !/^(?:git|noreply)@github\.com$/i.test(v),
  },
  {
    kind: 'ip_address',
    re: /(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w.])/g,
    accept: isPublicIPv4,
    pre: (t) => DOTTED_QUAD.test(t),
  },
];

export function shannonEntropy(s: string): number {
  const freq = new Map<string, number>();
  for (const c of s) freq.set(c, (freq.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of freq.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

export function isPublicIPv4(ip: string): boolean {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) return false;
  const [a, b] = p;
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
  if (a === 169 && b === 254) return false;
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 100 && b >= 64 && b <= 127) return false; // CGNAT
  if (a === 192 && b === 0 && p[2] === 2) return false; // TEST-NET-1
  if (a === 198 && b === 51 && p[2] === 100) return false; // TEST-NET-2
  if (a === 203 && b === 0 && p[2] === 113) return false; // TEST-NET-3
  // Version-like dotted numbers with zeros everywhere are common in code (1.0.0.0): keep them.
  if (p.slice(1).every((x) => x === 0)) return false;
  return true;
}

export interface RedactorOptions {
  /** Kinds not to redact (e.g. keep e-mails). */
  keep?: RedactionKind[];
}

export class Redactor {
  private readonly placeholders = new Map<string, string>();
  private readonly distinct = new Map<RedactionKind, number>();
  readonly counts: Record<RedactionKind, number> = {
    private_key: 0,
    aws_key: 0,
    github_token: 0,
    slack_token: 0,
    stripe_key: 0,
    jwt: 0,
    generic_secret: 0,
    email: 0,
    ip_address: 0,
  };
  private readonly rules: Rule[];

  constructor(opts: RedactorOptions = {}) {
    const keep = new Set(opts.keep ?? []);
    this.rules = RULES.filter((r) => !keep.has(r.kind));
  }

  /** Returns the text with every secret replaced; counts each replacement by kind. `hint.path`: the file the text is from. */
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  redact(text: string, hint?: { path?: string }): string {
    if (!text) return text;
    let out = text;
    for (const rule of this.rules) {
      if (rule.pre && !rule.pre(out)) continue;
      rule.re.lastIndex = 0;
      if (!rule.re.test(out)) continue;
      rule.re.lastIndex = 0;
      out = out.replace(rule.re, (...m: unknown[]) => {
        const whole = m[0] as string;
        const value = (rule.group ? (m[rule.group] as string) : whole) ?? whole;
        if (value.startsWith('<REDACTED_')) return whole;
        if (rule.accept && !rule.accept(value)) return whole;
        const ph = this.placeholder(rule.kind, value);
        this.counts[rule.kind] += 1;
        return rule.group ? whole.replace(value, ph) : ph;
      });
    }
    return out;
  }

  /** Total replacements so far. */
  total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  private placeholder(kind: RedactionKind, value: string): string {
    const key = `${kind}\u0000${value}`;
    let ph = this.placeholders.get(key);
    if (!ph) {
      const n = (this.distinct.get(kind) ?? 0) + 1;
      this.distinct.set(kind, n);
      ph = `<REDACTED_${kind.toUpperCase()}_${n}>`;
      this.placeholders.set(key, ph);
    }
    return ph;
  }
}
