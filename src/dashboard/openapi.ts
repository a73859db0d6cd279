// The OpenAPI 3.1 description of the console API (docs/CONSOLE-API.md), served without
// authentication at GET /api/openapi.json. The tests hold real responses to it
// (test/console-openapi.test.ts), so it says what the routes answer, not what they might.
import { ERROR_STATUSES, errorResponse, json, ref, retryAfter, schemas as v1Schemas } from '../access-keys/openapi-schemas.js';
import { consoleSchemas } from './openapi-schemas.js';
import { withUsageConsole } from '../usage/openapi.js';
import { withApisConsole } from '../apis/openapi.js';
import { withRotationConsole } from '../access-keys/openapi-rotation.js';
import { withPublicKeysConsole } from './openapi-public-keys.js';

type Security = Record<string, string[]>[];

// Who may call: a session cookie (with the CSRF header when the call changes something), or an access key.
const SESSION: Security = [{ sessionCookie: [] }];
const SESSION_CSRF: Security = [{ sessionCookie: [], csrfToken: [] }];
const KEYS: Security = [{ basicAuth: [] }, { bearerAuth: [] }, { hmacAuth: [] }];

// Every call can meet these: a malformed request (400), another Origin (403), a database outage (503).
const ANY = ['400', '403', '503'];
// Behind consoleAuth: no credentials (401), too many failed key attempts (429).
const AUTHED = [...ANY, '401', '429'];
const WITH_BODY = ['413', '415'];

interface Operation {
  id: string;
  summary: string;
  description?: string;
  security: Security;
  parameters?: string[];
  body?: string;
  ok: { status: string; description: string; schema?: string; headers?: Record<string, object> };
  errors: string[];
}

function operation(o: Operation): object {
  const responses: Record<string, object> = {
    [o.ok.status]: {
      description: o.ok.description,
      ...(o.ok.headers ? { headers: o.ok.headers } : {}),
      ...(o.ok.schema ? { content: json(ref(`schemas/${o.ok.schema}`)) } : {}),
    },
  };
  for (const status of [...new Set(o.errors)].sort()) responses[status] = ref(`responses/${status}`);
  return {
    operationId: o.id,
    summary: o.summary,
    ...(o.description ? { description: o.description } : {}),
    security: o.security,
    ...(o.parameters ? { parameters: o.parameters.map((p) => ref(`parameters/${p}`)) } : {}),
    ...(o.body ? { requestBody: { required: true, content: json(ref(`schemas/${o.body}`)) } } : {}),
    responses,
  };
}

const ADMIN = 'Administrators only: any other role, and an access key, get 403.';
const param = (name: string, where: 'path' | 'query', schema: object, description: string) => ({
  name, in: where, required: where === 'path', description, schema,
});
const pageSize = (max: number, fallback: number) =>
  param('pageSize', 'query', { type: 'integer', minimum: 1, maximum: max, default: fallback }, `How many to return, 1 to ${max}.`);

export function buildConsoleOpenApi(issuer: string): object {
  const credentials = '/api/projects/{projectId}/credentials';
  const security = { read: [...SESSION, ...KEYS], write: [...SESSION_CSRF, ...KEYS] };
  const doc = withPublicKeysConsole(withRotationConsole(withUsageConsole(buildDocument(issuer, credentials), security), security), security);
  return withApisConsole(doc, { read: SESSION, write: SESSION_CSRF, keys: KEYS });
}

