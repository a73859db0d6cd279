// Accounts for the console's end-to-end tests, made through src/accounts on the test
// server's database: an Administrator, an Advanced and a Basic user, named projects.
import { randomUUID } from 'node:crypto';
import { createAccount, verifyAccount } from '../../src/accounts/accounts.js';
import { createProject, type Project } from '../../src/accounts/projects.js';
import { addUser } from '../../src/accounts/users.js';
import { recordSecret, type TestServer } from '../helpers/server.js';

export interface E2eAccount {
  accountId: string;
  projects: Project[];
  password: string;
  emails: { administrator: string; advanced: string; basic: string };
}

export async function seedAccount(
  server: TestServer,
  opts: { name: string; domain: string; verified: boolean; projects: string[] },
): Promise<E2eAccount> {
  const password = `Console-${randomUUID()}`;
  recordSecret(password);
  const emails = {
    administrator: `ada@${opts.domain}`,
    advanced: `alan@${opts.domain}`,
    basic: `grace@${opts.domain}`,
  };
  const cost = server.config.bcryptCost;
  const { account } = await createAccount(server.sql, cost, { name: opts.name, adminEmail: emails.administrator, adminPassword: password });
  if (opts.verified) await verifyAccount(server.sql, account.accountId);
  const projects: Project[] = [];
  for (const name of opts.projects) projects.push(await createProject(server.sql, account.accountId, name));
  await addUser(server.sql, cost, account.accountId, { email: emails.advanced, password, role: 'advanced' });
  await addUser(server.sql, cost, account.accountId, { email: emails.basic, password, role: 'basic' });
  return { accountId: account.accountId, projects, password, emails };
}
