// Issue #11 item 8: /metrics was public. Now it is served on a listener of its own
// (METRICS_PORT, loopback by default), or on the main port behind METRICS_TOKEN, or, with
// neither, on the main port to loopback peers only and never to a proxied request. The
// attack: reading the metrics from another host, or through a reverse proxy.
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const externalAddress = () =>
  Object.values(networkInterfaces())
    .flat()
    .find((i) => i && !i.internal && i.family === 'IPv4')?.address;

const get = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
};
const looksLikeMetrics = (text: string) => expect(text).toMatch(/^# HELP /m);

describe('with neither METRICS_PORT nor METRICS_TOKEN', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ HOST: '0.0.0.0' });
  });
  afterAll(() => s?.close());

  it('answers a loopback peer', async () => {
    const res = await get(`${s.url}/metrics`);
    expect(res.status).toBe(200);
    looksLikeMetrics(res.text);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('is a 404 to a peer on another address', async () => {
    const address = externalAddress();
    expect(address, 'this test needs a non-loopback IPv4 interface').toBeDefined();
    const port = new URL(s.url).port;
    const res = await get(`http://${address}:${port}/metrics`);
    expect(res.status).toBe(404);
    expect(res.text).not.toMatch(/# HELP/);
    // The same peer reaches the rest of the server.
    expect((await get(`http://${address}:${port}/healthz`)).status).toBe(200);
  });

  it('is a 404 to a request through a reverse proxy on the same host', async () => {
    for (const headers of [{ 'x-forwarded-for': '203.0.113.9' }, { forwarded: 'for=203.0.113.9' }] as Array<Record<string, string>>) {
      const res = await get(`${s.url}/metrics`, headers);
      expect(res.status).toBe(404);
      expect(res.text).not.toMatch(/# HELP/);
    }
  });
});

describe('METRICS_TOKEN', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ METRICS_TOKEN: TOKEN });
  });
  afterAll(() => s?.close());

  it('is required, even from loopback: 401 with a Bearer challenge without it or with a wrong one', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789abcdef' }, { authorization: `Basic ${TOKEN}` }] as Array<Record<string, string>>) {
      const res = await get(`${s.url}/metrics`, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(res.text).not.toMatch(/# HELP/);
    }
  });

  it('opens the metrics', async () => {
    const res = await get(`${s.url}/metrics`, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    looksLikeMetrics(res.text);
  });

  it('must be long enough', () => {
    const base = { DATABASE_URL: 'postgres://localhost/x', KEYMINT_MASTER_KEY: 'A'.repeat(43) };
    expect(() => loadConfig({ ...base, METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: must be at least 16/);
  });
});

describe('METRICS_PORT', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ METRICS_PORT: '0' });
  });
  afterAll(() => s?.close());

  it('serves the metrics on a loopback listener of their own, and not on the main port', async () => {
    const metricsUrl = s.running.metricsUrl!;
    expect(new URL(metricsUrl).hostname).toBe('127.0.0.1');
    expect(new URL(metricsUrl).port).not.toBe(new URL(s.url).port);
    const res = await get(`${metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    looksLikeMetrics(res.text);
    expect((await get(`${s.url}/metrics`)).status).toBe(404);
  });

  it('serves nothing else there', async () => {
    for (const path of ['/', '/healthz', '/oauth2/token', '/v1/openapi.json']) expect((await get(`${s.running.metricsUrl}${path}`)).status).toBe(404);
  });
});
