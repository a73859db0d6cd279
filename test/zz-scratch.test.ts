import { it } from 'vitest';
import { startTestServer } from './helpers/server.js';
it('explore', async () => {
  const s = await startTestServer({ TOKEN_SCOPES: 'read write' });
  const b = await s.bootstrap();
  const id = b.accessKey.accessKeyId;
  const show = async (label: string, init: RequestInit, path = '/oauth2/token') => {
    const r = await fetch(s.url + path, init);
    console.log(label, r.status, JSON.stringify([...r.headers]), await r.text());
  };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  await show('ok', { method: 'POST', headers: { ...form, authorization: s.basic(id, b.secret), origin: 'https://evil.example' }, body: 'grant_type=client_credentials' });
  await show('okscope', { method: 'POST', headers: { ...form, authorization: s.basic(id, b.secret) }, body: 'grant_type=client_credentials&scope=read' });
  await show('wrong', { method: 'POST', headers: { ...form, authorization: s.basic(id, 'x') }, body: 'grant_type=client_credentials' });
  await show('unknown', { method: 'POST', headers: { ...form, authorization: s.basic(crypto.randomUUID(), 'x') }, body: 'grant_type=client_credentials' });
  await show('nonuuid', { method: 'POST', headers: { ...form, authorization: s.basic('abc', 'x') }, body: 'grant_type=client_credentials' });
  await show('post-wrong', { method: 'POST', headers: { ...form }, body: `grant_type=client_credentials&client_id=${id}&client_secret=x` });
  await show('nogrant', { method: 'POST', headers: { ...form, authorization: s.basic(id, b.secret) }, body: '' });
  await show('password', { method: 'POST', headers: { ...form, authorization: s.basic(id, b.secret) }, body: 'grant_type=password' });
  await show('authcode', { method: 'POST', headers: { ...form, authorization: s.basic(id, b.secret) }, body: 'grant_type=authorization_code&code=x' });
  await show('json', { method: 'POST', headers: { 'content-type': 'application/json', authorization: s.basic(id, b.secret) }, body: '{"grant_type":"client_credentials"}' });
  await show('dup', { method: 'POST', headers: { ...form, authorization: s.basic(id, b.secret) }, body: 'grant_type=client_credentials&grant_type=client_credentials' });
  await show('both', { method: 'POST', headers: { ...form, authorization: s.basic(id, b.secret) }, body: `grant_type=client_credentials&client_id=${id}&client_secret=${b.secret}` });
  await show('nocreds', { method: 'POST', headers: { ...form }, body: 'grant_type=client_credentials' });
  await show('resource', { method: 'POST', headers: { ...form, authorization: s.basic(id, b.secret) }, body: 'grant_type=client_credentials&resource=https://other.example' });
  await show('badscope', { method: 'POST', headers: { ...form, authorization: s.basic(id, b.secret) }, body: 'grant_type=client_credentials&scope=admin' });
  await show('get', { method: 'GET' });
  for (const p of ['/auth', '/authorize', '/me', '/userinfo', '/reg', '/session/end', '/token/introspection', '/token/revocation', '/jwks', '/request', '/device/auth'])
    await show(p, { method: 'POST' }, p);
  await show('disc', {}, '/.well-known/openid-configuration');
  await show('jwks', {}, '/.well-known/jwks.json');
  await s.close();
});
