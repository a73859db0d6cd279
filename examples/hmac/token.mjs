// An HMAC-signed POST /oauth2/token with Node's crypto and fetch (docs/HMAC.md).
// Usage: KEYMINT_URL=http://localhost:3000 API_KEY=… API_SECRET=… node token.mjs
import { createHash, createHmac } from 'node:crypto';

const { KEYMINT_URL, API_KEY, API_SECRET } = process.env;
const body = 'grant_type=client_credentials';
const date = new Date().toUTCString(); // IMF-fixdate: "Tue, 05 Mar 2024 09:07:03 GMT"
const md5 = createHash('md5').update(body).digest('hex');
const stringToSign = [`date: ${date}`, `x-Content-MD5: ${md5}`, 'POST /oauth2/token HTTP/1.1'].join('\n');
const signature = createHmac('sha256', API_SECRET).update(stringToSign).digest('base64');

const res = await fetch(`${KEYMINT_URL}/oauth2/token`, {
  method: 'POST',
  headers: {
    Date: date,
    'x-Content-MD5': md5,
    'Content-Type': 'application/x-www-form-urlencoded',
    Authorization: `hmac username="${API_KEY}", algorithm="hmac-sha256", headers="date x-Content-MD5 request-line", signature="${signature}"`,
  },
  body,
});
console.log(await res.text());
