// Passwords in the console, in Chromium: Change password (a wrong current password and a
// mismatch first; the user's other browser is signed out, this one stays), an
// Administrator's Reset password (the temporary password shown once with Copy), and the
// forced change at the next sign-in (nothing else reachable until it is done); at phone
// width too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSecret, startTestServer, type TestServer } from '../helpers/server.js';
import { signIn } from '../helpers/session.js';
import { browserTabs, PHONE, screenshot, signInAs } from './browser.js';
import { seedAccount, type E2eAccount } from './fixtures.js';
import { poll } from './poll.js';

let server: TestServer;
let acme: E2eAccount;

const tab = browserTabs(() => server.url);

const signInStatus = async (email: string, password: string) =>
  (await fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })).status;

beforeAll(async () => {
  server = await startTestServer();
  acme = await seedAccount(server, { name: 'Acme Robotics', domain: 'acme.example', verified: true, projects: ['Production'] });
});

afterAll(() => server?.close());

describe('console passwords', () => {
  it('changes my password: a wrong current one and a mismatch first; my other browser is signed out', async () => {
    const email = acme.emails.advanced;
    const next = `Alan-new-${Date.now()}-pass`;
    recordSecret(next);
    const elsewhere = await tab();
    await signInAs(elsewhere.page, email, acme.password);
    const { page } = await tab();
    await signInAs(page, email, acme.password);
    await page.getByRole('link', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Change password', level: 1 }).waitFor();
    await expect(page.getByText('12 for an Administrator').first().isVisible()).resolves.toBe(true);

    const form = page.getByRole('region', { name: 'Change password' });
    await form.getByLabel('Current password').fill('not my password');
    await form.getByLabel('New password', { exact: true }).fill(next);
    await form.getByLabel('New password again').fill(next);
    await form.getByRole('button', { name: 'Change password' }).click();
    const current = form.getByLabel('Current password');
    await poll(() => current.getAttribute('aria-invalid')).toBe('true');
    await expect(form.locator('.field-error:visible').textContent()).resolves.toMatch(/current password is wrong/);
    await screenshot(page, 'change-password-refused');

    await current.fill(acme.password);
    await form.getByLabel('New password again').fill(`${next}x`);
    await form.getByRole('button', { name: 'Change password' }).click();
    await expect(form.locator('.field-error:visible').textContent()).resolves.toMatch(/not the same/);
    await form.getByLabel('New password again').fill(next);
    await form.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password has been changed.').waitFor();

    expect(await signInStatus(email, acme.password)).toBe(401);
    expect(await signInStatus(email, next)).toBe(200);
    // This browser goes on; the other one is back at sign-in on its next call.
    await page.getByRole('link', { name: 'Access keys' }).click();
    await page.getByRole('region', { name: 'Production' }).waitFor();
    await elsewhere.page.reload();
    await elsewhere.page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('an Administrator resets a password: the temporary one is shown once, and must be changed at the next sign-in', async () => {
    const email = acme.emails.basic;
    const victim = await tab();
    await signInAs(victim.page, email, acme.password);

    const { page } = await tab();
    await signInAs(page, acme.emails.administrator, acme.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'What each role may do' }).waitFor();
    expect(await page.getByRole('button', { name: `Reset password of ${acme.emails.administrator}` }).count()).toBe(0);
    await page.getByRole('button', { name: `Reset password of ${email}` }).click();
    const confirm = page.getByRole('dialog', { name: `Reset the password of ${email}?` });
    await confirm.getByText('signed out everywhere', { exact: false }).waitFor();
    await confirm.getByRole('button', { name: 'Reset password' }).click();
    const shown = page.getByRole('dialog', { name: 'Temporary password' });
    const field = shown.getByLabel('Temporary password', { exact: true });
    await field.waitFor();
    const temporary = await field.inputValue();
    recordSecret(temporary);
    expect(temporary).toMatch(/^[A-Za-z0-9_-]{24}$/);
    await shown.getByText('shown only this once', { exact: false }).waitFor();
    await shown.getByRole('button', { name: 'Copy Temporary password' }).click();
    await poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(temporary);
    await screenshot(page, 'password-reset', { fullPage: false });
    await shown.getByRole('button', { name: 'Ok' }).click();
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    await page.getByRole('row', { name: new RegExp(email) }).getByText('Must change password').waitFor();
    // The one shown is not in the page any longer.
    expect(await page.content()).not.toContain(temporary);

    // The user's open browser is signed out; the old password no longer works.
    await victim.page.reload();
    await victim.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await signInStatus(email, acme.password)).toBe(401);

    // At the next sign-in, only the change: no navigation, and the API refuses the rest.
    await signInAs(victim.page, email, temporary, { goto: false });
    await victim.page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    expect(await victim.page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    const limited = await signIn(server, email, temporary);
    expect((await fetch(`${server.url}/api/projects`, { headers: limited.headers() })).status).toBe(403);
    await victim.page.goto('/console/users');
    await victim.page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await screenshot(victim.page, 'forced-password-change');

    const chosen = `Grace-chosen-${Date.now()}`;
    recordSecret(chosen);
    await victim.page.getByLabel('Current password').fill(temporary);
    await victim.page.getByLabel('New password', { exact: true }).fill(chosen);
    await victim.page.getByLabel('New password again').fill(chosen);
    await victim.page.getByRole('button', { name: 'Save new password' }).click();
    await victim.page.getByRole('navigation', { name: 'Main' }).waitFor();
    // Back where the user asked to go, with the rest of the console.
    await victim.page.getByRole('heading', { name: 'Users', exact: true, level: 1 }).waitFor();
    await victim.page.goto('/console/');
    await victim.page.getByRole('region', { name: 'Production' }).waitFor();
    expect(await signInStatus(email, temporary)).toBe(401);
    expect(await signInStatus(email, chosen)).toBe(200);

    await page.reload();
    await page.getByRole('rowheader', { name: email }).waitFor();
    expect(await page.getByRole('row', { name: new RegExp(email) }).getByText('Must change password').count()).toBe(0);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await page.locator('table.audit').waitFor();
    const actions = await page.locator('table.audit tbody td[data-label="Action"]').allTextContents();
    for (const action of [`Reset the password of ${email}`, 'Changed their password', `Failed sign-in as ${email}`]) expect(actions).toContain(action);
  });

  it('fits the change and the reset on a phone-width screen', async () => {
    const { page } = await tab(PHONE);
    await signInAs(page, acme.emails.administrator, acme.password);
    await page.goto('/console/password');
    await page.getByLabel('Current password').waitFor();
    await poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.goto('/console/users');
    await page.getByRole('heading', { name: 'What each role may do' }).waitFor();
    await page.getByRole('button', { name: `Reset password of ${acme.emails.advanced}` }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });
});
