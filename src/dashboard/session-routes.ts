// HTTP shape of the session calls (docs/CONSOLE-API.md, "Session"): sign in, who am I,
// change my password, sign out. Rules live in sign-in.ts, sessions.ts and
// password-change.ts; the cookie in session-cookie.ts. These run before consoleAuth, so a
// session limited to the password change (after a reset) reaches them.
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import { ApiError } from '../kernel/api-error.js';
import { cookieSession, notSignedIn } from './console-auth.js';
import { clearSessionCookie, setSessionCookie } from './session-cookie.js';
import type { PasswordChanges } from './password-change.js';
import type { Sessions } from './sessions.js';
import type { Authenticator } from '../auth/authenticate.js';
import type { SignIn } from './sign-in.js';
import { bodyError, parseBody } from '../kernel/request-input.js';

const field = (name: string, max: number) =>
  z
    .string({ error: (i) => (i.input === undefined ? `${name} is required` : `${name} must be a string`) })
    .min(1, `${name} must not be empty`)
    .max(max, `${name} must be at most ${max} characters`);

const signInBody = z
  .object({ email: field('email', 254), password: field('password', 1024) }, { error: 'The request body must be a JSON object' })
  .strict();

const passwordBody = z
  .object({ currentPassword: field('currentPassword', 1024), newPassword: field('newPassword', 1024) }, bodyError)
  .strict();

function parseSignIn(req: Request): z.output<typeof signInBody> {
  // express.json leaves req.body undefined unless it read a JSON body; req.is is null when there was no body at all.
  if (req.body === undefined) {
    if (req.is('application/json') === null) throw ApiError.invalidArgument('The request body is missing: send {"email", "password"} as JSON.');
    throw ApiError.unsupportedMediaType('The request body must be JSON, sent with Content-Type: application/json.');
  }
  const parsed = signInBody.safeParse(req.body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue.code === 'unrecognized_keys') throw ApiError.invalidArgument(`Unknown field(s) in the request body: ${issue.keys.join(', ')}. Only email and password are accepted.`);
  throw ApiError.invalidArgument(issue.message);
}

export function sessionRouter(deps: { config: Config; sessions: Sessions; callers: Pick<Authenticator, 'session'>; signIn: SignIn; passwords: PasswordChanges }): Router {
  const { config, sessions, callers, signIn, passwords } = deps;
  const router = Router();

  router.post('/session', async (req, res) => {
    const { email, password } = parseSignIn(req);
    const { token, context } = await signIn.signIn(email, password, req.ip, () => req.socket.destroyed);
    const body = await sessions.describe(context);
    setSessionCookie(req, res, config, token, sessions.ttlSeconds);
    res.json(body);
  });

  router.get('/session', async (req, res) => {
    const session = await cookieSession(req, res, callers);
    if (!session) throw notSignedIn();
    res.json(await sessions.describe(session));
  });

  router.post('/session/password', async (req, res) => {
    const session = await cookieSession(req, res, callers);
    if (!session) throw notSignedIn();
    const body = parseBody(req, passwordBody, 'currentPassword and newPassword are');
    const changed = await passwords.change(session, body.currentPassword, body.newPassword, req.ip);
    res.json(await sessions.describe(changed));
  });

  // Signing out twice, or with a session that already ended, is not an error: the cookie is cleared all the same.
  router.delete('/session', async (req, res) => {
    const session = await cookieSession(req, res, callers);
    if (session) await sessions.end(session);
    clearSessionCookie(req, res, config);
    res.status(204).end();
  });

  return router;
}
