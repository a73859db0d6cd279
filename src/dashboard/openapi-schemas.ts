// The schemas of the console API's OpenAPI document (openapi.ts): the bodies /api reads
// and writes, as session-routes.ts, accounts/routes.ts and credentials/routes.ts answer
// them. Every object is closed, so a response with a field not listed here fails the
// tests' response validator (test/console-openapi.test.ts).
import { ref } from '../access-keys/openapi-schemas.js';

const uuid = (description: string) => ({ type: 'string', format: 'uuid', description });
const time = (description: string) => ({ type: 'string', format: 'date-time', description });
const nullable = (schema: object, description: string) => ({ description, anyOf: [schema, { type: 'null' }] });
const closed = (required: string[], properties: Record<string, object>, description?: string) => ({
  type: 'object',
  ...(description ? { description } : {}),
  required,
  additionalProperties: false,
  properties,
});

const ROLES = ['administrator', 'advanced', 'basic'];
const KINDS = ['basic', 'hmac', 'legacy'];
const AUDIT_ACTIONS = [
  'credential.create', 'credential.label_change', 'credential.password_change', 'credential.expiry_change', 'credential.reveal', 'credential.delete',
  'credential.secret_rotate', 'credential.secret_revoke_previous',
  'session.sign_in', 'session.sign_in_failed', 'session.sign_in_failures', 'user.add', 'user.role_change', 'user.remove',
  'user.password_change', 'user.password_reset', 'project.create', 'project.rename', 'project.delete', 'account.verification_request',
  'credential.public_key_add', 'credential.public_key_remove', 'credential.token_settings_change', 'credential.secret_remove',
  'credential.grants_change', 'api.create', 'api.update', 'api.delete',
  'account.usage_settings_change', 'quota.change',
];

const role = { type: 'string', enum: ROLES, description: 'administrator, advanced or basic.' };
const label = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  pattern: '\\S',
  description: 'Unique within the project and kind. Leading and trailing white space is removed; 1 to 100 characters remain, no control characters.',
};
const legacyPassword = {
  type: 'string',
  pattern: '^(?=.*[A-Z])(?=.*[a-z])[A-Za-z0-9]{6,50}$',
  description: '6 to 50 alphanumeric characters, with at least one upper-case and one lower-case letter.',
};
const legacyUsername = {
  type: 'string',
  pattern: '^[A-Za-z0-9._@-]{3,50}$',
  not: { format: 'uuid' },
  description: '3 to 50 letters, digits, ".", "_", "-" or "@"; unique (case-insensitive); not a UUID; cannot be changed.',
};
const mustChangePassword = {
  type: 'boolean',
  description: 'True after an Administrator reset the password, until the user chose a new one (POST /api/session/password).',
};
const signInPassword = { type: 'string', minLength: 1, maxLength: 1024 };
const expireTime = nullable(
  { type: 'string', format: 'date-time' },
  'Optional: when the credential stops working, an RFC 3339 time with a time zone, in the future and at most 10 years ahead; null or left out: never.',
);
const projectName = {
  type: 'string', minLength: 1, maxLength: 200, pattern: '\\S',
  description: 'Unique within the account. Leading and trailing white space is removed; 1 to 200 characters remain, no control characters.',
};
const nextPageToken = { type: 'string', description: 'Token of the next page; empty on the last page.' };

