/** The console's styles, served as /admin/assets/admin.css (a TypeScript string: the bundle carries it, no copy). */
export const CONSOLE_STYLES = `:root {
  --ink: #1d2430;
  --muted: #566170;
  --line: #d9dee5;
  --panel: #f6f8fa;
  --accent: #1f5fbf;
  --danger: #b3261e;
  --ok: #1e7a3c;
  --warn: #8a5a00;
  --focus: #f0a202;
  --bar: #16202e;
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--ink);
}
* {
  box-sizing: border-box;
}
body {
  margin: 0;
  font-size: 14px;
  line-height: 1.4;
  background: #fff;
  overflow-wrap: anywhere;
}
:focus-visible {
  outline: 3px solid var(--focus);
  outline-offset: 2px;
}
.visually-hidden {
  position: absolute;
  width: 1px;
  height: 1px;
  overflow: hidden;
  clip-path: inset(50%);
  white-space: nowrap;
}
.skip-link {
  position: absolute;
  left: 0.5rem;
  top: -3rem;
  padding: 0.4rem 0.8rem;
  background: #fff;
  color: var(--accent);
  z-index: 10;
}
.skip-link:focus {
  top: 0.5rem;
}

/* ---- header: wraps on narrow screens and keeps its dark background behind everything in it ---- */
.topbar {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 0.5rem 1rem;
  padding: 0.6rem 1.5rem;
  background: var(--bar);
  color: #fff;
}
.brand {
  margin: 0;
  font-size: 1.1rem;
  font-weight: 600;
}
.topbar nav {
  flex: 1 1 auto;
  min-width: 0;
}
.topbar nav ul {
  display: flex;
  flex-wrap: wrap;
  gap: 0.25rem 0.15rem;
  margin: 0;
  padding: 0;
  list-style: none;
}
.topbar nav a {
  display: inline-block;
  padding: 0.25rem 0.45rem;
  border-radius: 4px;
  color: #cfe0ff;
  text-decoration: none;
}
.topbar nav a:hover {
  text-decoration: underline;
}
.topbar nav a[aria-current="page"] {
  background: #2c3d57;
  color: #fff;
  font-weight: 600;
}
.topbar :focus-visible {
  outline-color: var(--focus);
}
.account {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 0.5rem 0.75rem;
  min-width: 0;
}
#whoami {
  color: #cfd6e0;
}
.topbar button {
  background: transparent;
  color: #fff;
  border-color: #7d8ba0;
}

/* ---- status line: a band only when it says something ---- */
#status {
  margin: 0;
  padding: 0.5rem 1.5rem;
}
#status:empty {
  padding: 0;
}
#status.error {
  background: #fdecea;
  color: var(--danger);
}
#status.info {
  background: #eef4fd;
}

main {
  padding: 0 1.5rem 3rem;
  max-width: 80rem;
}
main:focus {
  outline: none;
}
h2 {
  font-size: 1.25rem;
  margin: 1.25rem 0 0.75rem;
}
h2:focus,
h3:focus {
  outline: none;
}
h3 {
  font-size: 1rem;
  margin: 0 0 0.5rem;
  width: 100%;
}
a {
  color: var(--accent);
}
.hint {
  color: var(--muted);
  margin: 0.25rem 0 0.75rem;
}

/* ---- tables scroll inside their own container ---- */
.table-wrap {
  /* positioned, so that what is positioned inside (the visually hidden column names) scrolls with the table */
  position: relative;
  max-width: 100%;
  overflow-x: auto;
  margin-top: 0.75rem;
  border: 1px solid var(--line);
  border-radius: 6px;
}
table {
  width: 100%;
  border-collapse: collapse;
}
th,
td {
  text-align: left;
  padding: 0.4rem 0.6rem;
  border-bottom: 1px solid var(--line);
  vertical-align: top;
  overflow-wrap: normal;
}
th {
  background: var(--panel);
  font-weight: 600;
  white-space: nowrap;
}
tbody tr:last-child td {
  border-bottom: none;
}
td.empty {
  color: var(--muted);
  font-style: italic;
}
tr.failure td {
  color: var(--danger);
}
td .name {
  display: block;
}
td .name + code {
  color: var(--muted);
}
code {
  font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
  font-size: 0.9em;
}
ul.secrets {
  margin: 0;
  padding: 0;
  list-style: none;
}
ul.secrets li + li {
  margin-top: 0.25rem;
}

/* ---- controls ---- */
button,
input,
select {
  font: inherit;
  padding: 0.3rem 0.5rem;
  max-width: 100%;
}
input,
select {
  border: 1px solid #9aa5b4;
  border-radius: 4px;
}
button {
  cursor: pointer;
  border: 1px solid #9aa5b4;
  border-radius: 4px;
  background: #fff;
  color: var(--ink);
}
button[type="submit"] {
  background: var(--accent);
  border-color: var(--accent);
  color: #fff;
}
button.danger {
  color: var(--danger);
  border-color: var(--danger);
  background: #fff;
}
button:disabled {
  cursor: not-allowed;
  opacity: 0.6;
}
td.role select {
  margin: 0 0.4rem 0.25rem 0;
}
td.actions {
  white-space: nowrap;
}
td.actions button,
td.actions a {
  margin-right: 0.4rem;
}
.toolbar {
  display: flex;
  flex-wrap: wrap;
  gap: 0.5rem;
  align-items: center;
  margin: 0.75rem 0 0;
}
.toolbar label.check {
  display: flex;
  gap: 0.4rem;
  align-items: flex-start;
}
.toolbar input[type="search"] {
  flex: 1 1 12rem;
  max-width: 20rem;
  min-width: 0;
}
form.create,
form.filters {
  display: flex;
  flex-wrap: wrap;
  gap: 0.5rem 1rem;
  align-items: flex-end;
  padding: 0.75rem;
  background: var(--panel);
  border: 1px solid var(--line);
  border-radius: 6px;
}
form.create label,
form.filters label {
  display: flex;
  flex-direction: column;
  gap: 0.2rem;
  color: var(--muted);
  min-width: 0;
  max-width: 100%;
}
form.create .hint {
  width: 100%;
  margin: 0;
}
form.filters .buttons {
  display: flex;
  flex-wrap: wrap;
  gap: 0.5rem;
}
fieldset.scopes {
  border: 1px solid var(--line);
  border-radius: 4px;
  display: flex;
  flex-wrap: wrap;
  gap: 0.25rem 0.75rem;
  margin: 0;
  min-width: 0;
  max-width: 100%;
}
form.create label.scope {
  flex-direction: row;
  align-items: center;
  gap: 0.3rem;
  color: var(--ink);
}

/* ---- once-shown secrets ---- */
.secret {
  margin-top: 0.75rem;
  padding: 0.75rem;
  border: 2px solid var(--ok);
  border-radius: 6px;
  background: #eefaf1;
}
.secret p {
  margin: 0 0 0.4rem;
}
.secret-title {
  font-weight: 600;
}
.secret-line {
  display: flex;
  flex-wrap: wrap;
  gap: 0.5rem;
  align-items: center;
  margin: 0.3rem 0;
}
.secret-label {
  min-width: 7rem;
  color: var(--muted);
}
.secret-value {
  flex: 1 1 14rem;
  min-width: 0;
  padding: 0.2rem 0.4rem;
  background: #fff;
  border: 1px solid var(--line);
  user-select: all;
  word-break: break-all;
}
.note {
  color: var(--muted);
}

/* ---- status pills ---- */
.badge {
  display: inline-block;
  padding: 0.1rem 0.45rem;
  border-radius: 999px;
  font-size: 0.85em;
  background: var(--panel);
  border: 1px solid var(--line);
  white-space: nowrap;
}
.badge.active,
.badge.success {
  color: var(--ok);
  border-color: var(--ok);
}
.badge.rotating,
.badge.retiring,
.badge.pending {
  color: var(--warn);
  border-color: var(--warn);
}
.badge.revoked,
.badge.expired,
.badge.failure,
.badge.disabled {
  color: var(--danger);
  border-color: var(--danger);
}

/* ---- notices (403, sign-in not configured, signed out) ---- */
.notice {
  max-width: 40rem;
  margin: 3rem auto;
  padding: 0 1.5rem;
}
.notice .actions {
  display: flex;
  flex-wrap: wrap;
  gap: 0.75rem;
  align-items: center;
}
.error {
  color: var(--danger);
}

@media (max-width: 40rem) {
  .topbar {
    padding: 0.5rem 0.75rem;
    gap: 0.4rem 0.75rem;
  }
  .topbar nav {
    flex-basis: 100%;
    order: 3;
  }
  #status {
    padding-left: 0.75rem;
    padding-right: 0.75rem;
  }
  #status:empty {
    padding: 0;
  }
  main {
    padding: 0 0.75rem 2rem;
  }
  .notice {
    margin: 1.5rem auto;
    padding: 0 0.75rem;
  }
  form.create label,
  form.filters label {
    flex: 1 1 100%;
  }
}
`;
