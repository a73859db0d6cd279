// HTTP/1.1 requests written byte for byte on a socket, for tests that send what fetch
// and node:http refuse to (raw paths, control bytes and UTF-8 in the request line or in
// header values, duplicate headers, wrong lengths). One request per connection.
import { connect } from 'node:net';

export interface RawRequest {
  method: string;
  /** The request target exactly as sent: not normalised, not encoded. */
  target: string;
  /** Header lines in order (duplicates allowed), written as latin1 unless `utf8Headers`. */
  headers?: [string, string][];
  body?: string | Buffer;
  /** Send no Content-Length of our own (the headers may carry one, or none). */
  noContentLength?: boolean;
  utf8Headers?: boolean;
  timeoutMs?: number;
}

export interface RawResponse {
  /** 0 when the server closed the connection without a complete response. */
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** Parses one response from `buf`; undefined while incomplete. 1xx interim answers are skipped. */
function parse(buf: Buffer, closed: boolean, head: boolean): RawResponse | undefined {
  let start = 0;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', start);
    if (end < 0) return undefined;
    const [statusLine, ...lines] = buf.subarray(start, end).toString('latin1').split('\r\n');
    const status = Number(statusLine.split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      headers[name] = headers[name] === undefined ? line.slice(colon + 1).trim() : `${headers[name]}, ${line.slice(colon + 1).trim()}`;
    }
    if (status >= 100 && status < 200) {
      start = end + 4;
      continue;
    }
    let body = buf.subarray(end + 4);
    if (head || status === 204 || status === 304) {
      body = Buffer.alloc(0);
    } else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (body.length < length) return undefined;
      body = body.subarray(0, length);
    } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const chunks: Buffer[] = [];
      let at = 0;
      for (;;) {
        const lineEnd = body.indexOf('\r\n', at);
        if (lineEnd < 0) return undefined;
        const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
        if (size === 0) break;
        if (body.length < lineEnd + 2 + size + 2) return undefined;
        chunks.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(chunks);
    } else if (!closed) {
      return undefined;
    }
    return { status, headers, text: body.toString('utf8') };
  }
}

export function rawRequest(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  const headers: [string, string][] = [['Host', `${hostname}:${port}`], ['Connection', 'close'], ...(req.headers ?? [])];
  if (body && !req.noContentLength) headers.push(['Content-Length', String(body.length)]);
  const head = `${req.method} ${req.target} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;

  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      const res = parse(received, closed, req.method === 'HEAD');
      if (!res && !closed) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(res ?? { status: 0, headers: {}, text: received.toString('utf8') });
    };
    const timer = setTimeout(() => {
      done = true;
      socket.destroy();
      reject(new Error(`no response within ${req.timeoutMs ?? 10_000} ms to ${req.method} ${req.target.slice(0, 200)}`));
    }, req.timeoutMs ?? 10_000);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      finish(false);
    });
    // A server that answers early (413, 431) may close before taking the whole upload.
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.write(Buffer.from(head, req.utf8Headers ? 'utf8' : 'latin1'));
    if (body) socket.write(body);
  });
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodes the UTF-8 bytes of any string, lone surrogates included (as U+FFFD). */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
