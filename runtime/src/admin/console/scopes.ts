import { el } from './dom.js';

/** The catalog's roles and scopes, as the page carries them (`<body data-roles data-scopes>`). */
export const ROLES = (document.body.dataset.roles ?? '').split(' ').filter(Boolean);
export const SCOPES = (document.body.dataset.scopes ?? '').split(' ').filter(Boolean);

/**
 * Fills every `fieldset[data-picker]` with a checkbox per grantable scope: product scopes first (catalog order), then
 * the management permissions the user holds (`data-picker-management`). One can only grant what one holds.
 */
export function fillScopePickers(held: ReadonlySet<string>): void {
  const product = SCOPES.filter((s) => held.has(s));
  const management = [...held].filter((p) => !SCOPES.includes(p));
  for (const picker of document.querySelectorAll<HTMLFieldSetElement>('fieldset[data-picker]')) {
    const grantable = picker.dataset.pickerProductOnly === 'true' ? product : [...product, ...management];
    picker.append(
      ...grantable.map((scope) =>
        el('label', { className: 'scope' }, [el('input', { type: 'checkbox', name: 'scopes', value: scope }), scope]),
      ),
    );
  }
}

export const checkedScopes = (form: HTMLFormElement): string[] =>
  [...form.querySelectorAll<HTMLInputElement>('input[name=scopes]:checked')].map((box) => box.value);
