/**
 * Tiny DOM builders for the webview pages. Data only ever becomes text nodes or attribute values:
 * there is no innerHTML anywhere, so a commit message like `<img src=x onerror=alert(1)>` stays text.
 * Inline `style` and `on*` attributes are refused (the CSP would block them anyway).
 */
export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  title?: string;
  attrs?: Record<string, string | number | boolean | undefined>;
  onClick?: (ev: MouseEvent) => void;
}

function checkAttr(name: string): void {
  const n = name.toLowerCase();
  if (n === 'style' || n.startsWith('on') || n === 'srcdoc') throw new Error(`refusing attribute ${name}`);
}

function setAttrs(el: Element, attrs: Props['attrs']): void {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === false) continue;
    checkAttr(k);
    el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props?.class) el.className = props.class;
  if (props?.title !== undefined) el.title = props.title;
  setAttrs(el, props?.attrs);
  if (props?.onClick) el.addEventListener('click', props.onClick as EventListener);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Props['attrs'] | null, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs ?? {});
  append(el, children);
  return el;
}

/** A button that posts nothing by itself: the caller wires onClick. */
export function button(label: string, onClick: () => void, opts: { title?: string; pressed?: boolean; class?: string } = {}): HTMLButtonElement {
  return h(
    'button',
    {
      class: opts.class ?? 'btn',
      title: opts.title,
      attrs: { type: 'button', 'aria-pressed': opts.pressed === undefined ? undefined : String(opts.pressed) },
      onClick: () => onClick(),
    },
    label,
  );
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function shortHash(hash: string): string {
  return hash.slice(0, 8);
}
