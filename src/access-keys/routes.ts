// HTTP shape of the Access Keys Management API v1 (seed 003): parse and validate input,
// call the service, shape the output. Rules live in service.ts. A key's expireTime is
// set at creation only; PATCH changes the displayName, and Keymint's extension fields
// grants and customClaims (issue 13). A create may also bring public keys (jwk, jwks) or a
// jwksUri, and ask for no secret (generateSecret: false): extension fields of issue 14.
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { ApiError } from '../kernel/api-error.js';
import { bodyError, nameField, parseBody, parsePageSize, parsePageToken } from '../kernel/request-input.js';
import type { Actor, AccessKeysService } from './service.js';
import { isUuid } from '../kernel/ids.js';
import { expireTimeField } from '../kernel/expire-time.js';
import { customClaimsField, grantField } from '../apis/grant-input.js';
import { checkJwksUri, publicKeysOf } from './public-keys-routes.js';

const displayName = nameField('displayName');

const expireTime = expireTimeField;

// grants and customClaims: Keymint's extension (issue 13; apis/grant-input.ts).
const grants = grantField.nullable().optional();
const customClaims = customClaimsField.optional();
// jwk, jwks, jwksUri, generateSecret: Keymint's extension (issue 14; public-keys-routes.ts checks the keys).
const generateSecret = z.boolean({ error: 'generateSecret must be true or false.' }).optional();
const jwksUri = z.string({ error: 'jwksUri must be an https URL.' }).optional();
const createBody = z
  .object({ displayName, expireTime, grants, customClaims, jwk: z.unknown().optional(), jwks: z.unknown().optional(), jwksUri, generateSecret }, bodyError)
  .strict();
const updateBody = z
  .object({ displayName: displayName.optional(), grants, customClaims }, bodyError)
  .strict()
  .refine((b) => b.displayName !== undefined || b.grants !== undefined || b.customClaims !== undefined, 'displayName is required (or grants or customClaims, Keymint extension fields)');

const expireTimeOnCreate = (keys: string[]) =>
  keys.includes('expireTime') ? 'expireTime can only be set when a key is created; only displayName can be changed.' : undefined;

function keyId(req: Request): string {
  const id = req.params.accessKeyId as string;
  if (!isUuid(id)) throw ApiError.invalidArgument('accessKeyId must be a UUID (the accessKeyId of a key, as the list shows it).');
  return id.toLowerCase();
}

// Project IDs are UUIDs and, like key IDs, case-insensitive; anything else is left as is
// and is then no project of the caller's (403 in the service).
function projectIdOf(req: Request): string {
  const id = req.params.projectId as string;
  return isUuid(id) ? id.toLowerCase() : id;
}

const actorOf = (res: express.Response) => res.locals.actor as Actor;

export function accessKeysRouter(service: AccessKeysService): Router {
  const router = Router({ mergeParams: true });
  const base = '/projects/:projectId/accessKeys';

  router.get(base, async (req, res) => {
    const pageSize = parsePageSize(req.query.pageSize);
    const pageToken = parsePageToken(req.query.pageToken);
    res.json(await service.list(actorOf(res), projectIdOf(req), pageSize, pageToken));
  });

  router.post(base, async (req, res) => {
    const body = parseBody(req, createBody, 'displayName and expireTime (and the extension fields grants, customClaims, jwk, jwks, jwksUri and generateSecret) are');
    const credentials = {
      publicKeys: await publicKeysOf(body),
      jwksUri: body.jwksUri === undefined ? undefined : checkJwksUri(body.jwksUri),
      generateSecret: body.generateSecret,
    };
    res.json(await service.create(actorOf(res), projectIdOf(req), body.displayName, body.expireTime ?? null, req.ip, body, credentials));
  });

  router.get(`${base}/:accessKeyId`, async (req, res) => {
    res.json(await service.get(actorOf(res), projectIdOf(req), keyId(req)));
  });

  router.patch(`${base}/:accessKeyId`, async (req, res) => {
    const id = keyId(req);
    const body = parseBody(req, updateBody, 'displayName (and the extension fields grants and customClaims) are', expireTimeOnCreate);
    res.json(await service.update(actorOf(res), projectIdOf(req), id, body.displayName, req.ip, body));
  });

  router.delete(`${base}/:accessKeyId`, async (req, res) => {
    await service.delete(actorOf(res), projectIdOf(req), keyId(req), req.ip);
    res.json({}); // Sinch answers an empty JSON object (google.protobuf.Empty)
  });

  return router;
}
