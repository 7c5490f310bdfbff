/**
 * Secret and PII redaction, applied to every string from the repository BEFORE it is cached or tokenized
 * (code, context snippets, messages, file paths, author names): the detector families of detect-secrets,
 * gitleaks and BigCode's PII pipeline.
 *
 * - Known token formats, found anywhere (cloud keys, VCS and package-registry tokens, chat webhooks, JWTs,
 *   private key blocks, …): FORMAT_RULES.
 * - A secret-like name assigned a literal, in every common syntax (SecretScanner below): `key = "v"`,
 *   `key: "v"`, `"key": "v"`, `key := "v"`, `key => "v"`, typed declarations (`const K: &str = "v"`,
 *   `var k string = "v"`, `String k = "v"`, `k: str = "v"`), XML elements, URL query parameters, and unquoted
 *   values where the syntax is a config file's (.env/INI/TOML/YAML/properties/shell/Dockerfile, by the path
 *   hint, or an `export NAME=value` / `NAME=value` line outside source code). Password names take any literal
 *   of 6+ characters (passwords are often weak); other secret names need a random-looking value (length and
 *   entropy). Placeholders, environment lookups and code expressions are not secrets.
 * - HTTP auth headers (Bearer/Basic/token), `curl -u user:pass`, passwords in connection strings and URLs.
 * - Standalone high-entropy base64 strings in quotes (32+ characters, entropy ≥ 4.6 bits).
 * - E-mail addresses (not documentation domains or noreply), public IPv4 addresses (not private, loopback,
 *   link-local, CGNAT or documentation ranges, and not version strings).
 *
 * Each match is replaced by a placeholder `<REDACTED_KIND_N>`; the same value gets the same placeholder for
 * the Redactor's life (N counts distinct values per kind in order of first sight). Counts are kept by kind;
 * the secrets themselves are never logged or returned. Every rule is linear in the text: regexes are anchored
 * on literals or bounded, and the assignment scanner looks at a bounded window around each keyword.
 */

export type RedactionKind =
  | 'private_key'
  | 'aws_key'
  | 'github_token'
  | 'gitlab_token'
  | 'slack_token'
  | 'slack_webhook'
  | 'stripe_key'
  | 'google_api_key'
  | 'sendgrid_key'
  | 'npm_token'
  | 'pypi_token'
  | 'openai_key'
  | 'anthropic_key'
  | 'huggingface_token'
  | 'digitalocean_token'
  | 'shopify_token'
  | 'telegram_token'
  | 'discord_token'
  | 'mailchimp_key'
  | 'square_token'
  | 'azure_key'
  | 'twilio_key'
  | 'jwt'
  | 'auth_header'
  | 'connection_string'
  | 'password'
  | 'generic_secret'
  | 'high_entropy'
  | 'email'
  | 'ip_address';

export const REDACTION_KINDS: RedactionKind[] = [
  'private_key',
  'aws_key',
  'github_token',
  'gitlab_token',
  'slack_token',
  'slack_webhook',
  'stripe_key',
  'google_api_key',
  'sendgrid_key',
  'npm_token',
  'pypi_token',
  'openai_key',
  'anthropic_key',
  'huggingface_token',
  'digitalocean_token',
  'shopify_token',
  'telegram_token',
  'discord_token',
  'mailchimp_key',
  'square_token',
  'azure_key',
  'twilio_key',
  'jwt',
  'auth_header',
  'connection_string',
  'password',
  'generic_secret',
  'high_entropy',
  'email',
  'ip_address',
];

/** What a text is: the file it comes from (its syntax), if any. */
export interface RedactHint {
  path?: string;
}

interface Rule {
  kind: RedactionKind;
  re: RegExp;
  /** Index of the capture group holding the secret (0 = whole match). */
  group?: number;
  /** A cheaper test that every match of `re` passes (texts that fail it are skipped). */
  pre?: (text: string) => boolean;
  accept?: (value: string, text: string, at: number) => boolean;
}

/** Matches a placeholder this module writes (used by `verify` to treat them as wildcards). */
export const PLACEHOLDER_RE = /<REDACTED_[A-Z_]+_\d+>/g;

const has =
  (...needles: string[]) =>
  (t: string) =>
    needles.some((n) => t.includes(n));

