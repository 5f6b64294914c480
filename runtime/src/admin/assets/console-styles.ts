/** The console's styles, served as /admin/assets/admin.css (a TypeScript string: the bundle carries it, no copy). */
export const CONSOLE_STYLES = `:root {
  --ink: #1d2430;
  --muted: #5b6675;
  --line: #d9dee5;
  --panel: #f6f8fa;
  --accent: #1f5fbf;
  --danger: #b3261e;
  --ok: #1e7a3c;
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--ink);
}
* {
  box-sizing: border-box;
}
body {
  margin: 0;
  font-size: 14px;
  background: #fff;
}
.topbar {
  display: flex;
  align-items: center;
  gap: 1.5rem;
  padding: 0.6rem 1.5rem;
  background: #16202e;
  color: #fff;
}
.topbar h1 {
  margin: 0;
  font-size: 1.1rem;
}
.topbar nav {
  display: flex;
  gap: 1rem;
  flex: 1;
}
.topbar nav a {
  color: #cfe0ff;
  text-decoration: none;
}
.topbar nav a:hover {
  text-decoration: underline;
}
#whoami {
  color: #cfd6e0;
}
main {
  padding: 0 1.5rem 3rem;
  max-width: 80rem;
}
section {
  margin-top: 1.5rem;
  padding-top: 0.5rem;
  border-top: 1px solid var(--line);
}
h2 {
  font-size: 1.2rem;
}
h3 {
  font-size: 1rem;
  margin: 0 0 0.5rem;
  width: 100%;
}
#status {
  margin: 0;
  padding: 0.5rem 1.5rem;
  min-height: 2.2rem;
}
#status.error {
  background: #fdecea;
  color: var(--danger);
}
#status.info {
  background: #eef4fd;
}
#status:empty {
  background: none;
}
table {
  width: 100%;
  border-collapse: collapse;
  margin-top: 0.75rem;
}
th,
td {
  text-align: left;
  padding: 0.35rem 0.5rem;
  border-bottom: 1px solid var(--line);
  vertical-align: top;
}
th {
  background: var(--panel);
  font-weight: 600;
}
td.empty {
  color: var(--muted);
  font-style: italic;
}
tr.failure td {
  color: var(--danger);
}
code {
  font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
  font-size: 0.9em;
}
button,
input,
select {
  font: inherit;
  padding: 0.3rem 0.5rem;
}
button {
  cursor: pointer;
  border: 1px solid var(--line);
  border-radius: 4px;
  background: #fff;
}
button[type="submit"] {
  background: var(--accent);
  border-color: var(--accent);
  color: #fff;
}
button.danger {
  color: var(--danger);
  border-color: var(--danger);
}
.topbar button {
  background: transparent;
  color: #fff;
  border-color: #5d6b80;
}
td.role select {
  margin-right: 0.4rem;
}
td.actions button {
  margin-right: 0.3rem;
}
.toolbar {
  display: flex;
  gap: 0.5rem;
  align-items: center;
}
.toolbar input[type="search"] {
  width: 20rem;
}
form.create {
  display: flex;
  flex-wrap: wrap;
  gap: 0.5rem 1rem;
  align-items: flex-end;
  padding: 0.75rem;
  background: var(--panel);
  border: 1px solid var(--line);
  border-radius: 6px;
}
form.create label {
  display: flex;
  flex-direction: column;
  gap: 0.2rem;
  color: var(--muted);
}
fieldset.scopes {
  border: 1px solid var(--line);
  border-radius: 4px;
  display: flex;
  flex-wrap: wrap;
  gap: 0.25rem 0.75rem;
  margin: 0;
}
form.create label.scope {
  flex-direction: row;
  align-items: center;
  color: var(--ink);
}
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
  gap: 0.5rem;
  align-items: center;
  margin: 0.3rem 0;
}
.secret-label {
  min-width: 7rem;
  color: var(--muted);
}
.secret-value {
  padding: 0.2rem 0.4rem;
  background: #fff;
  border: 1px solid var(--line);
  user-select: all;
  word-break: break-all;
}
.note {
  color: var(--muted);
}
.badge {
  padding: 0.1rem 0.45rem;
  border-radius: 999px;
  font-size: 0.85em;
  background: var(--panel);
  border: 1px solid var(--line);
}
.badge.active {
  color: var(--ok);
  border-color: var(--ok);
}
.badge.rotating {
  color: #8a5a00;
  border-color: #8a5a00;
}
.badge.revoked,
.badge.expired {
  color: var(--danger);
  border-color: var(--danger);
}
.notice {
  max-width: 40rem;
  margin: 3rem auto;
  padding: 0 1.5rem;
}
.error {
  color: var(--danger);
}
`;
