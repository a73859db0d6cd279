// HTTP shape of the console's account calls (docs/CONSOLE-API.md): the account and its
// verification request, its projects (create, rename, delete), its users, their roles and
// password resets, its audit log.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { bodyError, nameField, parseBody, parsePageSize, parsePageToken } from '../kernel/request-input.js';
import type { Actor } from '../kernel/actor.js';
import { ApiError } from '../kernel/api-error.js';
import type { AccountService } from './account-service.js';
import { parseRole } from './user-input.js';
import type { Caller } from '../kernel/actor.js';

const str = (field: string) => z.string({ error: (i) => (i.input === undefined ? `${field} is required` : `${field} must be a string`) });
const newUserBody = z.object({ email: str('email'), password: str('password'), role: str('role') }, bodyError).strict();
const roleBody = z.object({ role: str('role') }, bodyError).strict();
const projectBody = z.object({ name: nameField('name', 200) }, bodyError).strict();

function withCredentials(raw: unknown): boolean {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw ApiError.invalidArgument('withCredentials must be true or false (left out: false, and a project with credentials is not deleted).');
}

const callerOf = (req: Request, res: Response): Caller => ({ actor: res.locals.actor as Actor, address: req.ip });

export function accountRouter(service: AccountService): Router {
  const router = Router();

  router.get('/account', async (req, res) => {
    res.json(await service.account(callerOf(req, res)));
  });

  router.post('/account/verification-request', async (req, res) => {
    res.json(await service.requestVerification(callerOf(req, res)));
  });

  router.get('/projects', async (req, res) => {
    res.json(await service.projects(callerOf(req, res)));
  });

  router.post('/projects', async (req, res) => {
    const body = parseBody(req, projectBody, 'name is');
    res.status(201).json(await service.createProject(callerOf(req, res), body.name));
  });

  router.patch('/projects/:projectId', async (req, res) => {
    const body = parseBody(req, projectBody, 'name is');
    res.json(await service.renameProject(callerOf(req, res), req.params.projectId as string, body.name));
  });

  router.delete('/projects/:projectId', async (req, res) => {
    const all = withCredentials(req.query.withCredentials);
    res.json(await service.deleteProject(callerOf(req, res), req.params.projectId as string, all));
  });

  router.get('/account/users', async (req, res) => {
    res.json(await service.users(callerOf(req, res)));
  });

  router.post('/account/users', async (req, res) => {
    const body = parseBody(req, newUserBody, 'email, password and role are');
    const { accountId: _, ...user } = await service.addUser(callerOf(req, res), { ...body, role: parseRole(body.role) });
    res.status(201).json(user);
  });

  router.patch('/account/users/:userId', async (req, res) => {
    const body = parseBody(req, roleBody, 'role is');
    const { accountId: _, ...user } = await service.changeRole(callerOf(req, res), req.params.userId as string, parseRole(body.role));
    res.json(user);
  });

  router.delete('/account/users/:userId', async (req, res) => {
    await service.removeUser(callerOf(req, res), req.params.userId as string);
    res.status(204).end();
  });

  router.post('/account/users/:userId/password-reset', async (req, res) => {
    const reset = await service.resetPassword(callerOf(req, res), req.params.userId as string);
    res.setHeader('Cache-Control', 'no-store'); // a password is in this answer
    res.json(reset);
  });

  router.get('/account/audit-events', async (req, res) => {
    const pageSize = parsePageSize(req.query.pageSize, 500, 50);
    res.json(await service.auditEvents(callerOf(req, res), pageSize, parsePageToken(req.query.pageToken)));
  });

  return router;
}
