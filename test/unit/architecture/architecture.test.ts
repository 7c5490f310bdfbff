/**
 * The rules of the source tree's shape, checked on its import graph: no import cycles (type-only ones included),
 * the engine never imports its shells, the CLI and the editor's worker never import the extension host's code.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { cycles, importGraph, SRC } from './graph';

const graph = importGraph();
const rel = (f: string) => path.relative(SRC, f);

test('the graph sees the tree (the checks below would pass on an empty one)', () => {
  assert.ok(graph.size > 100, `only ${graph.size} source files found`);
  const pipeline = graph.get(path.join(SRC, 'core/pipeline.ts'))!.map(rel);
  assert.ok(pipeline.includes('core/pipeline/options.ts'), pipeline.join(', '));
});

test('no import cycles in src/', () => {
  assert.deepEqual(cycles(graph), []);
  // the detector finds a cycle when there is one
  const a = path.join(SRC, 'a.ts');
  const b = path.join(SRC, 'b.ts');
  assert.deepEqual(
    cycles(
      new Map([
        [a, [b]],
        [b, [a]],
      ]),
    ),
    [['a.ts', 'b.ts']],
  );
});

test('src/core imports no shell; src/cli and src/worker import no extension code', () => {
  const bad: string[] = [];
  for (const [f, deps] of graph) {
    const from = rel(f);
    for (const d of deps.map(rel)) {
      if (from.startsWith('core/') && !d.startsWith('core/')) bad.push(`${from} → ${d}`);
      if ((from.startsWith('cli/') || from.startsWith('worker/')) && d.startsWith('extension/')) bad.push(`${from} → ${d}`);
    }
  }
  assert.deepEqual(bad, []);
});
