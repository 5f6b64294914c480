/** Shortest password a local account may have, in characters. */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest, in characters: argon2 accepts more, but nobody types more and the login body stays small. */
export const MAX_PASSWORD_LENGTH = 256;

/** A local part this short (`a@example.com`) is refused only as the whole password, not inside one. */
const MIN_CONTAINED_LOCAL_PART = 3;

/**
 * Why `password` may not be the password of the account `email`, or an empty list. The rules: at least
 * `MIN_PASSWORD_LENGTH` characters, at most `MAX_PASSWORD_LENGTH`, and neither the e-mail address nor its local part
 * (before the `@`, when it has at least 3 characters) anywhere in it, ignoring case.
 */
export function passwordProblems(password: string, email: string): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) {
    problems.push(`the password must be at least ${MIN_PASSWORD_LENGTH} characters long (it has ${length})`);
  }
  if (length > MAX_PASSWORD_LENGTH) {
    problems.push(`the password must be at most ${MAX_PASSWORD_LENGTH} characters long (it has ${length})`);
  }
  const lower = password.toLowerCase();
  const address = email.toLowerCase();
  const localPart = address.split('@', 1)[0] ?? '';
  if (lower.includes(address)) {
    problems.push('the password must not contain the e-mail address');
  } else if (lower === localPart || (localPart.length >= MIN_CONTAINED_LOCAL_PART && lower.includes(localPart))) {
    problems.push(`the password must not contain the e-mail's name part ("${localPart}")`);
  }
  return problems;
}
