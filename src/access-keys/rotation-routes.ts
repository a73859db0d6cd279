// HTTP shape of secret rotation on the v1 API: POST .../accessKeys/{id}:rotateSecret,
// POST .../accessKeys/{id}:revokePreviousSecret and GET .../accessKeys/{id}/secrets; and
// POST .../accessKeys/{id}:removeSecret (a key left with its public keys only: key-credentials.ts).
// A custom method is the key's path with ":verb" appended (Google AIP-136).
import express, { Router, type Request } from 'express';
import { ApiError } from '../kernel/api-error.js';
import { isUuid } from '../kernel/ids.js';
import { parseOverlap, parseRevokeOptions } from '../credentials/rotation-input.js';
import type { AccessKeyRotation } from './rotation.js';
import { toAccessKey, type Actor } from './service.js';
import type { KeySecretRemoval } from './key-credentials.js';

const VERBS = ['rotateSecret', 'revokePreviousSecret', 'removeSecret'] as const;

function projectIdOf(req: Request): string {
  const id = req.params.projectId as string;
  return isUuid(id) ? id.toLowerCase() : id;
}

function keyIdOf(raw: string): string {
  if (!isUuid(raw)) throw ApiError.invalidArgument('accessKeyId must be a UUID (the accessKeyId of a key, as the list shows it).');
  return raw.toLowerCase();
}

const actorOf = (res: express.Response) => res.locals.actor as Actor;

export function rotationRouter(rotation: AccessKeyRotation, removal?: KeySecretRemoval): Router {
  const router = Router({ mergeParams: true });
  const base = '/projects/:projectId/accessKeys';

  router.get(`${base}/:accessKeyId/secrets`, async (req, res) => {
    res.json(await rotation.listSecrets(actorOf(res), projectIdOf(req), keyIdOf(req.params.accessKeyId as string)));
  });

  // Express reads "{id}:verb" as one path segment.
  router.post(`${base}/:keyAndVerb`, async (req, res, next) => {
    const raw = req.params.keyAndVerb as string;
    const colon = raw.lastIndexOf(':');
    const verb = colon > 0 ? raw.slice(colon + 1) : '';
    if (colon < 0) return next();
    if (!(VERBS as readonly string[]).includes(verb) || (verb === 'removeSecret' && !removal)) {
      throw ApiError.notFound(`Unknown method :${verb.slice(0, 40)}; an access key has :rotateSecret, :revokePreviousSecret and :removeSecret.`);
    }
    const id = keyIdOf(raw.slice(0, colon));
    if (verb === 'removeSecret') {
      const { revokeTokens } = parseRevokeOptions(req);
      const row = await removal!.removeSecret(actorOf(res), projectIdOf(req), id, req.ip, revokeTokens);
      res.json({ accessKey: toAccessKey(row), secrets: [] });
    } else if (verb === 'rotateSecret') {
      const overlap = parseOverlap(req);
      res.json(await rotation.rotate(actorOf(res), projectIdOf(req), id, overlap, req.ip));
    } else {
      const { revokeTokens } = parseRevokeOptions(req);
      res.json(await rotation.revokePrevious(actorOf(res), projectIdOf(req), id, req.ip, revokeTokens));
    }
  });

  return router;
}
