import { el } from './dom.js';

/** The address of the audit view showing the events about `target` (an id): `#audit?target=<id>`. */
const auditLinkFor = (target: string): string => `#audit?${new URLSearchParams({ target })}`;

/** A row's "Audit" link to the events about `target`; `what` names it for screen readers ("the API key deploy"). */
export const auditLink = (target: string, what: string): HTMLAnchorElement =>
  el('a', {
    href: auditLinkFor(target),
    className: 'audit-link',
    text: 'Audit',
    'aria-label': `Audit events of ${what}`,
  });
