/** Overview of the last build: commits over time, examples per split, token lengths, languages, kinds, skips, redactions. */
import type { OverviewPayload } from './protocol';
import { barChart, columnChart, entries, histogram } from './charts';
import { h, plural } from './dom';
import type { ViewContext, ViewResult } from './view';

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.floor((a.length - 1) / 2)];
}

export function renderOverview(p: OverviewPayload, ctx: ViewContext): ViewResult {
  const commits = p.commitsOverTime.reduce((a, m) => a + m.commits, 0);
  const examples = p.examplesPerSplit.train + p.examplesPerSplit.val + p.examplesPerSplit.test;
  const tokens = p.tokenLengths.reduce((a, b) => a + b, 0);
  const redacted = Object.values(p.redactions).reduce((a, b) => a + b, 0);
  const skipped = Object.values(p.skips).reduce((a, b) => a + b, 0);
  const header = h(
    'header',
    { class: 'view-head' },
    h('h1', null, 'Dataset overview'),
    h('p', { class: 'stats' }, h('span', { class: 'muted' }, p.outDir)),
    h(
      'p',
      { class: 'stats' },
      plural(commits, 'commit'),
      ' · ',
      plural(examples, 'example'),
      ' · ',
      plural(tokens, 'token'),
      ' · median ',
      plural(median(p.tokenLengths), 'token'),
      ' per example · ',
      plural(skipped, 'skipped file'),
      ' · ',
      plural(redacted, 'redaction'),
    ),
    h('div', { class: 'toolbar' }, h('button', { class: 'btn', attrs: { type: 'button' }, onClick: () => ctx.post({ type: 'copy', text: JSON.stringify(p, null, 2) }) }, 'Copy data as JSON')),
  );
  const charts = [
    columnChart(
      'Commits over time',
      p.commitsOverTime.map((m) => ({ label: m.month, value: m.commits })),
      { colour: 'blue', labelHead: 'month', valueHead: 'commits' },
    ),
    columnChart(
      'Examples per split',
      (['train', 'val', 'test'] as const).map((k) => ({ label: k, value: p.examplesPerSplit[k] ?? 0 })),
      { colour: 'green', labelHead: 'split', valueHead: 'examples' },
    ),
    columnChart('Token length per example', histogram(p.tokenLengths), {
      colour: 'purple',
      labelHead: 'tokens',
      valueHead: 'examples',
      note: `${plural(p.tokenLengths.length, 'example')}, context + target`,
    }),
    barChart('Chunks by language', entries(p.languages), { colour: 'orange', labelHead: 'language', valueHead: 'chunks' }),
    barChart('Chunks by kind', entries(p.kinds), { colour: 'blue', labelHead: 'kind', valueHead: 'chunks' }),
    barChart('Skipped files by reason', entries(p.skips), { colour: 'yellow', labelHead: 'reason', valueHead: 'files' }),
    barChart('Redactions by kind', entries(p.redactions), { colour: 'red', labelHead: 'kind', valueHead: 'redactions' }),
  ];
  if (p.duplicates) charts.push(barChart('Duplicates removed', entries(p.duplicates), { colour: 'purple', labelHead: 'kind', valueHead: 'removed' }));
  const grid = h('div', { class: 'charts' }, ...charts);
  const root = h('div', { class: 'view overview-view' }, header, grid);
  return { root, counts: { charts: charts.length, bars: root.querySelectorAll('g.bar').length, commits, examples, tokenLengths: p.tokenLengths.length } };
}
