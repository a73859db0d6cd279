// A server that answers every request with the same 200 JSON body, about the size of a token
// response, after reading the request's body: the cheapest server there is, so that a load
// generator's own CPU cost per request can be measured against it (bench/client-cost.ts).
// Environment: PORT.
import { createServer } from 'node:http';

const BODY = Buffer.from(
  JSON.stringify({ access_token: 'x'.repeat(600), expires_in: 3600, token_type: 'Bearer', scope: '' }),
);

createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': BODY.length, 'cache-control': 'no-store' });
    res.end(BODY);
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
