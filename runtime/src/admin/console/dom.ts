/**
 * DOM helpers. Every value from the server goes through text nodes (`textContent`), never through HTML: the page's
 * CSP requires Trusted Types and allows no policy, so the browser refuses any HTML sink anyway.
 */

type Child = Node | string | null | undefined | false;

export interface ElementProps {
  readonly text?: string | number | null | undefined;
  readonly className?: string | undefined;
  readonly dataset?: Readonly<Record<string, string>>;
  readonly onclick?: ((event: MouseEvent) => void) | undefined;
  readonly [attribute: string]: unknown;
}

/** `document.createElement` with attributes, text and children; `undefined`, `null` and `false` values are skipped. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  children: readonly Child[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'className') node.className = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'onclick') node.addEventListener('click', value as EventListener);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

/** The element with this id, typed; a missing element is a bug in the page markup. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The page has no #${id}`);
  return found as T;
}

/** A table cell; a missing value shows as an em dash. */
export const cell = (text: string | number | null | undefined, className?: string): HTMLTableCellElement =>
  el('td', { text: text === null || text === undefined || text === '' ? '—' : text, className });

/** A cell with an identifier in `<code>` and, when known, its human name after it. */
export function idCell(id: string | null | undefined, name?: string | null): HTMLTableCellElement {
  if (!id) return cell(null);
  return el('td', {}, [name ? el('span', { className: 'name', text: name }) : null, el('code', { text: id })]);
}

/** A status pill. */
export const badge = (status: string): HTMLSpanElement => el('span', { className: `badge ${status}`, text: status });

/** Replaces a table body's rows with one row saying why it is empty. */
export function emptyRow(tbody: HTMLTableSectionElement, columns: number, text: string): void {
  tbody.replaceChildren(el('tr', {}, [el('td', { colspan: columns, className: 'empty', text })]));
}

/** Shows a message in the status line (`role="status"`, read out by screen readers). */
export function say(message: string, kind: 'info' | 'error' = 'info'): void {
  const status = byId('status');
  status.textContent = message;
  status.className = kind;
}

export function failed(action: string, error: unknown): void {
  say(`${action} failed: ${error instanceof Error ? error.message : String(error)}`, 'error');
}

/** Asks first (destructive actions), then runs `work`, which resolves to the message to show. */
export async function confirmThen(question: string, action: string, work: () => Promise<string>): Promise<void> {
  if (!window.confirm(question)) return;
  try {
    say(await work());
  } catch (error) {
    failed(action, error);
  }
}

/** A form control by name, typed (the markup in console-page.ts defines them). */
export function field(form: HTMLFormElement, name: string): HTMLInputElement {
  const control = form.elements.namedItem(name);
  if (!(control instanceof HTMLInputElement || control instanceof HTMLSelectElement)) {
    throw new Error(`The form #${form.id} has no field ${name}`);
  }
  return control as HTMLInputElement;
}

/** A row action: a button whose visible text is short and whose accessible name says what it acts on. */
export const actionButton = (text: string, className: string, label: string, onclick: () => void): HTMLButtonElement =>
  el('button', { type: 'button', className, text, 'aria-label': label, onclick });
