// HTTP shape of a REST Basic credential's public keys and token settings in the console API
// (docs/CONSOLE-API.md); the bodies are the v1 API's (access-keys/public-keys-routes.ts):
//   GET|POST  /api/projects/{p}/credentials/{c}/publicKeys        list; add {jwk} or {jwks}
//   DELETE    /api/projects/{p}/credentials/{c}/publicKeys/{id}   remove (id: the RFC 7638 thumbprint)
//   GET|PATCH /api/projects/{p}/credentials/{c}/tokenSettings     {dpopRequired, jwksUri}
//   POST      /api/projects/{p}/credentials/{c}/removeSecret      optional {revokeTokens}
import { Router, type Request, type Response } from 'express';
import type { Actor, Caller } from '../kernel/actor.js';
import { ApiError } from '../kernel/api-error.js';
import { parseAddPublicKeys, parseTokenSettingsChange } from '../access-keys/public-keys-routes.js';
import { parseRevokeOptions } from '../credentials/rotation-input.js';
import type { ConsolePublicKeys } from './public-keys.js';

const callerOf = (req: Request, res: Response): Caller => ({ actor: res.locals.actor as Actor, address: req.ip });
const param = (req: Request, name: string) => req.params[name] as string;

function publicKeyIdOf(req: Request): string {
  const id = param(req, 'publicKeyId');
  if (!/^[A-Za-z0-9_-]{43}$/.test(id)) throw ApiError.invalidArgument('publicKeyId must be the publicKeyId of a public key, as the list shows it (an RFC 7638 thumbprint).');
  return id;
}

export function consolePublicKeysRouter(keys: ConsolePublicKeys): Router {
  const router = Router();
  const base = '/projects/:projectId/credentials/:credentialId';

  router.get(`${base}/publicKeys`, async (req, res) => {
    res.json(await keys.list(callerOf(req, res), param(req, 'projectId'), param(req, 'credentialId')));
  });

  router.post(`${base}/publicKeys`, async (req, res) => {
    const added = await parseAddPublicKeys(req);
    res.json(await keys.add(callerOf(req, res), param(req, 'projectId'), param(req, 'credentialId'), added));
  });

  router.delete(`${base}/publicKeys/:publicKeyId`, async (req, res) => {
    await keys.remove(callerOf(req, res), param(req, 'projectId'), param(req, 'credentialId'), publicKeyIdOf(req));
    res.json({});
  });

  router.get(`${base}/tokenSettings`, async (req, res) => {
    res.json(await keys.settings(callerOf(req, res), param(req, 'projectId'), param(req, 'credentialId')));
  });

  router.patch(`${base}/tokenSettings`, async (req, res) => {
    res.json(await keys.changeSettings(callerOf(req, res), param(req, 'projectId'), param(req, 'credentialId'), parseTokenSettingsChange(req)));
  });

  router.post(`${base}/removeSecret`, async (req, res) => {
    const { revokeTokens } = parseRevokeOptions(req);
    res.json(await keys.removeSecret(callerOf(req, res), param(req, 'projectId'), param(req, 'credentialId'), revokeTokens));
  });

  return router;
}
