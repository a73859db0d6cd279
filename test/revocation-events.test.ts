// Issue 14: the revocation feed as Server-Sent Events (GET /oauth2/revocations with
// Accept: text/event-stream), read over real HTTP from two Keymint instances: the document at
// once with its ETag as the event id, a change made on the other instance pushed within 2 s
// (polled; the bound is the failure), Last-Event-ID of the current document sends nothing until
// the next change, heartbeats, a bounded lifetime, a clean end at shutdown; JSON clients
// (keymint/verify's long-poll) are unchanged.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cluster, type Cluster } from './helpers/cluster.js';
import { recordSecret, type Bootstrapped, type TestServer } from './helpers/server.js';
import { basicHeader, raw, until } from './helpers/token-requests.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let c: Cluster;
let a: TestServer; // default heartbeat and lifetime
let b: TestServer; // heartbeat 200 ms, lifetime 3 s
let boot: Bootstrapped;
const streams: Array<{ close(): void }> = [];

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
  retry?: string;
}

async function openStream(s: TestServer, headers: Record<string, string> = {}) {
  const ac = new AbortController();
  const res = await fetch(`${s.url}/oauth2/revocations`, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
  const events: SseEvent[] = [];
  const state = { ended: false, failed: false };
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        state.failed = true;
        return;
      }
      if (chunk.done) {
        state.ended = true;
        return;
      }
      buffer += decoder.decode(chunk.value, { stream: true });
      for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const event: SseEvent = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) event.comment = line.slice(1).trim();
          else {
            const colon = line.indexOf(':');
            const field = line.slice(0, colon) as keyof SseEvent;
            event[field] = line.slice(colon + 1).replace(/^ /, '');
          }
        }
        events.push(event);
      }
    }
  })();
  const stream = {
    res,
    events,
    state,
    documents: () => events.filter((e) => e.event === 'revocations'),
    close: () => ac.abort(),
  };
  streams.push(stream);
  return stream;
}

beforeAll(async () => {
  c = await cluster();
  a = await c.start();
  b = await c.start({}, { revocationEvents: { heartbeatMs: 200, lifetimeMs: 3000 } });
  boot = await a.bootstrap();
});
afterAll(async () => {
  for (const s of streams) s.close();
  await c?.close();
});

async function deleteNewKey(on: TestServer): Promise<string> {
  const made = await raw(`${on.url}/v1/projects/${boot.projectId}/accessKeys`, {
    method: 'POST',
    headers: { authorization: basicHeader(boot.accessKey.accessKeyId, boot.secret), 'content-type': 'application/json' },
    body: JSON.stringify({ displayName: `doomed ${randomUUID()}` }),
  });
  const key = made.json!.accessKey as { accessKeyId: string };
  recordSecret(made.json!.secret as string);
  const del = await raw(`${on.url}/v1/projects/${boot.projectId}/accessKeys/${key.accessKeyId}`, {
    method: 'DELETE', headers: { authorization: basicHeader(boot.accessKey.accessKeyId, boot.secret) },
  });
  expect(del.status).toBe(200);
  return key.accessKeyId;
}

const listsKey = (data: string | undefined, id: string) => (JSON.parse(data ?? '{}').keys as Array<{ key_id: string }>).some((k) => k.key_id === id);

describe('GET /oauth2/revocations as an event stream', () => {
  it('sends the document at once, with its ETag as the event id', async () => {
    const json = await raw(`${a.url}/oauth2/revocations`);
    const stream = await openStream(a);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.res.headers.get('cache-control')).toBe('no-cache');
    const first = await until('the first event', async () => stream.documents()[0], 2000, 20);
    expect(stream.events[0]).toEqual({ retry: '1000' });
    expect(first.id).toBe(json.headers.get('etag'));
    expect(JSON.parse(first.data!)).toEqual(json.json);
    stream.close();
  });

  it('pushes a key deleted on the other instance within 2 s', async () => {
    const stream = await openStream(a);
    await until('the first event', async () => stream.documents()[0], 2000, 20);
    const id = await deleteNewKey(b);
    const pushed = await until('the deletion to be pushed', async () => stream.documents().find((e) => listsKey(e.data, id)), 2000, 20);
    const now = await raw(`${a.url}/oauth2/revocations`);
    expect(pushed.id).toBe(now.headers.get('etag'));
    stream.close();
  });

  it('with Last-Event-ID of the current document, sends nothing until the next change', async () => {
    const current = (await raw(`${a.url}/oauth2/revocations`)).headers.get('etag')!;
    const stream = await openStream(a, { 'last-event-id': current });
    await new Promise((r) => setTimeout(r, 300));
    expect(stream.documents()).toEqual([]);
    const id = await deleteNewKey(a);
    const pushed = await until('the change to be pushed', async () => stream.documents()[0], 2000, 20);
    expect(listsKey(pushed.data, id)).toBe(true);
    expect(pushed.id).not.toBe(current);
    stream.close();
  });

  it('keeps an idle stream alive with comments, and ends it after its lifetime (the client reconnects)', async () => {
    const stream = await openStream(b);
    await until('a heartbeat', async () => stream.events.find((e) => e.comment === 'keep-alive'), 2000, 20);
    await until('the stream to end', async () => (stream.state.ended ? true : undefined), 6000, 50);
    expect(stream.state.failed).toBe(false);
  });

  it('ends its streams cleanly at shutdown', async () => {
    const d = await c.start();
    const stream = await openStream(d);
    await until('the first event', async () => stream.documents()[0], 2000, 20);
    await c.stop(d);
    await until('the stream to end', async () => (stream.state.ended || stream.state.failed ? true : undefined), 2000, 20);
    expect(stream.state).toEqual({ ended: true, failed: false });
  });

  it('answers JSON clients as before: Accept application/json, */* or none', async () => {
    for (const accept of ['application/json', '*/*', undefined]) {
      const res = await raw(`${a.url}/oauth2/revocations`, { headers: accept ? { accept } : {} });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.json).toHaveProperty('keys');
    }
  });
});
