// HTTP shape of a key's public keys and token settings (Keymint extensions to the v1 API,
// documented in openapi-public-keys.ts): parse and validate, call the service, shape the output.
//   GET|POST /v1/projects/{p}/accessKeys/{k}/publicKeys       list; add {jwk} or {jwks}
//   DELETE   /v1/projects/{p}/accessKeys/{k}/publicKeys/{id}  remove (id: the RFC 7638 thumbprint)
//   GET|PATCH /v1/projects/{p}/accessKeys/{k}/tokenSettings   {dpopRequired, jwksUri}
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ApiError } from '../kernel/api-error.js';
import { bodyError, parseBody } from '../kernel/request-input.js';
import { isUuid } from '../kernel/ids.js';
import type { KeyActor } from '../kernel/actor.js';
import { checkPublicJwk, checkPublicJwks, MAX_JWKS_BYTES, type PublicKeyInput } from './public-key-input.js';
import type { PublicKeysService, TokenSettings } from './public-keys-service.js';

const addBody = z.object({ jwk: z.unknown().optional(), jwks: z.unknown().optional() }, bodyError).strict();
const settingsBody = z
  .object({
    dpopRequired: z.boolean({ error: 'dpopRequired must be true or false.' }).optional(),
    jwksUri: z.string({ error: 'jwksUri must be an https URL or null.' }).nullable().optional(),
  }, bodyError)
  .strict();

/** An https URL without credentials or fragment, at most 2048 characters (the Keymint instances fetch it). */
export function checkJwksUri(raw: string): string {
  const url = raw.length <= 2048 ? URL.parse(raw) : null;
  if (!url || url.protocol !== 'https:') throw ApiError.invalidArgument('jwksUri must be an https URL (at most 2048 characters): Keymint fetches public keys over TLS only.');
  if (url.username || url.password || url.hash) throw ApiError.invalidArgument('jwksUri must not carry credentials or a fragment.');
  return url.href;
}

/** The public keys of a POST body, {jwk} or {jwks}, checked (also for the console's route, src/dashboard). */
export async function parseAddPublicKeys(req: Request): Promise<PublicKeyInput[]> {
  const keys = await publicKeysOf(parseBody(req, addBody, 'jwk (one public key) or jwks (a key set) is'));
  if (!keys) throw ApiError.invalidArgument('Send exactly one of jwk (one public JWK) and jwks (a JWK Set).');
  return keys;
}

/** The keys of a body's jwk (one public JWK) or jwks (a JWK Set), checked; undefined when it has neither (also a v1 create's). */
export async function publicKeysOf(body: { jwk?: unknown; jwks?: unknown }): Promise<PublicKeyInput[] | undefined> {
  if (body.jwk !== undefined && body.jwks !== undefined) throw ApiError.invalidArgument('Send exactly one of jwk (one public JWK) and jwks (a JWK Set).');
  if (body.jwk !== undefined) {
    const size = Buffer.byteLength(JSON.stringify(body.jwk));
    if (size > MAX_JWKS_BYTES) throw ApiError.invalidArgument(`jwk is ${size} bytes; at most ${MAX_JWKS_BYTES} are accepted.`);
    return [await checkPublicJwk(body.jwk)];
  }
  return body.jwks === undefined ? undefined : checkPublicJwks(body.jwks);
}

/** The settings a PATCH body changes (also for the console's route). */
export function parseTokenSettingsChange(req: Request): Partial<TokenSettings> {
  const body = parseBody(req, settingsBody, 'dpopRequired and jwksUri are');
  if (body.dpopRequired === undefined && body.jwksUri === undefined) throw ApiError.invalidArgument('Send dpopRequired, jwksUri or both.');
  const jwksUri = typeof body.jwksUri === 'string' ? checkJwksUri(body.jwksUri) : body.jwksUri;
  return { dpopRequired: body.dpopRequired, jwksUri };
}

function keyId(req: Request): string {
  const id = req.params.accessKeyId as string;
  if (!isUuid(id)) throw ApiError.invalidArgument('accessKeyId must be a UUID (the accessKeyId of a key, as the list shows it).');
  return id.toLowerCase();
}

const projectIdOf = (req: Request) => {
  const id = req.params.projectId as string;
  return isUuid(id) ? id.toLowerCase() : id;
};

function publicKeyIdOf(req: Request): string {
  const id = req.params.publicKeyId as string;
  if (!/^[A-Za-z0-9_-]{43}$/.test(id)) throw ApiError.invalidArgument('publicKeyId must be the publicKeyId of a public key, as the list shows it (an RFC 7638 thumbprint).');
  return id;
}

const actorOf = (res: Response) => res.locals.actor as KeyActor;

export function publicKeysRouter(service: PublicKeysService): Router {
  const router = Router({ mergeParams: true });
  const base = '/projects/:projectId/accessKeys/:accessKeyId';

  router.get(`${base}/publicKeys`, async (req, res) => {
    res.json(await service.list(actorOf(res), projectIdOf(req), keyId(req)));
  });

  router.post(`${base}/publicKeys`, async (req, res) => {
    const id = keyId(req);
    const keys = await parseAddPublicKeys(req);
    res.json(await service.add(actorOf(res), projectIdOf(req), id, keys, req.ip));
  });

  router.delete(`${base}/publicKeys/:publicKeyId`, async (req, res) => {
    const id = keyId(req);
    await service.remove(actorOf(res), projectIdOf(req), id, publicKeyIdOf(req), req.ip);
    res.json({});
  });

  router.get(`${base}/tokenSettings`, async (req, res) => {
    res.json(await service.getSettings(actorOf(res), projectIdOf(req), keyId(req)));
  });

  router.patch(`${base}/tokenSettings`, async (req, res) => {
    const id = keyId(req);
    res.json(await service.updateSettings(actorOf(res), projectIdOf(req), id, parseTokenSettingsChange(req), req.ip));
  });

  return router;
}
