/** Cross-file context view: old and new code side by side, then each context item with why and at what cost. */
import type { ContextItem, LineRange } from '../core/types';
import { BRACE_COLLAPSE, PYTHON_COLLAPSE } from '../core/chunk/languages';
import { whyWords, type ContextViewPayload } from './protocol';
import { button, h, plural, shortHash } from './dom';
import type { ViewContext, ViewResult } from './view';

function codeBlock(code: string, range: LineRange | null, label: string): HTMLElement {
  const pre = h('div', { class: 'code', attrs: { role: 'region', 'aria-label': label, tabindex: 0 } });
  if (code === '') {
    pre.appendChild(h('div', { class: 'empty-note' }, 'nothing on this side'));
    return pre;
  }
  const first = range?.start ?? 1;
  code.split('\n').forEach((line, i) => {
    pre.appendChild(h('div', { class: 'line' }, h('span', { class: 'ln', attrs: { 'aria-hidden': 'true' } }, String(first + i)), h('span', { class: 'src' }, line)));
  });
  return pre;
}

function rangeText(r: LineRange | null): string {
  if (!r) return '';
  return r.start === r.end ? `line ${r.start}` : `lines ${r.start}–${r.end}`;
}

function fileLink(ctx: ViewContext, label: string, msg: { path: string; commit: string; line?: number; search?: string }, title: string): HTMLElement {
  return h(
    'a',
    {
      class: 'file-link',
      title,
      attrs: { href: '#', role: 'link', 'data-path': msg.path },
      onClick: (ev) => {
        ev.preventDefault();
        ctx.post({ type: 'openFile', ...msg });
      },
    },
    label,
  );
}

function contextCard(ctx: ViewContext, item: ContextItem, cost: number | undefined, commit: string, index: number): HTMLElement {
  const tokens = cost ?? item.tokens;
  return h(
    'article',
    { class: 'ctx-item', attrs: { 'data-kind': item.kind, 'aria-label': `context item ${index + 1}: ${item.kind} ${item.symbol}` } },
    h(
      'div',
      { class: 'ctx-head' },
      h('span', { class: 'rank', title: 'Rank within the context budget: the items are kept in this order' }, `#${index + 1}`),
      h('span', { class: `badge kind kind-${item.kind}` }, item.kind),
      h('strong', { class: 'symbol' }, item.symbol),
      h('span', { class: 'tokens' }, tokens === undefined ? 'tokens unknown' : plural(tokens, 'token')),
    ),
    h(
      'div',
      { class: 'ctx-meta' },
      fileLink(ctx, `${item.path} @ ${shortHash(commit)}`, { path: item.path, commit, search: item.code }, `Open ${item.path} at commit ${shortHash(commit)}`),
      h('span', { class: 'reason' }, `why: ${whyWords(item)}`),
      item.collapsed ? h('span', { class: 'badge', title: `Long bodies were collapsed to ${BRACE_COLLAPSE} (Python: ${PYTHON_COLLAPSE})` }, 'collapsed') : null,
    ),
    h('pre', { class: 'snippet' }, item.code),
  );
}

export function renderContext(p: ContextViewPayload, ctx: ViewContext): ViewResult {
  const c = p.chunk;
  const date = p.commit.date ? p.commit.date.slice(0, 10) : '';
  const total = p.contextTokens.reduce((a, b) => a + b, 0);
  const header = h(
    'header',
    { class: 'view-head' },
    h('h1', null, h('span', { class: `badge kind kind-${c.kind}` }, c.kind), ' ', c.qualifiedName),
    h(
      'p',
      { class: 'stats' },
      c.oldPath && c.oldPath !== c.path ? `${c.oldPath} → ` : '',
      fileLink(ctx, c.path, { path: c.path, commit: c.commit, line: c.newRange?.start }, `Open ${c.path} at commit ${shortHash(c.commit)}`),
      ' · ',
      h('span', { class: `badge change change-${c.change}` }, c.change),
      c.language ? ` · ${c.language}` : '',
      c.split ? ' · part of a split unit' : '',
    ),
    h(
      'p',
      { class: 'commit-line' },
      h('code', { title: p.commit.hash }, shortHash(p.commit.hash)),
      ' ',
      h('span', { class: 'subject' }, p.commit.subject || '(no message)'),
      h('span', { class: 'muted' }, ` — ${p.commit.author}${date ? `, ${date}` : ''}`),
    ),
    h(
      'div',
      { class: 'toolbar' },
      button('Copy chunk as JSON', () => ctx.post({ type: 'copy', text: JSON.stringify(c, null, 2) })),
    ),
  );

  const sides = h(
    'div',
    { class: 'sides' },
    h(
      'section',
      { class: 'side old' },
      h('h2', null, 'Before', h('span', { class: 'muted' }, ` ${rangeText(c.oldRange)} · ${plural(p.oldTokens, 'token')}`)),
      codeBlock(c.oldCode, c.oldRange, 'old code'),
    ),
    h(
      'section',
      { class: 'side new' },
      h('h2', null, 'After', h('span', { class: 'muted' }, ` ${rangeText(c.newRange)} · ${plural(p.newTokens, 'token')}`)),
      codeBlock(c.newCode, c.newRange, 'new code'),
    ),
  );

  const list = h('div', { class: 'ctx-list' });
  c.context.forEach((item, i) => list.appendChild(contextCard(ctx, item, p.contextTokens[i], c.commit, i)));
  if (c.context.length === 0) list.appendChild(h('p', { class: 'empty-note' }, 'No cross-file context for this chunk.'));
  const ctxSection = h('section', { class: 'ctx' }, h('h2', null, `Cross-file context — ${plural(c.context.length, 'item')}, ${plural(total, 'token')}`), list);

  const root = h('div', { class: 'view context-view' }, header, sides, ctxSection);
  return {
    root,
    counts: {
      contextItems: c.context.length,
      links: root.querySelectorAll('a.file-link').length,
      contextTokens: total,
      oldLines: c.oldCode ? c.oldCode.split('\n').length : 0,
      newLines: c.newCode ? c.newCode.split('\n').length : 0,
    },
  };
}
