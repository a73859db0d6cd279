// keymint/verify against jose's jwtVerify, in this process, on Keymint's own tokens: one
// token verified again and again (what a resource API sees from a client that reuses its
// token), and fresh tokens each verified once (every call a signature check). jose gets the
// same issuer, audience, typ and algorithms, and a remote JWK set fetched once beforehand.
// The repeated-token figures are the mean of two alternating runs of half the time each.
import { performance } from 'node:perf_hooks';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { createVerifier, DEFAULT_ALGORITHMS } from '../src/verify/index.js';

export interface VerifyFigures {
  keymintRepeated: number;
  keymintFresh: number;
  joseRepeated: number;
  joseFresh: number;
  freshTokens: number;
}

/** Calls per second of `fn(i)` for i = 0, 1, ... for `seconds`, or until `limit` calls. */
async function rate(seconds: number, fn: (i: number) => Promise<unknown>, limit = Infinity): Promise<number> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let count = 0;
  while (count < limit && performance.now() < end) await fn(count++);
  return count / ((performance.now() - start) / 1000);
}

export async function measureVerify(issuer: string, tokens: string[], seconds: number): Promise<VerifyFigures> {
  const [token, ...fresh] = tokens;
  const options = { issuer, audience: issuer, typ: 'at+jwt', algorithms: [...DEFAULT_ALGORITHMS] };
  const discovery = (await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json()) as { jwks_uri: string };
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  const jose = (t: string) => jwtVerify(t, jwks, options);
  // Warm both (discovery, JWKS, JIT) on tokens that the measured runs do not use.
  const warmVerifier = createVerifier({ issuer, audience: issuer });
  await rate(0.5, (i) => Promise.all([warmVerifier.verify(fresh[i % fresh.length]), jose(fresh[i % fresh.length])]));

  // Alternately, twice each, so that a burst of other work on the machine does not land on one side only.
  const verifier = createVerifier({ issuer, audience: issuer });
  const repeated = { keymint: [] as number[], jose: [] as number[] };
  for (let round = 0; round < 2; round++) {
    repeated.keymint.push(await rate(seconds / 2, () => verifier.verify(token)));
    repeated.jose.push(await rate(seconds / 2, () => jose(token)));
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const [keymintRepeated, joseRepeated] = [mean(repeated.keymint), mean(repeated.jose)];
  const freshVerifier = createVerifier({ issuer, audience: issuer });
  await freshVerifier.verify(token); // discovery and keys, not a measured call
  const half = Math.floor(fresh.length / 2);
  const keymintFresh = await rate(seconds, (i) => freshVerifier.verify(fresh[i]), half);
  const joseFresh = await rate(seconds, (i) => jose(fresh[half + i]), fresh.length - half);
  return { keymintRepeated, keymintFresh, joseRepeated, joseFresh, freshTokens: fresh.length };
}
