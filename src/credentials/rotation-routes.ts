// The console's calls for rotating a REST Basic credential's secret (docs/CONSOLE-API.md):
// Administrators only (access.ts), addressed by credential ID like every console call.
import { Router, type Request, type Response } from 'express';
import type { Actor } from '../kernel/actor.js';
import { projectFor } from './access.js';
import type { Db } from '../db/pool.js';
import { parseOverlap, parseRevokeOptions } from './rotation-input.js';
import type { SecretRotation } from './secret-rotation.js';
import { ApiError } from '../kernel/api-error.js';
import { isUuid } from '../kernel/ids.js';

const ROTATED_NOTICE = 'This is the only time the new API Secret is shown. Store it now; the previous secret keeps working until the time listed, then stops.';

const credentialRef = (req: Request) => {
  const id = req.params.credentialId as string;
  if (!isUuid(id)) throw ApiError.notFound('There is no such credential in this project.');
  return { by: 'credential_id' as const, value: id.toLowerCase() };
};

export function rotationConsoleRouter(db: Db, rotation: SecretRotation): Router {
  const router = Router();
  const base = '/projects/:projectId/credentials/:credentialId';
  const who = (req: Request, res: Response) => ({ actor: res.locals.actor as Actor, address: req.ip });
  const project = (req: Request, res: Response, manage: boolean) => projectFor(db, res.locals.actor as Actor, req.params.projectId as string, manage);

  router.get(`${base}/secrets`, async (req, res) => {
    const p = await project(req, res, false);
    res.json({ secrets: await rotation.list(p.id, credentialRef(req)) });
  });

  router.post(`${base}/rotateSecret`, async (req, res) => {
    const p = await project(req, res, true);
    const overlap = parseOverlap(req);
    const { secret, secrets } = await rotation.rotate(p.id, credentialRef(req), overlap, who(req, res));
    res.json({ apiSecret: secret, notice: ROTATED_NOTICE, secrets });
  });

  router.post(`${base}/revokePreviousSecret`, async (req, res) => {
    const p = await project(req, res, true);
    const { revokeTokens } = parseRevokeOptions(req);
    res.json({ secrets: (await rotation.revokePrevious(p.id, credentialRef(req), who(req, res), revokeTokens)).secrets });
  });

  return router;
}
