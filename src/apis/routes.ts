// HTTP shape of the console's API calls (docs/CONSOLE-API.md): list, create, change and
// delete the account's APIs. Rules live in service.ts.
import { Router, type Request, type Response } from 'express';
import type { Actor, Caller } from '../kernel/actor.js';
import { ApiError } from '../kernel/api-error.js';
import { isUuid } from '../kernel/ids.js';
import { parseBody } from '../kernel/request-input.js';
import { createApiBody, updateApiBody } from './api-input.js';
import type { ApisService } from './service.js';

const callerOf = (req: Request, res: Response): Caller => ({ actor: res.locals.actor as Actor, address: req.ip });

function apiIdOf(req: Request): string {
  const id = req.params.apiId as string;
  if (!isUuid(id)) throw ApiError.invalidArgument('apiId must be a UUID (the apiId of an API, as GET /api/apis lists it).');
  return id.toLowerCase();
}

export function apisRouter(service: ApisService): Router {
  const router = Router();

  router.get('/apis', async (req, res) => {
    res.json(await service.list(callerOf(req, res)));
  });

  router.post('/apis', async (req, res) => {
    const body = parseBody(req, createApiBody, 'identifier, displayName, scopes and tokenTtlSeconds are');
    res.status(201).json(await service.create(callerOf(req, res), body));
  });

  router.patch('/apis/:apiId', async (req, res) => {
    const id = apiIdOf(req);
    const body = parseBody(req, updateApiBody, 'identifier, displayName, scopes and tokenTtlSeconds are');
    res.json(await service.update(callerOf(req, res), id, body));
  });

  router.delete('/apis/:apiId', async (req, res) => {
    await service.delete(callerOf(req, res), apiIdOf(req));
    res.json({});
  });

  return router;
}
