import type { DevUser } from './dev-users.js';

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/**
 * The local IdP's sign-in page: type a seeded e-mail address or pick an account. Development only, so there is no
 * password: the page exists to exercise the real redirect flow, not to authenticate anyone.
 */
export function renderLoginPage(input: {
  readonly submitUrl: string;
  readonly users: readonly DevUser[];
  readonly clientId: string;
  readonly error?: string;
}): string {
  const action = escapeHtml(input.submitUrl);
  const accounts = input.users
    .map(
      (user) =>
        `<form method="post" action="${action}"><input type="hidden" name="email" value="${escapeHtml(user.email)}">` +
        `<button type="submit" class="account">${escapeHtml(user.name)} &lt;${escapeHtml(user.email)}&gt; — roles: ${escapeHtml(user.roles.join(', '))}</button></form>`,
    )
    .join('\n');
  const error = input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gatehouse local IdP: sign in</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; color: #222; }
  h1 { font-size: 1.4rem; } .note { color: #666; font-size: .9rem; } .error { color: #b00020; }
  input, button { font: inherit; padding: .5rem; } input[type=email] { width: 100%; box-sizing: border-box; }
  form { margin: .5rem 0; } .account { width: 100%; text-align: left; cursor: pointer; }
</style>
</head>
<body>
<h1>Sign in to the gatehouse development IdP</h1>
<p class="note">Local development identity provider for client <code>${escapeHtml(input.clientId)}</code>. Never used in production.</p>
${error}
<form method="post" action="${action}">
  <label for="email">E-mail</label>
  <input id="email" name="email" type="email" autocomplete="username" required autofocus>
  <p><button type="submit" id="sign-in">Sign in</button></p>
</form>
<h2>Seeded accounts</h2>
${accounts}
</body>
</html>`;
}