/** Known token formats (gitleaks / detect-secrets). Each is anchored on a literal prefix or shape. */
const FORMAT_RULES: Rule[] = [
  {
    kind: 'private_key',
    re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)/g,
    pre: has('PRIVATE KEY'),
  },
  { kind: 'aws_key', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g },
  { kind: 'github_token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { kind: 'gitlab_token', re: /\bgl(?:pat|dt|rt|ptt|cbt|soat|ft)-[A-Za-z0-9_-]{20,}/g, pre: has('gl') },
  { kind: 'slack_webhook', re: /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9+/_-]{20,}/g, pre: has('hooks.slack.com') },
  { kind: 'slack_token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, pre: has('xox') },
  { kind: 'stripe_key', re: /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b/g, pre: has('_live_', '_test_') },
  { kind: 'google_api_key', re: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g, pre: has('AIza') },
  { kind: 'sendgrid_key', re: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/g, pre: has('SG.') },
  { kind: 'npm_token', re: /\bnpm_[A-Za-z0-9]{36}\b/g, pre: has('npm_') },
  { kind: 'pypi_token', re: /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/g, pre: has('pypi-') },
  { kind: 'anthropic_key', re: /\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}/g, pre: has('sk-ant-') },
  { kind: 'openai_key', re: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}|\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|\bsk-[A-Za-z0-9]{48}\b/g, pre: has('sk-') },
  { kind: 'huggingface_token', re: /\bhf_[A-Za-z]{34}\b/g, pre: has('hf_') },
  { kind: 'digitalocean_token', re: /\bdo[opr]_v1_[a-f0-9]{64}\b/g, pre: has('_v1_') },
  { kind: 'shopify_token', re: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/g, pre: has('shp') },
  { kind: 'telegram_token', re: /\b\d{8,10}:AA[0-9A-Za-z_-]{33}(?![0-9A-Za-z_-])/g, pre: has(':AA') },
  { kind: 'discord_token', re: /\b[MNO][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,38}\b/g },
  { kind: 'mailchimp_key', re: /\b[0-9a-f]{32}-us\d{1,2}\b/g, pre: has('-us') },
  { kind: 'square_token', re: /\bsq0(?:atp|csp|idp)-[0-9A-Za-z_-]{22,43}\b/g, pre: has('sq0') },
  { kind: 'azure_key', re: /\b(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/=]{40,})/g, group: 1, pre: has('AccountKey=', 'SharedAccessKey=') },
  { kind: 'twilio_key', re: /\bSK[0-9a-fA-F]{32}\b/g, pre: has('SK') },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, pre: has('eyJ') },
];

/**
 * One pass that finds any format rule's literal (most texts have none: the rules are then skipped). Every
 * FORMAT_RULES pattern starts with, or contains, one of these.
 */
