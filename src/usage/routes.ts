// HTTP shape of the usage API: the range (from, to, granularity) read from the query, the
// service called, its report returned. v1: a key's usage by its accessKeyId (a Keymint
// extension of the Access Keys API). Console: an account's, a project's and a key's usage
// (keys named by credentialId, as in the console's credential list) and the quotas.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Actor } from '../kernel/actor.js';
import { ApiError } from '../kernel/api-error.js';
import { bodyError, parseBody } from '../kernel/request-input.js';
import { BUCKET_MS, GRANULARITIES, type Granularity } from './fields.js';
import { alignRange, type UsageRange, type UsageService } from './service.js';

/** The range shown when none is asked for: the last 24 hours by the hour, etc. */
const DEFAULT_SPAN: Readonly<Record<Granularity, number>> = { minute: 60 * BUCKET_MS.minute, hour: 24 * BUCKET_MS.hour, day: 30 * BUCKET_MS.day };

function time(raw: unknown, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const ms = typeof raw === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) throw ApiError.invalidArgument(`${name} must be an RFC 3339 time with a zone, e.g. 2026-12-01T10:00:00Z.`);
  return ms;
}

export function parseRange(req: Request, now = Date.now()): UsageRange {
  const g = req.query.granularity ?? 'hour';
  if (typeof g !== 'string' || !(GRANULARITIES as readonly string[]).includes(g)) {
    throw ApiError.invalidArgument('granularity must be minute, hour or day.');
  }
  const granularity = g as Granularity;
  const to = time(req.query.to, 'to') ?? now;
  const from = time(req.query.from, 'from') ?? to - DEFAULT_SPAN[granularity];
  return alignRange(granularity, from, to);
}

const limit = (name: string) => {
  const message = `${name} must be a whole number from 1 to 1000000000, or null for no limit.`;
  return z.number({ message }).int({ message }).min(1, { message }).max(1_000_000_000, { message }).nullable();
};
const quotaBody = z.object({ tokensPerHour: limit('tokensPerHour'), tokensPerDay: limit('tokensPerDay') }, bodyError).strict();

const settingsBody = z
  .object({ unusedKeyDays: z.number({ message: 'unusedKeyDays must be a whole number of days from 1 to 3650.' }).int({ message: 'unusedKeyDays must be a whole number of days from 1 to 3650.' }).min(1, { message: 'unusedKeyDays must be a whole number of days from 1 to 3650.' }).max(3650, { message: 'unusedKeyDays must be a whole number of days from 1 to 3650.' }) }, bodyError)
  .strict();

const actorOf = (res: Response) => res.locals.actor as Actor;
const param = (req: Request, name: string) => req.params[name] as string;

export function usageV1Router(service: UsageService): Router {
  const router = Router();
  router.get('/projects/:projectId/accessKeys/:accessKeyId/usage', async (req, res) => {
    const range = parseRange(req);
    res.json(await service.keyUsage(actorOf(res), param(req, 'projectId'), { id: param(req, 'accessKeyId') }, range, 'accessKeyId'));
  });
  return router;
}

export function usageConsoleRouter(service: UsageService): Router {
  const router = Router();
  const project = '/projects/:projectId';
  const key = `${project}/credentials/:credentialId`;
  router.get('/account/usage', async (req, res) => {
    res.json(await service.accountUsage(actorOf(res), parseRange(req)));
  });
  router.get('/account/usage-settings', async (_req, res) => {
    res.json(await service.settings(actorOf(res)));
  });
  router.put('/account/usage-settings', async (req, res) => {
    res.json(await service.setSettings(actorOf(res), parseBody(req, settingsBody, 'unusedKeyDays is'), req.ip));
  });
  router.get(`${project}/usage`, async (req, res) => {
    res.json(await service.projectUsage(actorOf(res), param(req, 'projectId'), parseRange(req), 'credentialId'));
  });
  router.get(`${key}/usage`, async (req, res) => {
    res.json(await service.keyUsage(actorOf(res), param(req, 'projectId'), { credentialId: param(req, 'credentialId') }, parseRange(req), 'credentialId'));
  });
  router.get(`${project}/quota`, async (req, res) => {
    res.json(await service.projectQuota(actorOf(res), param(req, 'projectId')));
  });
  router.put(`${project}/quota`, async (req, res) => {
    const body = parseBody(req, quotaBody, 'tokensPerHour and tokensPerDay are');
    res.json(await service.setProjectQuota(actorOf(res), param(req, 'projectId'), body, req.ip));
  });
  router.get(`${key}/quota`, async (req, res) => {
    res.json(await service.keyQuota(actorOf(res), param(req, 'projectId'), param(req, 'credentialId')));
  });
  router.put(`${key}/quota`, async (req, res) => {
    const body = parseBody(req, quotaBody, 'tokensPerHour and tokensPerDay are');
    res.json(await service.setKeyQuota(actorOf(res), param(req, 'projectId'), param(req, 'credentialId'), body, req.ip));
  });
  return router;
}
