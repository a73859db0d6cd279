// The load generator's HTTP/1.1 response parser (bench/raw-load.ts): just enough to find
// where one response ends on a keep-alive connection — the status line, Content-Length,
// and Connection: close. Anything it cannot frame (chunked bodies, no length, a malformed
// head) is a ProtocolError: the generator counts it and drops the connection, never guesses.
const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD_BYTES = 64 * 1024;
const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: |$)/;

export class ProtocolError extends Error {}

export interface Answer {
  status: number;
  /** The server said Connection: close: this connection carries no further request. */
  close: boolean;
}

/** One connection's response stream, fed chunk by chunk; one request outstanding at a time. */
export class ResponseReader {
  private head: Buffer | undefined;
  /** Body bytes still to come; -1 while reading a head. */
  private bodyLeft = -1;
  private status = 0;
  private close = false;

  /** The response that `chunk` completes, or undefined while more bytes are needed. `chunk` is not kept: its memory may be reused. */
  feed(chunk: Buffer): Answer | undefined {
    let bodyBytes = chunk.length;
    if (this.bodyLeft < 0) {
      const bytes = this.head ? Buffer.concat([this.head, chunk]) : chunk;
      const end = bytes.indexOf(HEAD_END, this.head ? Math.max(0, this.head.length - 3) : 0);
      if (end < 0) {
        if (bytes.length > MAX_HEAD_BYTES) throw new ProtocolError('a response head over 64 KiB');
        this.head = bytes === chunk ? Buffer.from(chunk) : bytes;
        return undefined;
      }
      this.head = undefined;
      this.bodyLeft = this.readHead(bytes.toString('latin1', 0, end));
      bodyBytes = bytes.length - end - HEAD_END.length;
    }
    if (bodyBytes > this.bodyLeft) throw new ProtocolError('more bytes than the response announced (or an answer nobody asked for)');
    this.bodyLeft -= bodyBytes;
    if (this.bodyLeft > 0) return undefined;
    this.bodyLeft = -1;
    return { status: this.status, close: this.close };
  }

  /** Reads the status and framing headers; returns the body's length. */
  private readHead(head: string): number {
    const status = STATUS_LINE.exec(head);
    if (!status) throw new ProtocolError('a response that does not start with an HTTP/1.x status line');
    this.status = Number(status[1]);
    this.close = false;
    let length: number | undefined;
    for (let start = head.indexOf('\r\n') + 2; start > 1 && start < head.length; ) {
      const eol = head.indexOf('\r\n', start);
      const end = eol < 0 ? head.length : eol;
      const colon = head.indexOf(':', start);
      if (colon <= start || colon > end) throw new ProtocolError('a malformed header line in a response');
      // Only three names matter; their lengths spare the case-folding of every other header.
      const nameLength = colon - start;
      if (nameLength === 14 || nameLength === 17 || nameLength === 10) {
        const name = head.slice(start, colon).toLowerCase();
        const value = head.slice(colon + 1, end).trim();
        if (name === 'content-length') {
          if (!/^\d+$/.test(value) || (length !== undefined && length !== Number(value))) throw new ProtocolError('a response with an invalid Content-Length');
          length = Number(value);
        } else if (name === 'transfer-encoding') {
          throw new ProtocolError('a response with Transfer-Encoding (chunked): this client reads Content-Length bodies only');
        } else if (name === 'connection') {
          this.close ||= value.toLowerCase().split(',').some((token) => token.trim() === 'close');
        }
      }
      start = end + 2;
    }
    if (this.status < 200) throw new ProtocolError('an interim 1xx response: this client sends nothing that asks for one');
    if (length !== undefined) return length;
    if (this.status === 204 || this.status === 304) return 0;
    throw new ProtocolError('a response without Content-Length: this client cannot tell where it ends');
  }
}
