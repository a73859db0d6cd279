// HTTP shape of the console's credential calls (docs/CONSOLE-API.md): parse and validate,
// call the service, shape the answer. Who may act and every rule live in the service.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ApiError } from '../kernel/api-error.js';
import { parseBody, parsePageSize, parsePageToken } from '../kernel/request-input.js';
import type { Actor, Caller } from '../kernel/actor.js';
import type { CredentialKind } from '../kernel/credential-kind.js';
import { createCredentialBody, deleteCredentialsBody, grantsBody, updateCredentialBody } from './input.js';
import type { CredentialsService } from './service.js';

const KINDS: readonly CredentialKind[] = ['basic', 'hmac', 'legacy'];

function parseKind(raw: unknown): CredentialKind | null {
  if (raw === undefined || raw === '') return null;
  if (typeof raw !== 'string' || !(KINDS as readonly string[]).includes(raw)) {
    throw ApiError.invalidArgument('kind must be one of basic, hmac or legacy (or left out for every kind).');
  }
  return raw as CredentialKind;
}

const callerOf = (req: Request, res: Response): Caller => ({ actor: res.locals.actor as Actor, address: req.ip });
const param = (req: Request, name: string) => req.params[name] as string;

export function credentialsRouter(service: CredentialsService): Router {
  const router = Router();
  const base = '/projects/:projectId/credentials';

  router.get(base, async (req, res) => {
    const kind = parseKind(req.query.kind);
    const pageSize = parsePageSize(req.query.pageSize);
    const pageToken = parsePageToken(req.query.pageToken);
    res.json(await service.list(callerOf(req, res), param(req, 'projectId'), kind, pageSize, pageToken));
  });

  router.post(base, async (req, res) => {
    const body = parseBody(req, createCredentialBody, 'kind with label (basic, hmac) or username and password (legacy) are');
    res.status(201).json(await service.create(callerOf(req, res), param(req, 'projectId'), body));
  });

  // Before the :credentialId routes: "delete" is not a credential ID.
  router.post(`${base}/delete`, async (req, res) => {
    const body = parseBody(req, deleteCredentialsBody, 'credentialIds is');
    res.json(await service.deleteSelected(callerOf(req, res), param(req, 'projectId'), body.credentialIds));
  });

  router.patch(`${base}/:credentialId`, async (req, res) => {
    const body: z.output<typeof updateCredentialBody> = parseBody(req, updateCredentialBody, 'label or password is');
    const caller = callerOf(req, res);
    const [projectId, credentialId] = [param(req, 'projectId'), param(req, 'credentialId')];
    res.json(
      body.label !== undefined
        ? await service.updateLabel(caller, projectId, credentialId, body.label)
        : body.password !== undefined
          ? await service.changePassword(caller, projectId, credentialId, body.password)
          : await service.changeExpiry(caller, projectId, credentialId, body.expireTime ?? null),
    );
  });

  // Issue 13: what the key may get tokens for, and whether it may manage keys.
  router.get(`${base}/:credentialId/grants`, async (req, res) => {
    res.json(await service.grants(callerOf(req, res), param(req, 'projectId'), param(req, 'credentialId')));
  });

  router.put(`${base}/:credentialId/grants`, async (req, res) => {
    const body = parseBody(req, grantsBody, 'grants and customClaims are');
    res.json(await service.setGrants(callerOf(req, res), param(req, 'projectId'), param(req, 'credentialId'), body));
  });

  router.post(`${base}/:credentialId/reveal`, async (req, res) => {
    res.json(await service.reveal(callerOf(req, res), param(req, 'projectId'), param(req, 'credentialId')));
  });

  return router;
}
