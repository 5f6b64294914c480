import { byId, el, say } from './dom.js';

/**
 * Shows a secret once, with a Copy button per value, until the user dismisses it. The server never returns it again.
 */
export function showSecret(
  containerId: string,
  title: string,
  entries: ReadonlyArray<readonly [label: string, value: string]>,
  note?: string,
): void {
  const box = byId(containerId);
  const lines = entries.map(([label, value]) =>
    el('div', { className: 'secret-line' }, [
      el('span', { className: 'secret-label', text: label }),
      el('code', { className: 'secret-value', text: value }),
      el('button', {
        type: 'button',
        text: 'Copy',
        'aria-label': `Copy ${label}`,
        onclick: () => {
          navigator.clipboard.writeText(value).then(
            () => say(`${label} copied`),
            () => say(`Copying failed: select the ${label} and copy it by hand.`, 'error'),
          );
        },
      }),
    ]),
  );
  box.replaceChildren(
    el('p', { className: 'secret-title', text: title }),
    el('p', { text: 'Copy it now: it is shown only this once and cannot be retrieved later.' }),
    ...lines,
    note ? el('p', { className: 'note', text: note }) : '',
    el('button', {
      type: 'button',
      className: 'dismiss',
      text: 'I have stored it',
      onclick: () => {
        box.replaceChildren();
        box.hidden = true;
      },
    }),
  );
  box.hidden = false;
  box.querySelector<HTMLButtonElement>('.secret-line button')?.focus();
}
