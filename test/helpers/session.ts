// Signing in to the console API from a test: POST /api/session, then the Cookie and
// X-CSRF-Token headers that later calls need. The password, the cookie token and the
// CSRF token are recorded so that the global setup can prove no log line holds them.
import { recordSecret, type TestServer } from './server.js';

export const SESSION_COOKIE = 'keymint_session';

export interface SignedIn {
  /** "keymint_session=<token>", for a Cookie header. */
  cookie: string;
  /** The token alone. */
  token: string;
  csrfToken: string;
  /** The Session body of the sign-in response. */
  session: { user: { userId: string; email: string; role: string; mustChangePassword: boolean }; account: { accountId: string; name: string }; csrfToken: string };
  /** Cookie and X-CSRF-Token headers (plus `extra`), for any call with this session. */
  headers(extra?: Record<string, string>): Record<string, string>;
}

/** The keymint_session value a response sets, or undefined. */
export function sessionTokenOf(res: Response): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const match = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(line);
    if (match) return match[1];
  }
  return undefined;
}

export async function signIn(server: TestServer, email: string, password: string): Promise<SignedIn> {
  recordSecret(password);
  const res = await fetch(`${server.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${text}`);
  const session = JSON.parse(text) as SignedIn['session'];
  const token = sessionTokenOf(res);
  if (!token) throw new Error('sign-in set no session cookie');
  recordSecret(token);
  recordSecret(session.csrfToken);
  const cookie = `${SESSION_COOKIE}=${token}`;
  return {
    cookie,
    token,
    csrfToken: session.csrfToken,
    session,
    headers: (extra = {}) => ({ cookie, 'x-csrf-token': session.csrfToken, ...extra }),
  };
}
