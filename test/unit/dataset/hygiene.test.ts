import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redactor, PLACEHOLDER_RE } from '../../../src/core/hygiene/redact';
import { cleanMessage, isTrivialMessage } from '../../../src/core/hygiene/message';
import { exactKey, jaccard, minhash, estimateJaccard, nearDedup } from '../../../src/core/examples/dedup';
import { assignSplits } from '../../../src/core/examples/splits';

const AWS = 'AKIAIOSFODNN7EXAMPLE';
const GH = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
const KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7x\nabcdef\n-----END RSA PRIVATE KEY-----';

test('redactor replaces planted secrets with consistent placeholders and counts them by kind', () => {
  const r = new Redactor();
  const text = [
    `let aws = "${AWS}";`,
    `let gh = "${GH}";`,
    KEY,
    'contact: jane.doe@corpmail.io',
    'server = "93.184.216.34"; local = "192.168.1.10"; lo = "127.0.0.1";',
    `again = "${AWS}"`,
    'const api_key = "Zx9Qw3Er7Ty1Ui5Op2As8Df4";',
    'slack xoxb-123456789012-abcdefghijkl',
    'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  ].join('\n');
  const out = r.redact(text);
  for (const secret of [AWS, GH, 'MIIEpAIBAAKCAQEA7x', 'jane.doe@corpmail.io', '93.184.216.34', 'Zx9Qw3Er7Ty1Ui5Op2As8Df4', 'xoxb-123456789012', 'eyJhbGciOiJIUzI1NiJ9']) {
    assert.ok(!out.includes(secret), `leaked ${secret}`);
  }
  assert.ok(out.includes('192.168.1.10') && out.includes('127.0.0.1'), 'private IPs are kept');
  assert.equal(r.counts.aws_key, 2);
  assert.equal(r.counts.github_token, 1);
  assert.equal(r.counts.private_key, 1);
  assert.equal(r.counts.email, 1);
  assert.equal(r.counts.ip_address, 1);
  assert.equal(r.counts.generic_secret, 1);
  assert.equal(r.counts.slack_token, 1);
  assert.equal(r.counts.jwt, 1);
  const awsPh = out.match(/<REDACTED_AWS_KEY_\d+>/g)!;
  assert.equal(awsPh.length, 2);
  assert.equal(awsPh[0], awsPh[1], 'same secret, same placeholder');
  assert.ok(out.includes('const api_key = "<REDACTED_GENERIC_SECRET_1>"'));
  // a second call keeps the numbering of the run
  assert.equal(r.redact(`x ${AWS}`), `x ${awsPh[0]}`);
  assert.equal(r.redact('AKIAABCDEFGHIJKLMNOP'), '<REDACTED_AWS_KEY_2>');
  // placeholders are recognised by PLACEHOLDER_RE and never re-redacted
  assert.equal(r.redact(out), out);
  assert.ok((out.match(PLACEHOLDER_RE) ?? []).length >= 9);
});

test('each kind of secret is found alone in a text (the cheap pre-checks that skip texts never skip one)', () => {
  const cases: Array<[string, string, string]> = [
    ['aws_key', `k=${AWS}`, AWS],
    ['github_token', `token: ${GH}`, GH],
    ['github_token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', 'github_pat_11ABCDEFG0123456789'],
    ['private_key', KEY, 'MIIEpAIBAAKCAQEA7x'],
    ['private_key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA', 'b3BlbnNzaC1rZXktdjEAAAAA'],
    ['slack_token', 'xoxp-1234567890-abcdef', 'xoxp-1234567890-abcdef'],
    ['stripe_key', 'STRIPE = sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['stripe_key', 'pk_test_TYooMQauvdEDq54NiTphI7jx', 'pk_test_TYooMQauvdEDq54NiTphI7jx'],
    ['jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N', 'eyJhbGciOiJIUzI1NiJ9'],
    ['generic_secret', "AUTH_TOKEN: 'Zx9Qw3Er7Ty1Ui5Op2As8Df4'", 'Zx9Qw3Er7Ty1Ui5Op2As8Df4'],
    // a password-named value is a `password` now (any literal of 6+ characters: passwords are often weak)
    ['password', 'DB_Password=`Qw3Er7Ty1Ui5Op2As8Df4Zx9`', 'Qw3Er7Ty1Ui5Op2As8Df4Zx9'],
    ['generic_secret', 'myApiKey  =  "k3y9Zx9Qw3Er7Ty1Ui5Op2As"', 'k3y9Zx9Qw3Er7Ty1Ui5Op2As'],
    ['generic_secret', 'credentials_b64: "YWJjZGVmZ2hpamtsbW5vcDEyMzQ1"', 'YWJjZGVmZ2hpamtsbW5vcDEyMzQ1'],
    ['email', 'a@b.io', 'a@b.io'],
    ['ip_address', '8.8.4.4', '8.8.4.4'],
    ['ip_address', 'connect(\n203.1.113.9)', '203.1.113.9'],
  ];
  for (const [kind, text, secret] of cases) {
    const r = new Redactor();
    const out = r.redact(text);
    assert.ok(!out.includes(secret), `${kind} leaked from ${JSON.stringify(text)}: ${out}`);
    assert.equal(r.counts[kind as keyof typeof r.counts], 1, `${kind} in ${JSON.stringify(text)}`);
  }
});

test('redactor leaves ordinary code alone and honours keep', () => {
  const r = new Redactor({ keep: ['email'] });
  const code = 'fn version() -> &str { "1.2.3" } // 10.0.0.1 0.0.0.0\nlet token = "short";\nlet password = "aaaaaaaaaaaaaaaaaaaa";\n// me@example.com';
  assert.equal(r.redact(code), code);
  assert.equal(r.total(), 0);
});

test('commit messages lose trailers, URLs and issue refs; trivial ones are detected', () => {
  const m = cleanMessage('Fix overflow in parser (#123)', 'See https://github.com/x/y/issues/9 for details.\nCloses #45\n\nSigned-off-by: A <a@b.c>\nCo-authored-by: B <b@c.d>\nChange-Id: I0123');
  assert.equal(m, 'Fix overflow in parser\n\nSee for details.');
  assert.ok(isTrivialMessage(cleanMessage('wip', '')));
  assert.ok(isTrivialMessage(cleanMessage('#12', 'Signed-off-by: x <y@z.w>')));
  assert.ok(!isTrivialMessage(m));
});

test('exact dedup key ignores whitespace only', () => {
  assert.equal(exactKey('fn a() {}', 'fn a() { 1 }'), exactKey('fn a()  {}\n', 'fn a() {\n  1\n}'));
  assert.notEqual(exactKey('fn a() {}', 'fn a() { 1 }'), exactKey('fn a() {}', 'fn a() { 2 }'));
});

test('minhash estimates jaccard of 5-gram shingles', () => {
  const a = Array.from({ length: 400 }, (_, i) => (i * 7919) % 1000);
  const b = a.slice();
  for (let i = 0; i < 40; i++) b[i * 10] = 5000 + i; // ~10% of positions changed
  const c = Array.from({ length: 400 }, (_, i) => 2000 + ((i * 31) % 997));
  const jab = jaccard(a, b);
  assert.ok(Math.abs(estimateJaccard(minhash(a), minhash(b)) - jab) < 0.1, `estimate near ${jab}`);
  assert.ok(estimateJaccard(minhash(a), minhash(c)) < 0.05);
  assert.equal(estimateJaccard(minhash(a), minhash(a.slice())), 1);
});

test('near dedup keeps one within a split and removes val/test copies of train', () => {
  const base = Array.from({ length: 300 }, (_, i) => (i * 13) % 701);
  const near = base.slice();
  near[100] = 9999; // one change: Jaccard ≈ 0.97
  const other = Array.from({ length: 300 }, (_, i) => 3000 + ((i * 17) % 601));
  const other2 = Array.from({ length: 300 }, (_, i) => 8000 + ((i * 19) % 503));
  const { keep, removed } = nearDedup([
    { split: 'train', ids: base },
    { split: 'train', ids: near },
    { split: 'val', ids: other },
    { split: 'val', ids: other.slice() },
    { split: 'test', ids: base.slice() },
    { split: 'test', ids: other2 },
    { split: 'test', ids: other.slice() }, // similar to a val example only: kept
  ]);
  assert.deepEqual(keep, [true, false, true, false, false, true, true]);
  assert.deepEqual(removed, { train: 1, val: 1, test: 1 });
});

test('splits are time ordered, disjoint, 70/15/15 and deterministic', () => {
  const commits = Array.from({ length: 20 }, (_, i) => ({ hash: `c${i}`, time: 1000 + (i % 2 === 0 ? i : i - 1) * 10 }));
  const shuffled = [...commits].reverse();
  const s = assignSplits(commits);
  assert.equal(s.size, 20);
  const counts = { train: 0, val: 0, test: 0 };
  for (const v of s.values()) counts[v]++;
  assert.deepEqual(counts, { train: 14, val: 3, test: 3 });
  const maxTime = (k: string) => Math.max(...commits.filter((c) => s.get(c.hash) === k).map((c) => c.time));
  const minTime = (k: string) => Math.min(...commits.filter((c) => s.get(c.hash) === k).map((c) => c.time));
  assert.ok(maxTime('train') <= minTime('val') && maxTime('val') <= minTime('test'));
  assert.deepEqual([...assignSplits(commits)], [...s]);
  // order of input only breaks ties in time
  const s2 = assignSplits(shuffled);
  for (const c of commits) if (c.time < 1100 || c.time > 1160) assert.equal(s2.get(c.hash), s.get(c.hash));
  const tiny = assignSplits([
    { hash: 'a', time: 1 },
    { hash: 'b', time: 2 },
    { hash: 'c', time: 3 },
  ]);
  assert.deepEqual([...tiny.values()], ['train', 'val', 'test']);
  assert.throws(() => assignSplits(commits, { train: -1, val: 0, test: 0 }), /invalid split ratios/);
});