function buildDocument(issuer: string, credentials: string): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Keymint Console API',
      version: '1.0.0',
      description:
        "The API behind the dashboard: sign-in and passwords, the account, its users and audit log, its projects and their credentials. " +
        'A signed-in user calls it with the session cookie (and X-CSRF-Token on state-changing calls); an access key ' +
        'may manage the credentials of its own project. Errors: {"error": {"code", "message", "status"}}.',
    },
    servers: [{ url: issuer }],
    security: [...SESSION_CSRF, ...KEYS],
    paths: {
      '/api/openapi.json': {
        get: operation({ id: 'getConsoleOpenApi', summary: 'This document', security: [{}], ok: { status: '200', description: 'OK', schema: 'OpenApiDocument' }, errors: ANY }),
      },
      '/api/session': {
        post: operation({
          id: 'signIn', summary: 'Sign in', security: [{}], body: 'SignInInput',
          description: 'A wrong email and a wrong password get the same 401. Repeated failures lock sign-in for a while (429).',
          ok: { status: '200', description: 'Signed in; the session cookie is set.', schema: 'Session', headers: { 'Set-Cookie': { description: 'keymint_session=…; HttpOnly; SameSite=Strict; Path=/', schema: { type: 'string' } } } },
          errors: [...ANY, ...WITH_BODY, '401', '429'],
        }),
        get: operation({ id: 'getSession', summary: 'Who am I', security: SESSION, ok: { status: '200', description: 'OK', schema: 'Session' }, errors: [...ANY, '401'] }),
        delete: operation({
          id: 'signOut', summary: 'Sign out', security: [...SESSION_CSRF, {}],
          description: 'Ends the session and clears the cookie; without a live session it only clears the cookie.',
          ok: { status: '204', description: 'Signed out.' }, errors: ANY,
        }),
      },
      '/api/session/password': {
        post: operation({
          id: 'changePassword', summary: 'Change my password', security: SESSION_CSRF, body: 'ChangePasswordInput',
          description: 'The current password, then the new one. Every other session of the user ends; this one stays. A wrong current ' +
            'password is a 403 and counts as a failed sign-in (429 while locked). Also how a temporary password from a reset is replaced. Audited.',
          ok: { status: '200', description: 'Changed.', schema: 'Session' }, errors: [...ANY, ...WITH_BODY, '401', '412', '429'],
        }),
      },
      '/api/account': {
        get: operation({ id: 'getAccount', summary: 'The account', security: SESSION, description: 'For signed-in users; an access key gets 403.', ok: { status: '200', description: 'OK', schema: 'Account' }, errors: [...AUTHED, '404'] }),
      },
      '/api/account/verification-request': {
        post: operation({ id: 'requestVerification', summary: 'Request verification', description: `Idempotent. ${ADMIN}`, security: SESSION_CSRF, ok: { status: '200', description: 'OK', schema: 'Account' }, errors: [...AUTHED, '404'] }),
      },
      '/api/account/users': {
        get: operation({ id: 'listUsers', summary: 'List users', description: ADMIN, security: SESSION, ok: { status: '200', description: 'OK', schema: 'ListUsersResponse' }, errors: [...AUTHED, '404'] }),
        post: operation({ id: 'addUser', summary: 'Add a user', description: ADMIN, security: SESSION_CSRF, body: 'NewUserInput', ok: { status: '201', description: 'Added.', schema: 'User' }, errors: [...AUTHED, ...WITH_BODY, '404', '409'] }),
      },
      '/api/account/users/{userId}': {
        parameters: [ref('parameters/userId')],
        patch: operation({
          id: 'changeUserRole', summary: "Change a user's role", description: `Demoting the last Administrator: 412. ${ADMIN}`,
          security: SESSION_CSRF, body: 'RoleInput', ok: { status: '200', description: 'OK', schema: 'User' }, errors: [...AUTHED, ...WITH_BODY, '404', '412'],
        }),
        delete: operation({
          id: 'removeUser', summary: 'Remove a user', description: `Removing the last Administrator: 412. ${ADMIN}`,
          security: SESSION_CSRF, ok: { status: '204', description: 'Removed.' }, errors: [...AUTHED, '404', '412'],
        }),
      },
      '/api/account/users/{userId}/password-reset': {
        parameters: [ref('parameters/userId')],
        post: operation({
          id: 'resetUserPassword', summary: "Reset a user's password",
          description: 'A temporary password, shown once; the user must change it at the next sign-in, and until then their session may ' +
            `only change it. Every session of theirs ends. Not for yourself (400: use Change my password). Audited. ${ADMIN}`,
          security: SESSION_CSRF, ok: { status: '200', description: 'Reset.', schema: 'PasswordResetResponse' }, errors: [...AUTHED, '404'],
        }),
      },
      '/api/account/audit-events': {
        get: operation({
          id: 'listAuditEvents', summary: 'The audit log', description: `Newest first. ${ADMIN}`, security: SESSION,
          parameters: ['auditPageSize', 'pageToken'], ok: { status: '200', description: 'OK', schema: 'ListAuditEventsResponse' }, errors: [...AUTHED, '404'],
        }),
      },
      '/api/projects': {
        get: operation({ id: 'listProjects', summary: 'List projects', description: 'For signed-in users; an access key gets 403.', security: SESSION, ok: { status: '200', description: 'OK', schema: 'ListProjectsResponse' }, errors: [...AUTHED, '404'] }),
        post: operation({
          id: 'createProject', summary: 'Create a project', description: `Audited. ${ADMIN}`, security: SESSION_CSRF, body: 'ProjectInput',
          ok: { status: '201', description: 'Created.', schema: 'Project' }, errors: [...AUTHED, ...WITH_BODY, '404', '409'],
        }),
      },
      '/api/projects/{projectId}': {
        parameters: [ref('parameters/projectId')],
        patch: operation({
          id: 'renameProject', summary: 'Rename a project', description: `Audited. ${ADMIN}`, security: SESSION_CSRF, body: 'ProjectInput',
          ok: { status: '200', description: 'OK', schema: 'Project' }, errors: [...AUTHED, ...WITH_BODY, '404', '409'],
        }),
        delete: operation({
          id: 'deleteProject', summary: 'Delete a project',
          description: 'While the project has credentials: 412 naming how many, and nothing is deleted. With withCredentials=true its ' +
            'credentials are deleted with it, in one transaction, each audited and dropped by every instance at once. ' + ADMIN,
          security: SESSION_CSRF, parameters: ['withCredentials'],
          ok: { status: '200', description: 'Deleted.', schema: 'DeleteProjectResponse' }, errors: [...AUTHED, '404', '412'],
        }),
      },
      [credentials]: {
        parameters: [ref('parameters/projectId')],
        get: operation({
          id: 'listCredentials', summary: 'List credentials', description: 'Oldest first. Any role, or an access key of the project.',
          security: [...SESSION, ...KEYS], parameters: ['kind', 'pageSize', 'pageToken'],
          ok: { status: '200', description: 'OK', schema: 'ListCredentialsResponse' }, errors: [...AUTHED, '404'],
        }),
        post: operation({
          id: 'createCredential', summary: 'Create a credential',
          description: 'Only on verified accounts (else 412). The secret of a REST Basic or HMAC key is in this answer only. ' +
            'Administrators, or an access key of the project; other roles get 403.',
          security: [...SESSION_CSRF, ...KEYS], body: 'CreateCredentialInput',
          ok: { status: '201', description: 'Created.', schema: 'CreateCredentialResponse' }, errors: [...AUTHED, ...WITH_BODY, '404', '409', '412'],
        }),
      },
      [`${credentials}/{credentialId}`]: {
        parameters: [ref('parameters/projectId'), ref('parameters/credentialId')],
        patch: operation({
          id: 'updateCredential', summary: 'Rename, change a legacy password, or change the expiry',
          description: '{"label"} for REST Basic and HMAC, {"password"} for legacy (the other one is a 400), {"expireTime"} (or null: never) for any kind. One of the three. Audited.',
          security: [...SESSION_CSRF, ...KEYS], body: 'UpdateCredentialInput',
          ok: { status: '200', description: 'OK', schema: 'Credential' }, errors: [...AUTHED, ...WITH_BODY, '404', '409'],
        }),
      },
      [`${credentials}/{credentialId}/reveal`]: {
        parameters: [ref('parameters/projectId'), ref('parameters/credentialId')],
        post: operation({
          id: 'revealCredential', summary: 'Reveal the API key or username', description: 'Audited. Never a secret or password.',
          security: [...SESSION_CSRF, ...KEYS], ok: { status: '200', description: 'OK', schema: 'RevealResponse' }, errors: [...AUTHED, '404'],
        }),
      },
      [`${credentials}/delete`]: {
        parameters: [ref('parameters/projectId')],
        post: operation({
          id: 'deleteCredentials', summary: 'Delete selected credentials', description: 'All or none: an ID not in the project is a 404 naming it, and nothing is deleted.',
          security: [...SESSION_CSRF, ...KEYS], body: 'DeleteCredentialsInput',
          ok: { status: '200', description: 'Deleted.', schema: 'DeleteCredentialsResponse' }, errors: [...AUTHED, ...WITH_BODY, '404'],
        }),
      },
    },
    components: {
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'keymint_session', description: 'Set by POST /api/session: HttpOnly, SameSite=Strict.' },
        csrfToken: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token', description: 'The csrfToken of the Session; required with the cookie on POST, PATCH, PUT and DELETE.' },
        basicAuth: { type: 'http', scheme: 'basic', description: 'A REST Basic key: API key as user name, API secret as password.' },
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from POST /oauth2/token.' },
        hmacAuth: {
          type: 'http', scheme: 'hmac',
          description: 'A request signed with a REST HMAC key: Authorization: hmac username="<apiKey>", algorithm="hmac-sha256", ' +
            'headers="date x-Content-MD5 request-line", signature="…" (rules in docs/CONSOLE-API.md).',
        },
      },
      parameters: {
        projectId: param('projectId', 'path', { type: 'string', format: 'uuid' }, 'A project of the account (GET /api/projects).'),
        credentialId: param('credentialId', 'path', { type: 'string', format: 'uuid' }, 'A credentialId from the list.'),
        userId: param('userId', 'path', { type: 'string', format: 'uuid' }, 'A userId from GET /api/account/users.'),
        withCredentials: param('withCredentials', 'query', { type: 'string', enum: ['true', 'false'], default: 'false' }, 'true: delete the project\'s credentials with it.'),
        kind: param('kind', 'query', { type: 'string', enum: ['basic', 'hmac', 'legacy', ''] }, 'Only credentials of this kind; empty or left out: every kind.'),
        pageSize: pageSize(1000, 100),
        auditPageSize: pageSize(500, 50),
        pageToken: param('pageToken', 'query', { type: 'string', maxLength: 512 }, 'The nextPageToken of an earlier response.'),
      },
      responses: {
        '400': errorResponse('INVALID_ARGUMENT: a parameter or the request body is malformed or breaks a rule; the message says which.'),
        '401': errorResponse('UNAUTHENTICATED: not signed in (or the session ended), a wrong email or password, or a wrong access key.', {
          'WWW-Authenticate': { description: 'Session realm="keymint" for the session, or the key schemes.', schema: { type: 'string' } },
        }),
        '403': errorResponse('PERMISSION_DENIED: the role (or an access key) may not do this, another project, a missing or wrong X-CSRF-Token, another Origin, a wrong current password, or a session that must change its password first.'),
        '404': errorResponse('NOT_FOUND: no such project, credential or user in the account.'),
        '409': errorResponse('ALREADY_EXISTS: the label, legacy username, e-mail address or project name is taken.'),
        '412': errorResponse('FAILED_PRECONDITION: the account is not verified, the change would leave it without an Administrator, the project still has credentials, or the password changed meanwhile.'),
        '413': errorResponse('INVALID_ARGUMENT: the request body is larger than 64 KiB.'),
        '415': errorResponse('INVALID_ARGUMENT: the request body is not UTF-8 JSON (application/json).'),
        '429': errorResponse('RESOURCE_EXHAUSTED: too many failed attempts; try again later.', retryAfter),
        '503': errorResponse('UNAVAILABLE: the service is temporarily unavailable.', retryAfter),
      },
      schemas: { ...consoleSchemas(), Error: v1Schemas(ERROR_STATUSES).Error },
    },
  };
}
