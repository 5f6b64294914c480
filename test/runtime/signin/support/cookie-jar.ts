/** One cookie as a `Set-Cookie` header defined it (attribute names lower-cased). */
export interface JarCookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
  readonly httpOnly: boolean;
  readonly secure: boolean;
  readonly sameSite: string | undefined;
  /** Seconds, as sent; undefined for a session cookie. */
  readonly maxAge: number | undefined;
}

/** Parses one `Set-Cookie` header value. */
export function parseSetCookie(header: string): JarCookie {
  const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
  const eq = pair.indexOf('=');
  const attrs = new Map<string, string>();
  for (const attribute of attributes) {
    const at = attribute.indexOf('=');
    attrs.set((at === -1 ? attribute : attribute.slice(0, at)).toLowerCase(), at === -1 ? '' : attribute.slice(at + 1));
  }
  const maxAge = attrs.get('max-age');
  return {
    name: pair.slice(0, eq),
    value: decodeURIComponent(pair.slice(eq + 1)),
    path: attrs.get('path') || '/',
    httpOnly: attrs.has('httponly'),
    secure: attrs.has('secure'),
    sameSite: attrs.get('samesite')?.toLowerCase(),
    maxAge: maxAge === undefined ? undefined : Number(maxAge),
  };
}

/** RFC 6265 section 5.1.4 path match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/**
 * A minimal cookie jar for one server (tests keep one jar per origin): stores what `Set-Cookie` says, drops cookies
 * set with Max-Age=0, and sends the cookies whose Path matches the request.
 */
export class CookieJar {
  readonly #cookies = new Map<string, JarCookie>();

  /** Absorbs every `Set-Cookie` of a response; returns the parsed cookies it set (including deletions). */
  store(response: Response): JarCookie[] {
    const set = response.headers.getSetCookie().map(parseSetCookie);
    for (const cookie of set) {
      const key = `${cookie.name};${cookie.path}`;
      if (cookie.maxAge !== undefined && cookie.maxAge <= 0) this.#cookies.delete(key);
      else this.#cookies.set(key, cookie);
    }
    return set;
  }

  /** The `Cookie` header for a request to `path`, or undefined when no cookie applies. */
  header(path: string): string | undefined {
    const applicable = [...this.#cookies.values()].filter((c) => pathMatches(path, c.path));
    return applicable.length === 0
      ? undefined
      : applicable.map((c) => `${c.name}=${encodeURIComponent(c.value)}`).join('; ');
  }

  get(name: string): JarCookie | undefined {
    return [...this.#cookies.values()].find((c) => c.name === name);
  }

  set(cookie: Pick<JarCookie, 'name' | 'value'> & Partial<JarCookie>): void {
    const full: JarCookie = {
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      maxAge: undefined,
      ...cookie,
    };
    this.#cookies.set(`${full.name};${full.path}`, full);
  }

  delete(name: string): void {
    for (const [key, cookie] of this.#cookies) if (cookie.name === name) this.#cookies.delete(key);
  }

  /** A copy, so a test can replay what a browser held at one moment. */
  clone(): CookieJar {
    const copy = new CookieJar();
    for (const cookie of this.#cookies.values()) copy.set(cookie);
    return copy;
  }
}
