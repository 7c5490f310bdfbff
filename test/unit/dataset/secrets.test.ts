/** The redactor on the planted secrets (every form must go) and on look-alikes (each must stay as it is). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PLACEHOLDER_RE, Redactor } from '../../../src/core/hygiene/redact';
import { NOT_SECRETS, SECRET_CASES } from '../../fixtures/secrets';

test(`every planted form is redacted (${SECRET_CASES.length} forms), the code around it kept`, () => {
  assert.ok(SECRET_CASES.length >= 25);
  const missed: string[] = [];
  for (const c of SECRET_CASES) {
    const r = new Redactor();
    const out = r.redact(c.text, 'file' in c.where ? { path: c.where.file } : undefined);
    if (out.includes(c.secret)) missed.push(`${c.form}: ${JSON.stringify(out)}`);
    else {
      assert.ok(r.total() >= 1, c.form);
      assert.ok(new RegExp(PLACEHOLDER_RE.source).test(out), `${c.form}: a placeholder stands in its place`);
      // the rest of the text survives: how it starts and how it ends
      const at = c.text.indexOf(c.secret);
      if (at >= 6) assert.ok(out.startsWith(c.text.slice(0, 6)), `${c.form}: ${JSON.stringify(out)}`);
      if (at + c.secret.length + 3 <= c.text.length) assert.ok(out.endsWith(c.text.slice(-3)), `${c.form}: ${JSON.stringify(out)}`);
    }
  }
  assert.deepEqual(missed, []);
});

test(`look-alikes are left alone (${NOT_SECRETS.length} forms)`, () => {
  const touched: string[] = [];
  for (const n of NOT_SECRETS) {
    const r = new Redactor();
    const out = r.redact(n.text, n.path ? { path: n.path } : undefined);
    if (out !== n.text) touched.push(`${n.form}: ${out}`);
  }
  assert.deepEqual(touched, []);
});

test('hostile 1 MB inputs are redacted in linear time', () => {
  const hostile = [
    'a'.repeat(1 << 20),
    '='.repeat(1 << 20),
    '"'.repeat(1 << 20),
    'password='.repeat(1 << 17),
    'token: "'.repeat(1 << 17),
    `${'x'.repeat(100)}@`.repeat(1 << 13),
    '1.2.3.'.repeat(1 << 17),
    `"${'A1b2'.repeat(200)}`.repeat(1 << 10),
    'https://a:'.repeat(1 << 17),
    'Authorization: Bearer '.repeat(1 << 15),
  ];
  for (const h of hostile) {
    const t0 = performance.now();
    new Redactor().redact(h, { path: 'config.yaml' });
    new Redactor().redact(h);
    const ms = performance.now() - t0;
    assert.ok(ms < 5000, `${JSON.stringify(h.slice(0, 20))}…: ${Math.round(ms)} ms`);
  }
});
