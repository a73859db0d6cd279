// An account for console API tests: its Administrator, an Advanced and a Basic user, one
// project; verified unless asked otherwise. Each user comes signed in, with a helper to
// call the console API as them.
import { createAccount, verifyAccount } from '../../src/accounts/accounts.js';
import { createProject } from '../../src/accounts/projects.js';
import { addUser } from '../../src/accounts/users.js';
import type { Role } from '../../src/kernel/roles.js';
import { recordSecret, type TestServer } from './server.js';
import { signIn, type SignedIn } from './session.js';

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  text: string;
}

export interface ConsoleUser {
  email: string;
  password: string;
  session: SignedIn;
  call<T = any>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>>;
}

export interface ConsoleAccount {
  accountId: string;
  projectId: string;
  users: Record<Role, ConsoleUser>;
}

let n = 0;

export async function callApi(server: TestServer, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<ApiAnswer> {
  const res = await fetch(`${server.url}/api${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

export async function consoleAccount(server: TestServer, opts: { verified?: boolean } = {}): Promise<ConsoleAccount> {
  const tag = `${++n}-${Date.now()}`;
  const password = `Sign-in-pass-${tag}`;
  recordSecret(password);
  const emails = { administrator: `admin-${tag}@example.com`, advanced: `advanced-${tag}@example.com`, basic: `basic-${tag}@example.com` };
  const { account } = await createAccount(server.sql, 4, { name: `Account ${tag}`, adminEmail: emails.administrator, adminPassword: password });
  if (opts.verified ?? true) await verifyAccount(server.sql, account.accountId);
  const project = await createProject(server.sql, account.accountId, 'Main');
  for (const role of ['advanced', 'basic'] as const) await addUser(server.sql, 4, account.accountId, { email: emails[role], password, role });
  const users = {} as Record<Role, ConsoleUser>;
  for (const role of ['administrator', 'advanced', 'basic'] as const) {
    const session = await signIn(server, emails[role], password);
    users[role] = {
      email: emails[role],
      password,
      session,
      call: (method, path, body) => callApi(server, method, path, session.headers(), body),
    };
  }
  return { accountId: account.accountId, projectId: project.projectId, users };
}