const FORMAT_SIGNS =
  /PRIVATE KEY|A(?:KIA|SIA|GPA|IDA|ROA|NPA|NVA|IPA)[A-Z0-9]|gh[pousr]_|github_pat_|gl(?:pat|dt|rt|ptt|cbt|soat|ft)-|hooks\.slack\.com|xox[abposr]-|_(?:live|test)_|AIza|SG\.|npm_|pypi-|sk-|hf_|_v1_|shp(?:at|ca|pa|ss)_|:AA|-us\d|sq0|AccessKey=|AccountKey=|SK[0-9a-fA-F]{32}|eyJ|[MNO][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\./;

/** Credentials in context: auth headers, curl -u, passwords in URLs and connection strings. */
const CONTEXT_RULES: Rule[] = [
  {
    kind: 'auth_header',
    re: /\b(?:Proxy-)?Authorization["']?\s*[:=,]\s*["']?(?:Bearer|Basic|Token|token|Digest|ApiKey|Api-Key|Bot)\s+([A-Za-z0-9+/=._~-]{8,})/gi,
    group: 1,
    pre: (t) => /authorization/i.test(t),
    accept: (v) => !placeholderValue(v, '') && shannonEntropy(v) >= 2.5,
  },
  {
    kind: 'auth_header',
    re: /\b(?:X-[A-Za-z-]{0,30}|Api|Private)-(?:Key|Token|Secret|Auth)["']?\s*[:=,]\s*["']?([A-Za-z0-9+/=._~-]{12,})/gi,
    group: 1,
    pre: (t) => /-(?:key|token|secret|auth)/i.test(t),
    accept: (v) => !placeholderValue(v, '') && shannonEntropy(v) >= 3,
  },
  {
    kind: 'password',
    re: /\bcurl\b[^\n]{0,200}?\s(?:-u|--user)\s+["']?[^\s:"']{1,100}:([^\s"']{3,200})/g,
    group: 1,
    pre: has('curl'),
  },
  {
    kind: 'password',
    re: /(?:^|\s)--?(?:password|passwd|pass)(?:=|[ \t]+)["']?([^\s"'$<{}]{4,200})/gi,
    group: 1,
    pre: has('-'),
    accept: (v) => !placeholderValue(v, ''),
  },
  {
    kind: 'generic_secret',
    re: /(?:^|\s)--(?:api-?key|token|auth-token|access-token|secret|client-secret|secret-key|access-key)(?:=|[ \t]+)["']?([^\s"'$<{}]{8,200})/gi,
    group: 1,
    pre: has('--'),
    accept: (v) => !placeholderValue(v, '') && shannonEntropy(v) >= 2.5,
  },
  {
    kind: 'connection_string',
    re: /:\/\/[^\s:@/"'`<>]{0,100}:([^\s@/"'`<>]{3,200})@[A-Za-z0-9.[\]-]/g,
    group: 1,
    pre: has('://'),
    accept: (v) => !placeholderValue(v, '') && !/^(?:pass|pwd|pw|secret|\d{1,5})$/i.test(v),
  },
];

/** Standalone random-looking base64 in quotes (detect-secrets' Base64HighEntropyString, a stricter limit). */
const ENTROPY_RULE: Rule = {
  kind: 'high_entropy',
  re: /(["'`])([A-Za-z0-9+/]{32,512}={0,2})\1/g,
  group: 2,
  accept: (v, text, at) => {
    if (!/[a-z]/.test(v) || !/[A-Z]/.test(v) || !/\d/.test(v) || shannonEntropy(v) < 4.6) return false;
    if (ascendingRun(v) >= 6 || encodesText(v)) return false; // an alphabet, or base64 of words (test vectors)
    // integrity hashes (`sha384-…`) and data URIs are content, not credentials
    return !/(?:sha\d{3}-|base64,)$/.test(text.slice(Math.max(0, at - 12), at));
  },
};

const PII_RULES: Rule[] = [
  {
    kind: 'ip_address',
    re: /(?<![\w.-])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w.]|-[A-Za-z0-9])/g,
    accept: (v, text, at) => isPublicIPv4(v) && !versionContext(text, at),
    pre: (t) => DOTTED_QUAD.test(t),
  },
];
// every rule above is matched with a fresh `lastIndex`; the flag must be global
const DOTTED_QUAD = /\d\.\d{1,3}\.\d{1,3}\.\d/;

/** An address around an `@`: local part, `@`, a domain with a dot. */
const EMAIL = /^[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])/;
const LOCAL_CHAR = /[A-Za-z0-9._%+-]/;

/**
 * E-mail addresses, found from their `@` (one indexOf pass; a regex that may start at every word costs more
 * than all the other rules together).
 */
function* emails(text: string): Generator<{ start: number; end: number; kind: 'email' }> {
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let s = at;
    while (s > 0 && at - s < 64 && LOCAL_CHAR.test(text[s - 1])) s--;
    if (s === at) continue;
    const m = EMAIL.exec(text.slice(s, at + 300));
    if (!m) continue;
    const v = m[0];
    // `https://user@host/…` is a URL's user, not an address
    if (isPublicAddress(v) || text.endsWith('://', s)) continue;
    yield { start: s, end: s + v.length, kind: 'email' as const };
    at = s + v.length - 1;
  }
}

/** E-mail addresses that identify nobody: documentation domains, noreply, git@ hosts. */
function isPublicAddress(v: string): boolean {
  const [local, domain] = [v.slice(0, v.lastIndexOf('@')).toLowerCase(), v.slice(v.lastIndexOf('@') + 1).toLowerCase()];
  if (/^(?:no-?reply|git)$/.test(local) || domain === 'users.noreply.github.com' || domain.endsWith('.users.noreply.github.com')) return true;
  return /(?:^|\.)(?:example\.(?:com|org|net)|example|test|invalid|localhost|local)$/.test(domain);
}

/** `version = "1.2.3.4"`, `v1.2.3.4`, `Version 4.3.2.1`: a dotted quad that is a version, not an address. */
function versionContext(text: string, at: number): boolean {
  const before = text.slice(Math.max(0, at - 24), at);
  return /(?:\bv|version|\bver\b|release|\btag)[\s:=@"'(]*$/i.test(before) || /[vV]$/.test(before);
}

/** The longest run of consecutive ascending characters (`abcdef`, `0123`): alphabets, not keys. */
function ascendingRun(v: string): number {
  let best = 1;
  let run = 1;
  for (let i = 1; i < v.length; i++) {
    run = v.charCodeAt(i) === v.charCodeAt(i - 1) + 1 ? run + 1 : 1;
    if (run > best) best = run;
  }
  return best;
}

/** Is `v` base64 of mostly printable text? Key material decodes to random bytes. */
function encodesText(v: string): boolean {
  const bytes = Buffer.from(v, 'base64');
  if (bytes.length < 16) return false;
  let printable = 0;
  for (const b of bytes) if ((b >= 0x20 && b < 0x7f) || b === 10 || b === 9 || b === 13) printable++;
  return printable / bytes.length >= 0.9;
}

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
  if (a === 198 && (b === 18 || b === 19)) return false; // benchmarking
  // Version-like dotted numbers with zeros everywhere are common in code (1.0.0.0): keep them.
  if (p.slice(1).every((x) => x === 0)) return false;
  return true;
}

// ───────────── secret-like names assigned a literal ─────────────

/** A keyword that makes a name worth a look; the name as a whole is judged by secretName(). */
const KEYWORD = /pass|pwd|secret|token|key|credential|auth|cred/gi;
/** Words after which a name is about a secret but holds none (its type, its URL, its label…). */
const NOT_A_VALUE = new Set([
  'type',
  'types',
  'url',
  'uri',
  'urls',
  'endpoint',
  'name',
  'names',
  'field',
  'fields',
  'label',
  'labels',
  'id',
  'ids',
  'path',
  'paths',
  'file',
  'files',
  'filename',
  'dir',
  'length',
  'len',
  'size',
  'count',
  'expiry',
  'expires',
  'expiration',
  'ttl',
  'timeout',
  'regex',
  're',
  'pattern',
  'prefix',
  'suffix',
  'header',
  'param',
  'kind',
  'format',
  'policy',
  'hint',
  'placeholder',
  'prompt',
  'env',
  'var',
  'variable',
  'mode',
  'method',
  'provider',
  'strategy',
  'scope',
  'scopes',
  'version',
  'algorithm',
  'algo',
  'hash',
  'hasher',
  'index',
  'class',
  'help',
  'message',
  'msg',
  'error',
  'text',
  'title',
  'description',
  'desc',
  'template',
  'input',
  'form',
  'button',
  'manager',
  'store',
  'service',
  'validator',
  'min',
  'max',
  'policy',
  'rule',
  'rules',
  'flag',
  'enabled',
  'required',
  'reset',
  'confirm',
  'confirmation',
  'changed',
  'at',
  'column',
  'col',
  'key',
]);
const PASSWORD_WORDS = /password|passwd|passphrase|^pass$|^pwd$|^pw$|^passwort$|^senha$|^contrase/;
const SECRET_WORDS = /secret|token$|^token|credential|^creds?$|^auth$|apikey|accesskey|privatekey|secretkey|signingkey|masterkey|encryptionkey|clientkey|sessionkey|authkey/;
const KEY_QUALIFIERS = new Set(['api', 'access', 'private', 'secret', 'signing', 'master', 'encryption', 'client', 'session', 'auth', 'license', 'app', 'consumer', 'account', 'storage']);

/** The segments of an identifier, lower-cased: `AWS_SECRET_ACCESS_KEY` → aws secret access key; `apiSecret` → api secret. */
function segments(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** 'password' / 'secret' for a name that says it holds one, else null. */
function secretName(name: string): 'password' | 'secret' | null {
  const segs = segments(name);
  if (segs.length === 0 || segs.length > 8) return null;
  const last = segs[segs.length - 1];
  // `token_type`, `password_field`, `SECRET_NAME`: about a secret, not one (but `…_key` after a qualifier is a key)
  if (NOT_A_VALUE.has(last) && !(last === 'key' && segs.length > 1 && KEY_QUALIFIERS.has(segs[segs.length - 2]))) return null;
  if (segs.some((s) => PASSWORD_WORDS.test(s))) return 'password';
  if (segs.some((s) => SECRET_WORDS.test(s) && !/^tokeni[sz]/.test(s) && s !== 'tokens')) return 'secret';
  for (let i = 0; i + 1 < segs.length; i++) if (segs[i + 1] === 'key' && KEY_QUALIFIERS.has(segs[i])) return 'secret';
  return null;
}

const CONFIG_PATH =
  /(?:^|\/)(?:\.env(?:\.[\w.-]+)?|[^/]*\.(?:env|ini|cfg|conf|config|properties|toml|ya?ml|sh|bash|zsh|ps1|bat|cmd|tf|tfvars|hcl)|Dockerfile[^/]*|docker-compose[^/]*|\.npmrc|\.pypirc|\.netrc|\.pgpass|credentials|config)$/i;
const SOURCE_PATH = /\.(?:rs|ts|tsx|js|jsx|mjs|cjs|py|pyi|go|java|kt|kts|scala|c|cc|cpp|h|hpp|cs|rb|php|swift|m|mm|lua|dart|ex|exs|erl|hs|ml|clj|groovy|pl|r|jl|zig|nim|vue|svelte)$/i;

/** Not a secret even when a secret name holds it: placeholders, lookups, the name itself, labels. */
function placeholderValue(v: string, name: string): boolean {
  if (v.startsWith('<REDACTED_')) return true;
  if (/^[$%]\{?[\w.:-]*\}?$|^\{\{.*\}\}$|^%\(\w*\)s$|^<[^<>]*>$|^\[[^[\]]*\]$|^\{[^{}]*\}$|^@\w+@?$/.test(v)) return true;
  if (
    /^(?:[*.xX#?-]+|none|null|nil|undefined|true|false|yes|no|empty|redacted|hidden|required|optional|string|str|bytes|changeme|password|passwd|secret|token|(?:your|my)[_-]?[a-z_-]*(?:password|passwd|pass|secret|token|key|here)[a-z_-]*|example[\w-]*|sample[\w-]*|dummy[\w-]*|fake[\w-]*|placeholder[\w-]*|test|testing)$/i.test(
      v,
    )
  )
    return true;
  if (/^(?:process\.env|os\.environ|os\.getenv|env!|std::env|System\.getenv|ENV\[|getenv)/.test(v)) return true;
  const flat = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (flat(v) === flat(name) || segments(name).includes(flat(v))) return true;
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(v)) return true; // an environment variable's name
  if (/^(?:\.{0,2}\/|~\/|[A-Za-z]:\\)|\.(?:json|ya?ml|toml|txt|pem|key|crt|cer|p12|env|ini|cfg|conf|js|ts|py|rs)$/i.test(v)) return true; // a path
  if (/:\/\//.test(v)) return true; // a URL (its password, if any, is the connection-string rule's)
  return shannonEntropy(v) < 1.5; // "aaaaaaaaaa", "--------"
}

function secretValue(v: string, kind: 'password' | 'secret', name: string): boolean {
  if (v.length > 400 || /\s/.test(v) || placeholderValue(v, name)) return false;
  if (kind === 'password') return v.length >= 6;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(v)).length;
  return v.length >= 12 && shannonEntropy(v) >= 3 && classes >= 2;
}

const isNameChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c === 45 || c === 46;

/**
 * Finds `name <separator> value` around each keyword of the text and reports the value's range and kind.
 * Linear: each keyword occurrence is looked at once, within a bounded window, and the scan moves past it.
 */
function* secretAssignments(text: string, hint: RedactHint | undefined): Generator<{ start: number; end: number; kind: 'password' | 'secret' }> {
  const path = hint?.path ?? '';
  const config = CONFIG_PATH.test(path);
  const source = SOURCE_PATH.test(path);
  KEYWORD.lastIndex = 0;
  let done = 0;
  for (let m = KEYWORD.exec(text); m; m = KEYWORD.exec(text)) {
    let s = m.index;
    if (s < done) continue;
    let e = s + m[0].length;
    while (s > 0 && e - s < 100 && isNameChar(text.charCodeAt(s - 1))) s--;
    while (e < text.length && e - s < 100 && isNameChar(text.charCodeAt(e))) e++;
    KEYWORD.lastIndex = e;
    // a cheap look first: an assignment needs `=`, `:` or `>` (XML) soon after the name, or a Go type and `=`
    let k = e;
    while (k < text.length && k - e < 6 && (text[k] === ' ' || text[k] === '"' || text[k] === "'" || text[k] === '\t')) k++;
    const next = text[k];
    if (next !== '=' && next !== ':' && next !== '>' && !(/[A-Za-z_]/.test(next ?? '') && /^[\w.*[\] \t]{1,44}=/.test(text.slice(k, k + 45)))) continue;
    let name = text.slice(s, e);
    // a trailing `.`/`-` is punctuation (`password.`), not part of the name
    name = name.replace(/[.-]+$/, '');
    const kind = secretName(name.replace(/^[$.-]+/, ''));
    if (!kind) continue;
    let p = s + name.length;
    const before = s > 0 ? text[s - 1] : '';
    const quoted = before === '"' || before === "'";
    if (quoted && text[p] === before) p++;
    const rest = text.slice(p, p + 120);
    // the separator: `=`, `:=`, `=>`, `:`, a type annotation `: T =` (TS/Rust/Python), a Go type `name T =`, or
    // XML's `>` (`<password>v</password>`), a query parameter's `=` (`?token=v&`)
    const sep =
      /^\s{0,4}(?::\s{0,4}[^=\n;,{}()"'`]{1,60}?\s=(?![=>])|:=|=>|=(?![=~])|:(?![:=]))[ \t]{0,8}/.exec(rest) ??
      /^\s{1,4}[A-Za-z_][\w.*[\]]{0,40}\s{0,4}=(?![=>])[ \t]{0,8}/.exec(rest) ??
      (before === '<' ? /^>/.exec(rest) : null);
    if (!sep) continue;
    const v0 = p + sep[0].length;
    const q = text[v0];
    let start: number;
    let end: number;
    if (q === '"' || q === "'" || q === '`') {
      start = v0 + 1;
      end = start;
      while (end < text.length && end - start < 500 && text[end] !== q && text[end] !== '\n') end += text[end] === '\\' ? 2 : 1;
      if (text[end] !== q) continue;
    } else {
      // unquoted: a config file's value, an env-style line outside source code, XML text, a query parameter
      // (outside a config file only `NAME=value` at a line's start: `password: reset the flow` in a message is prose)
      const from = Math.max(0, s - 24);
      const lead = (from === 0 ? '\n' : '') + text.slice(from, s);
      const envLine = !source && sep[0].includes('=') && /\n[ \t]*(?:export[ \t]+|set[ \t]+|ENV[ \t]+)?["']?$/.test(lead);
      // or an environment variable's `NAME=value` anywhere in prose (`New DB_PASSWORD=x for staging`)
      const envStyle = !source && sep[0] === '=' && /^[A-Z][A-Z0-9_]*$/.test(name);
      const query = before === '?' || before === '&';
      // `password: hunter2-Staging!` in prose, `password=Dsn-Pa55 dbname=x` inside a string of code (a DSN):
      // only a value that cannot be a word or an expression
      const prose = !source && !config && /^:[ \t]/.test(sep[0]);
      const dsn = source && sep[0] === '=' && (before === ' ' || before === ';' || before === '"' || before === "'");
      if (!(config || envLine || envStyle || query || before === '<' || prose || dsn)) continue;
      const strict = !(config || envLine || envStyle || query || before === '<');
      if (q === '!' || q === '|' || q === '>' || q === '&' || q === '*') continue; // YAML tags, block scalars, anchors
      start = v0;
      end = start;
      const stop = query ? /[\s&#"'`<>]/ : before === '<' ? /[<\n]/ : /[\s#;,"'`]/;
      while (end < text.length && end - start < 400 && !stop.test(text[end])) end++;
      const v = text.slice(start, end);
      if (strict && (/^[A-Za-z_$][\w$.]*$/.test(v) || /[()[\]{}]/.test(v) || !/\d/.test(v) || !/[A-Za-z]/.test(v) || v.length < 8)) continue;
    }
    done = end;
    KEYWORD.lastIndex = Math.max(KEYWORD.lastIndex, end);
    if (end > start && secretValue(text.slice(start, end), kind, name)) yield { start, end, kind };
  }
}

export interface RedactorOptions {
  /** Kinds not to redact (e.g. keep e-mails). */
  keep?: RedactionKind[];
}

export class Redactor {
  private readonly placeholders = new Map<string, string>();
  private readonly distinct = new Map<RedactionKind, number>();
  readonly counts = Object.fromEntries(REDACTION_KINDS.map((k) => [k, 0])) as Record<RedactionKind, number>;
  private readonly keep: Set<RedactionKind>;

  constructor(opts: RedactorOptions = {}) {
    this.keep = new Set(opts.keep ?? []);
  }

  /** Returns the text with every secret replaced; counts each replacement by kind. `hint.path`: the file the text is from. */
  redact(text: string, hint?: RedactHint): string {
    if (!text) return text;
    let out = text;
    FORMAT_SIGNS.lastIndex = 0;
    if (FORMAT_SIGNS.test(out)) for (const rule of FORMAT_RULES) out = this.apply(rule, out);
    for (const rule of CONTEXT_RULES) out = this.apply(rule, out);
    out = this.assignments(out, hint);
    out = this.apply(ENTROPY_RULE, out);
    if (!this.keep.has('email')) out = this.spans(out, emails(out));
    for (const rule of PII_RULES) out = this.apply(rule, out);
    return out;
  }

  /** The placeholder of `value` as a whole (an author's e-mail field: whatever it holds, it is not kept). */
  mask(kind: RedactionKind, value: string): string {
    return value ? this.placeholder(kind, value) : value;
  }

  /** Total replacements so far. */
  total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  private apply(rule: Rule, text: string): string {
    if (this.keep.has(rule.kind) || (rule.pre && !rule.pre(text))) return text;
    rule.re.lastIndex = 0;
    if (!rule.re.test(text)) return text;
    rule.re.lastIndex = 0;
    return text.replace(rule.re, (...m: unknown[]) => {
      const whole = m[0] as string;
      const groups = m.filter((x) => typeof x === 'number');
      const at = groups[groups.length - 1] as number;
      const value = (rule.group ? (m[rule.group] as string | undefined) : whole) ?? whole;
      if (value.startsWith('<REDACTED_')) return whole;
      const valueAt = rule.group ? at + whole.lastIndexOf(value) : at;
      if (rule.accept && !rule.accept(value, text, valueAt)) return whole;
      const ph = this.placeholder(rule.kind, value);
      return rule.group ? whole.slice(0, whole.lastIndexOf(value)) + ph + whole.slice(whole.lastIndexOf(value) + value.length) : ph;
    });
  }

  private assignments(text: string, hint: RedactHint | undefined): string {
    const spans = [...secretAssignments(text, hint)].map((a) => ({ ...a, kind: (a.kind === 'password' ? 'password' : 'generic_secret') as RedactionKind })).filter((a) => !this.keep.has(a.kind));
    return this.spans(text, spans);
  }

  /** The text with the given ascending, disjoint spans replaced by placeholders of `kind`. */
  private spans(text: string, spans: Iterable<{ start: number; end: number; kind: RedactionKind }>): string {
    let out = '';
    let last = 0;
    for (const a of spans) {
      if (text.startsWith('<REDACTED_', a.start)) continue;
      out += text.slice(last, a.start) + this.placeholder(a.kind, text.slice(a.start, a.end));
      last = a.end;
    }
    return last === 0 ? text : out + text.slice(last);
  }

  private placeholder(kind: RedactionKind, value: string): string {
    this.counts[kind] += 1;
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
