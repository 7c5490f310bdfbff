import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import ts from 'typescript';
import { createChunker, ELISION_PATTERN, ELLIPSIS, LANGUAGES } from '../../../src/core/chunk';
import { loadLanguages, newParser } from '../../../src/core/chunk/parser';
import { matchesWithPlaceholders } from '../../../src/core/dataset/verify';
import { FixtureRepo } from '../../fixtures/repo';
import { chunkHistory } from './helpers';

const repos: FixtureRepo[] = [];
after(() => repos.forEach((r) => r.dispose()));

/** A function whose body is the language's collapse marker. */
const COLLAPSED: Record<string, (m: string) => string> = {
  rust: (m) => `fn f() ${m}\n`,
  typescript: (m) => `function f() ${m}\n`,
  tsx: (m) => `function f() ${m}\n`,
  javascript: (m) => `function f() ${m}\n`,
  python: (m) => `def f():\n    ${m}\n`,
  go: (m) => `package p\n\nfunc f() ${m}\n`,
};

describe('collapse markers', () => {
  it('one per language, made of U+2026, matched whole by ELISION_PATTERN', () => {
    const whole = new RegExp(`^(?:${ELISION_PATTERN})$`);
    for (const l of LANGUAGES) {
      assert.ok(l.collapse.includes(ELLIPSIS), l.id);
      assert.ok(whole.test(l.collapse), l.id);
      assert.ok(whole.test(ELLIPSIS) && whole.test(`  ${ELLIPSIS}`));
    }
  });

  it('cannot occur in the language’s code: a body made of the marker does not parse', async () => {
    const chunker = await createChunker();
    try {
      for (const l of LANGUAGES) {
        const code = COLLAPSED[l.id](l.collapse);
        const fine = COLLAPSED[l.id](l.id === 'python' ? 'pass' : '{}');
        assert.ok(chunker.units(fine, l.id).length > 0, l.id);
        assert.ok(await hasError(l.id, code), `${l.id}: ${JSON.stringify(code)} parses without error`);
        assert.ok(!(await hasError(l.id, fine)), `${l.id}: ${JSON.stringify(fine)}`);
      }
      // U+2026 is punctuation (Po): no identifier character of any of the languages (Unicode ID_Start/ID_Continue, Go's letters)
      assert.ok(!/[\p{ID_Start}\p{ID_Continue}\p{L}\p{N}]/u.test(ELLIPSIS));
    } finally {
      chunker.dispose();
    }
  });

  it('split Python classes pass verify, and Python’s own `...` is not a wildcard', async () => {
    const repo = FixtureRepo.create('cc-markers-');
    repos.push(repo);
    const methods = (v: number) =>
      Array.from({ length: 12 }, (_, i) => `    def m${i}(self, x):\n        """Method ${i}."""\n        return x + ${i === 3 ? v : i} * ${'1 + '.repeat(20)}1\n`).join('\n');
    repo.write('big.py', `class Big:\n    """A big class."""\n\n${methods(1)}`);
    repo.commit('v1');
    const blob = `class Big:\n    """A big class."""\n\n${methods(2)}`;
    repo.write('big.py', blob);
    const h2 = repo.commit('v2');
    const run = await chunkHistory(repo, { maxChunkChars: 600 });
    try {
      const big = run.chunks.get(h2)!.find((c) => c.qualifiedName === 'Big')!;
      assert.ok(big && big.split, JSON.stringify(run.chunks.get(h2)!.map((c) => c.qualifiedName)));
      assert.ok(big.newCode.includes(ELLIPSIS) && !big.newCode.includes('...'), big.newCode);
      assert.ok(matchesWithPlaceholders(big.newCode, blob), big.newCode);
    } finally {
      run.chunker.dispose();
    }
    assert.ok(!matchesWithPlaceholders('def f():\n    ...\n', 'def f():\n    return 1\n'));
  });
});

/**
 * Does `code` fail to parse? TS/JS by the TypeScript compiler's own parser (tree-sitter's JavaScript grammars
 * accept any non-ASCII character in identifiers, U+2026 included); the others by their tree-sitter grammar.
 */
async function hasError(language: string, code: string): Promise<boolean> {
  if (language === 'typescript' || language === 'tsx' || language === 'javascript') {
    const kind = language === 'tsx' ? ts.ScriptKind.TSX : language === 'javascript' ? ts.ScriptKind.JS : ts.ScriptKind.TS;
    const sf = ts.createSourceFile(`probe.${language === 'tsx' ? 'tsx' : language === 'javascript' ? 'js' : 'ts'}`, code, ts.ScriptTarget.Latest, true, kind);
    return (sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length > 0;
  }
  const lang = (await loadLanguages()).get(language)!;
  const p = newParser();
  p.setLanguage(lang.language);
  const t = p.parse(code)!;
  try {
    return t.rootNode.hasError;
  } finally {
    t.delete();
    p.delete();
  }
}
