// Sign-in enumeration: does POST /api/session tell an unknown e-mail from a known one
// with a wrong password? Both are tried in a shuffled order, one at a time, on a Keymint
// whose sign-in lock-out is out of reach; statuses, bodies and medians are compared. The
// user is created at the server's bcrypt cost, so a wrong password costs what the dummy
// comparison of an unknown e-mail costs.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createAccount } from '../../src/accounts/accounts.js';
import { generateSecret } from '../../src/kernel/secrets.js';
import { timedRequest, type Timed } from '../load.js';
import { halvesSpread, shuffle, summarize, type Summary } from './stats.js';

export interface SignInCase {
  name: string;
  summary: Summary;
  halves: number;
  statuses: string;
}

export interface SignInFigures {
  tries: number;
  cases: SignInCase[];
  identicalAnswers: boolean;
  answer: string;
}

export async function measureSignIn(url: string, databaseUrl: string, bcryptCost: number, tries: number): Promise<SignInFigures> {
  const email = `timing.${randomUUID().slice(0, 8)}@example.com`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    await createAccount(pool, bcryptCost, { name: 'Sign-in timing', adminEmail: email, adminPassword: generateSecret() });
  } finally {
    await pool.end();
  }
  const attempt = (who: string) =>
    timedRequest('POST', `${url}/api/session`, { 'content-type': 'application/json' }, JSON.stringify({ email: who, password: `wrong-${randomUUID()}` }));
  const cases: Array<[string, () => Promise<Timed>]> = [
    ['unknown email', () => attempt(`nobody.${randomUUID().slice(0, 8)}@example.com`)],
    ['wrong password', () => attempt(email)],
  ];
  for (const [, run] of cases) for (let i = 0; i < 5; i++) await run(); // warm-up
  const results = cases.map((): Timed[] => []);
  for (const c of shuffle(cases.flatMap((_, ci) => Array.from({ length: tries }, () => ci)))) results[c].push(await cases[c][1]());
  const answers = new Set(results.flat().map((r) => `${r.status} ${r.body}`));
  return {
    tries,
    cases: cases.map(([name], ci) => {
      const ms = results[ci].map((r) => r.ms);
      const statuses = [...new Set(results[ci].map((r) => r.status))].join(', ');
      return { name, summary: summarize(ms), halves: halvesSpread(ms), statuses };
    }),
    identicalAnswers: answers.size === 1,
    answer: [...answers][0] ?? '',
  };
}

const ms = (v: number) => `${v.toFixed(2)} ms`;

export function signInFigures(f: SignInFigures): string {
  const [ref] = f.cases;
  return [
    '### Sign-in to the console',
    '',
    `POST /api/session, ${f.tries} tries of each case in a shuffled order, one at a time, the lock-out out of reach. The user's`,
    'password hash has the server\'s bcrypt cost; an unknown e-mail is compared with a dummy hash of the same cost.',
    '',
    '| Case | Tries | Status | Median | p90 | p99 | Median − unknown email | Halves |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...f.cases.map((c) =>
      `| ${c.name} | ${c.summary.count} | ${c.statuses} | ${ms(c.summary.median)} | ${ms(c.summary.p90)} | ${ms(c.summary.p99)} | ${c === ref ? '—' : `${(c.summary.median - ref.summary.median).toFixed(2)} ms`} | ${ms(c.halves)} |`,
    ),
    '',
    `- Status and body identical across the cases: ${f.identicalAnswers ? `yes: ${f.answer.replace(/^(\d+) /, '$1 `')}\`` : '**no**'}`,
    '',
  ].join('\n');
}

export const signInFailures = (f: SignInFigures) => (f.identicalAnswers ? [] : ['sign-in: an unknown email and a wrong password answer differently']);