export function consoleSchemas(): Record<string, object> {
  return {
    Account: closed(
      ['accountId', 'name', 'verified', 'verifyTime', 'verificationRequested', 'verificationRequestTime', 'createTime'],
      {
        accountId: uuid('The ID of the account.'),
        name: { type: 'string' },
        verified: { type: 'boolean', description: 'Only verified accounts may create API credentials.' },
        verifyTime: nullable({ type: 'string', format: 'date-time' }, 'When an operator verified the account; null until then.'),
        verificationRequested: { type: 'boolean' },
        verificationRequestTime: nullable({ type: 'string', format: 'date-time' }, 'When an Administrator first requested verification; null until then.'),
        createTime: time('When the account was created.'),
      },
    ),
    SessionUser: closed(['userId', 'email', 'role', 'mustChangePassword'], { userId: uuid('The signed-in user.'), email: { type: 'string' }, role, mustChangePassword }),
    Session: closed(['user', 'account', 'csrfToken'], {
      user: ref('schemas/SessionUser'),
      account: ref('schemas/Account'),
      csrfToken: { type: 'string', minLength: 1, description: 'Send it as X-CSRF-Token on every POST, PATCH, PUT and DELETE made with the cookie.' },
    }),
    SignInInput: closed(['email', 'password'], {
      email: { type: 'string', minLength: 1, maxLength: 254 },
      password: { type: 'string', minLength: 1, maxLength: 1024 },
    }),
    User: closed(['userId', 'email', 'role', 'mustChangePassword', 'createTime', 'updateTime'], {
      userId: uuid('The ID of the user.'),
      email: { type: 'string', format: 'email', description: 'Lower-cased; unique across all accounts.' },
      role,
      mustChangePassword,
      createTime: time('When the user was added.'),
      updateTime: time('When the user last changed.'),
    }),
    ListUsersResponse: closed(['users'], { users: { type: 'array', items: ref('schemas/User') } }),
    NewUserInput: closed(['email', 'password', 'role'], {
      email: { type: 'string', format: 'email', maxLength: 254, description: 'Trimmed and lower-cased; unique across all accounts.' },
      password: { type: 'string', minLength: 8, maxLength: 72, description: 'The sign-in password: at least 8 characters (12 for an Administrator), at most 72 bytes in UTF-8, and not on the list of common leaked passwords.' },
      role,
    }),
    RoleInput: closed(['role'], { role }),
    ChangePasswordInput: closed(['currentPassword', 'newPassword'], {
      currentPassword: { ...signInPassword, description: 'The password the user signed in with (after a reset: the temporary one).' },
      newPassword: { ...signInPassword, description: 'The new sign-in password: the rules of NewUserInput.password; not the current one.' },
    }),
    PasswordResetResponse: closed(['user', 'temporaryPassword', 'notice'], {
      user: ref('schemas/User'),
      temporaryPassword: { type: 'string', minLength: 1, description: 'Shown this once and never again; to be changed at the next sign-in.' },
      notice: { type: 'string', description: 'Says that the password is shown only this once and must be changed.' },
    }),
    ProjectInput: closed(['name'], { name: projectName }),
    DeleteProjectResponse: closed(['deletedCredentials'], {
      deletedCredentials: { type: 'integer', minimum: 0, description: 'How many credentials were deleted with the project (0 unless withCredentials=true).' },
    }),
    Project: closed(['projectId', 'name', 'createTime'], {
      projectId: uuid('The ID of the project.'),
      name: { type: 'string' },
      createTime: time('When the project was created.'),
    }),
    ListProjectsResponse: closed(['projects'], { projects: { type: 'array', items: ref('schemas/Project') } }),
    AuditEvent: closed(['eventId', 'time', 'action', 'actor', 'address', 'projectId', 'credential', 'details'], {
      eventId: uuid('The ID of the event (a UUIDv7: ordered by time).'),
      time: time('When it happened.'),
      action: { type: 'string', enum: AUDIT_ACTIONS },
      actor: closed(['type', 'id', 'name'], {
        type: { type: 'string', enum: ['user', 'access_key', 'anonymous'], description: 'anonymous: a failed sign-in, or a burst of them.' },
        id: nullable({ type: 'string', format: 'uuid' }, 'The user ID or access key ID; null when anonymous.'),
        name: nullable({ type: 'string' }, "The user's e-mail address, when known."),
      }),
      address: nullable({ type: 'string' }, 'The IP address the request came from.'),
      projectId: nullable({ type: 'string', format: 'uuid' }, 'The project concerned, if any.'),
      credential: nullable(
        closed(['credentialId', 'kind', 'label'], {
          credentialId: uuid('The credential concerned.'),
          kind: nullable({ type: 'string', enum: KINDS }, 'Its kind.'),
          label: nullable({ type: 'string' }, 'Its label, or a legacy credential\'s username.'),
        }),
        'The credential concerned, if any.',
      ),
      details: { type: 'object', description: 'What changed (never a secret or password).' },
    }),
    ListAuditEventsResponse: closed(['auditEvents', 'nextPageToken'], {
      auditEvents: { type: 'array', items: ref('schemas/AuditEvent') },
      nextPageToken,
    }),
    Credential: {
      ...closed(['credentialId', 'kind', 'label', 'createTime', 'updateTime'], {
        credentialId: uuid('A handle for the console, not a key value: it authenticates nothing.'),
        kind: { type: 'string', enum: KINDS },
        label: nullable({ type: 'string' }, 'The label of a REST Basic or HMAC credential; null for legacy credentials.'),
        username: { type: 'string', description: "A legacy credential's username; shown to Administrators and access keys only." },
        createTime: time('When it was created.'),
        updateTime: time('When it last changed.'),
        expireTime: time('When it expires; absent when it never does.'),
        lastUseTime: time('When it was last used; absent until its first use. Recorded in batches.'),
        authenticationMethods: {
          type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] },
          description: 'REST Basic credentials only (always there): how the key authenticates at /oauth2/token. client_secret_basic and ' +
            'client_secret_post with its secret, private_key_jwt with public keys or a jwksUri (docs/PRIVATE-KEY-JWT.md).',
        },
      }),
      if: { properties: { kind: { const: 'legacy' } } },
      then: { properties: { label: { type: 'null' } } },
      else: { properties: { label: { type: 'string' }, username: false } },
    },
    ListCredentialsResponse: closed(['credentials', 'nextPageToken'], {
      credentials: { type: 'array', items: ref('schemas/Credential') },
      nextPageToken,
    }),
    CreateCredentialInput: {
      oneOf: [
        closed(['kind', 'label'], { kind: { type: 'string', enum: ['basic', 'hmac'] }, label, expireTime }, 'A REST Basic or HMAC key.'),
        closed(['kind', 'username', 'password'], { kind: { const: 'legacy' }, username: legacyUsername, password: legacyPassword, expireTime }, 'A legacy credential.'),
      ],
    },
    CreateCredentialResponse: {
      oneOf: [
        closed(['credential', 'apiKey', 'apiSecret', 'notice'], {
          credential: ref('schemas/Credential'),
          apiKey: uuid('The API key (Key ID, client_id).'),
          apiSecret: { type: 'string', minLength: 1, description: 'The API secret: shown this once and never again.' },
          notice: { type: 'string', description: 'Says that the secret is shown only this once.' },
        }, 'A REST Basic or HMAC key, with its secret.'),
        closed(['credential'], { credential: ref('schemas/Credential') }, 'A legacy credential.'),
      ],
    },
    UpdateCredentialInput: {
      oneOf: [
        closed(['label'], { label }, 'Renames a REST Basic or HMAC credential.'),
        closed(['password'], { password: legacyPassword }, "Changes a legacy credential's password."),
        closed(['expireTime'], { expireTime }, 'Changes when a credential of any kind expires; null: never.'),
      ],
    },
    RevealResponse: {
      oneOf: [
        closed(['apiKey'], { apiKey: uuid('The API key of a REST Basic or HMAC credential.') }),
        closed(['username'], { username: { type: 'string', description: "A legacy credential's username." } }),
      ],
    },
    DeleteCredentialsInput: closed(['credentialIds'], {
      credentialIds: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', format: 'uuid' } },
    }),
    DeleteCredentialsResponse: closed(['deleted'], { deleted: { type: 'integer', minimum: 1, description: 'How many were deleted.' } }),
    OpenApiDocument: {
      type: 'object',
      description: 'This document.',
      required: ['openapi', 'paths'],
      properties: { openapi: { const: '3.1.0' }, paths: { type: 'object' } },
    },
  };
}
