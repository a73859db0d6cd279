// The benchmark's load generator (bench/raw-load.ts through tokenLoad) against a real
// node:http server in this process: exact counts of what was asked and answered — each
// fleet key once, non-2xx, dropped connections, Connection: close, chunked answers,
// unanswered requests, no server at all — and that every run ends. No timing is judged.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { basic, tokenLoad, tokenRequestBytes, TOKEN_BODY } from '../bench/load.js';
import { rawLoad } from '../bench/raw-load.js';
import { ProtocolError, ResponseReader } from '../bench/response-reader.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A server that reads each request whole, records its Authorization (and any request not shaped as a token request), then lets `answer` respond. */
async function serve(answer: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
  const seen: string[] = [];
  const misshapen: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const shape = [req.method, req.url, req.headers.host, req.headers['content-type'], body].join(' ');
      if (shape !== `POST /oauth2/token ${req.headers.host} application/x-www-form-urlencoded ${TOKEN_BODY}` || !req.headers.host?.startsWith('127.0.0.1:')) misshapen.push(shape);
      seen.push(req.headers.authorization ?? '');
      answer(req, res, seen.length);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, seen, misshapen, server };
}

const json = (res: ServerResponse, status = 200) => {
  const body = JSON.stringify({ access_token: 'a.b.c', token_type: 'Bearer', expires_in: 300 });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
};

const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ accessKeyId: `key-${i}`, secret: `secret-${i}` }));
const counts = (values: string[]) => [...values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<string, number>()).values()];

describe('tokenLoad: the fleet shape', () => {
  it('asks once per key: 200 keys are 200 requests, each Authorization seen once', async () => {
    const s = await serve((_req, res) => json(res));
    const fleet = keys(200);
    const r = await tokenLoad({ url: s.url, connections: 16, keys: fleet });
    expect(r).toMatchObject({ requests: 200, sent: 200, non2xx: 0, errors: 0 });
    expect(s.seen.length).toBe(200);
    expect(new Set(s.seen)).toEqual(new Set(fleet.map((k) => basic(k.accessKeyId, k.secret))));
    expect(counts(s.seen).every((n) => n === 1)).toBe(true);
    expect(s.misshapen).toEqual([]);
    expect(r.p50).toBeGreaterThan(0);
    expect(r.p99).toBeGreaterThanOrEqual(r.p50);
    expect(r.max).toBeGreaterThanOrEqual(r.p99);
  });

  it('counts non-2xx answers apart from tokens', async () => {
    const s = await serve((_req, res, n) => json(res, n % 4 === 0 ? 401 : 200));
    const r = await tokenLoad({ url: s.url, connections: 8, keys: keys(200) });
    expect(r).toMatchObject({ requests: 150, sent: 200, non2xx: 50, errors: 0 });
  });

  it('counts a connection the server drops mid-run as an error, never asks that key again, and ends', async () => {
    const s = await serve((req, res, n) => (n % 10 === 0 ? req.socket.destroy() : json(res)));
    const r = await tokenLoad({ url: s.url, connections: 8, keys: keys(200) });
    expect(r).toMatchObject({ requests: 180, sent: 200, non2xx: 0, errors: 20 });
    expect(s.seen.length).toBe(200);
    expect(counts(s.seen).every((n) => n === 1)).toBe(true);
  });

  it('reconnects after each Connection: close answer', async () => {
    const s = await serve((_req, res, n) => {
      if (n % 5 === 0) res.setHeader('connection', 'close');
      json(res);
    });
    const [host, port] = ['127.0.0.1', s.port];
    const requests = keys(100).map((k) => tokenRequestBytes(`${host}:${port}`, basic(k.accessKeyId, k.secret)));
    const r = await rawLoad({ host, port, connections: 4, work: { kind: 'each', requests } });
    expect(r).toMatchObject({ ok: 100, sent: 100, non2xx: 0, errors: 0, closes: 20 });
  });

  it('refuses chunked answers as errors, by name', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"access_token":');
      res.end('"a.b.c"}');
    });
    const requests = keys(20).map((k) => tokenRequestBytes(`127.0.0.1:${s.port}`, basic(k.accessKeyId, k.secret)));
    const r = await rawLoad({ host: '127.0.0.1', port: s.port, connections: 4, work: { kind: 'each', requests } });
    expect(r).toMatchObject({ ok: 0, sent: 20, errors: 20 });
    expect([...r.errorKinds.keys()]).toEqual([expect.stringContaining('Transfer-Encoding (chunked)')]);
  });

  it('counts a request unanswered past the timeout as an error and ends', async () => {
    const s = await serve((_req, res, n) => (n === 3 ? undefined : json(res)));
    const requests = keys(30).map((k) => tokenRequestBytes(`127.0.0.1:${s.port}`, basic(k.accessKeyId, k.secret)));
    const r = await rawLoad({ host: '127.0.0.1', port: s.port, connections: 2, timeoutMs: 200, work: { kind: 'each', requests } });
    expect(r).toMatchObject({ ok: 29, sent: 30, errors: 1 });
    expect([...r.errorKinds.keys()]).toEqual(['no answer within 0.2 s']);
    expect(s.seen.length).toBe(30);
  });

  it('ends with errors, not a hang, when nothing listens', async () => {
    const s = await serve((_req, res) => json(res));
    await new Promise((resolve) => s.server.close(resolve));
    const r = await tokenLoad({ url: s.url, connections: 4, keys: keys(50) });
    expect(r).toMatchObject({ requests: 0, sent: 0, non2xx: 0, errors: 12 });
  });
});

describe('tokenLoad: the warm shape', () => {
  it('asks with the one key for the run, counting only the answers within it', async () => {
    const s = await serve((_req, res) => json(res));
    const authorization = basic('warm', 'secret');
    const r = await tokenLoad({ url: s.url, connections: 4, authorization, seconds: 0.3 });
    expect(r.errors).toBe(0);
    expect(r.non2xx).toBe(0);
    expect(r.requests).toBeGreaterThan(0);
    expect(r.requests).toBeLessThanOrEqual(s.seen.length);
    expect(s.seen.length).toBeLessThanOrEqual(r.sent);
    expect(r.sent - r.requests).toBeLessThanOrEqual(4);
    expect(new Set(s.seen)).toEqual(new Set([authorization]));
    expect(s.misshapen).toEqual([]);
  });
});

describe('ResponseReader', () => {
  const response = Buffer.from('HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nCONTENT-LENGTH: 5\r\nConnection: keep-alive\r\n\r\nhello');

  it('finds the end of a response fed whole or one byte at a time', () => {
    expect(new ResponseReader().feed(response)).toEqual({ status: 201, close: false });
    const reader = new ResponseReader();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < response.length - 1; i++) expect(reader.feed(response.subarray(i, i + 1))).toBeUndefined();
      expect(reader.feed(response.subarray(response.length - 1))).toEqual({ status: 201, close: false });
    }
  });

  it('reads Connection: close, and an empty body', () => {
    expect(new ResponseReader().feed(Buffer.from('HTTP/1.1 401 Unauthorized\r\nconnection: Close\r\ncontent-length: 0\r\n\r\n'))).toEqual({ status: 401, close: true });
    expect(new ResponseReader().feed(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'))).toEqual({ status: 204, close: false });
  });

  it('refuses what it cannot frame', () => {
    for (const raw of [
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhello',
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
      'HTTP/1.1 100 Continue\r\n\r\n',
      'SSH-2.0-OpenSSH\r\n\r\n',
      'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n',
    ]) {
      expect(() => new ResponseReader().feed(Buffer.from(raw)), raw).toThrow(ProtocolError);
    }
  });
});
