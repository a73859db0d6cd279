// How the server sends the console: under its own strict Content-Security-Policy, with
// index.html revalidated and hashed assets cached for a year, every console route answered
// with index.html, and nothing inline that the policy would have to allow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const get = (path: string) => fetch(`${server.url}${path}`, { redirect: 'manual' });

describe('the console as served', () => {
  it('sends / to /console/', async () => {
    const res = await get('/');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/console/');
  });

  it('serves index.html under a strict policy, revalidated, with nothing inline', async () => {
    const res = await get('/console/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    // pages get helmet's document headers too, which the JSON API leaves off
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it('caches hashed assets for a year', async () => {
    const html = await (await get('/console/')).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      const res = await get(asset);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
  });

  it('answers console routes with index.html, and a missing asset with 404', async () => {
    const page = await get('/console/projects/0b8f5c3e-4f1c-4f7e-9a59-1c1e0d8a2b7d/api-settings');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    expect((await get('/console/assets/missing-abc123.js')).status).toBe(404);
  });

  it('keeps the API policy on the API', async () => {
    const res = await get('/healthz');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});
