/**
 * Browser entry of the three webview panels (bundled into dist/webview.js as an iife).
 * The host sends `show`/`update` with a payload; the page renders it with DOM nodes only (never
 * innerHTML), saves { view, payload, whitespace } with setState so a reload restores it, and
 * answers `rendered` with what it drew.
 */
import { parsePageState, TEXT_REPORT_LIMIT, type AnyPayload, type HostMessage, type PageMessage, type PageState, type ViewKind, VIEW_KINDS } from './protocol';
import { h } from './dom';
import { renderTokens } from './tokens';
import { renderContext } from './context';
import { renderOverview } from './overview';
import type { ViewContext, ViewResult } from './view';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
const app = document.getElementById('app') ?? document.body;
let state: PageState | undefined = parsePageState(api.getState());
let seq: number | undefined;

function post(msg: PageMessage): void {
  api.postMessage(msg);
}

const RENDERERS: { [K in ViewKind]: (p: never, ctx: ViewContext) => ViewResult } = {
  tokens: renderTokens,
  context: renderContext,
  overview: renderOverview,
};

function render(s: PageState): void {
  const scroll = { x: window.scrollX, y: window.scrollY };
  const ctx: ViewContext = {
    whitespace: s.whitespace,
    setWhitespace: (show) => {
      if (!state) return;
      state = { ...state, whitespace: show };
      api.setState(state);
      post({ type: 'toggleWhitespace', show });
      render(state);
    },
    post,
  };
  let result: ViewResult;
  try {
    result = RENDERERS[s.view](s.payload as never, ctx);
  } catch (err) {
    const message = `Could not render the ${s.view} view: ${err instanceof Error ? err.message : String(err)}`;
    app.replaceChildren(h('p', { class: 'error' }, message));
    post({ type: 'error', message });
    return;
  }
  app.replaceChildren(result.root);
  window.scrollTo(scroll.x, scroll.y);
  document.body.dataset.view = s.view;
  post({
    type: 'rendered',
    view: s.view,
    counts: result.counts,
    text: (result.root.textContent ?? '').slice(0, TEXT_REPORT_LIMIT),
    foreignElements: app.querySelectorAll('img, script, iframe, object, embed, link, meta, style').length,
    whitespace: s.whitespace,
    seq,
  });
}

function show(view: ViewKind, payload: AnyPayload, keepWhitespace: boolean): void {
  state = { view, payload, whitespace: keepWhitespace ? (state?.whitespace ?? false) : false };
  api.setState(state);
  render(state);
}

window.addEventListener('message', (ev: MessageEvent) => {
  const msg = ev.data as HostMessage;
  if (typeof msg !== 'object' || msg === null) return;
  switch (msg.type) {
    case 'show':
    case 'update':
      if (!VIEW_KINDS.includes(msg.view) || typeof msg.payload !== 'object' || msg.payload === null) {
        post({ type: 'error', message: `malformed ${msg.type} message` });
        return;
      }
      seq = typeof msg.seq === 'number' ? msg.seq : undefined;
      show(msg.view, msg.payload, msg.type === 'update' || state?.view === msg.view);
      break;
    case 'setWhitespace':
      if (state) {
        state = { ...state, whitespace: msg.show === true };
        api.setState(state);
        render(state);
      }
      break;
  }
});

post({ type: 'ready', restored: state?.view });
if (state) render(state);
else app.replaceChildren(h('p', { class: 'muted loading' }, 'Loading…'));
