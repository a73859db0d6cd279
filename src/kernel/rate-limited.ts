// Thrown where a blocked address or key asks for a check that would cost bcrypt; each
// surface turns it into its own 429 with Retry-After (RFC 6585).
export class RateLimited extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed authentication attempts. Retry after ${retryAfterSeconds} seconds.`);
    this.name = 'RateLimited';
  }
}

// Thrown when expensive work (bcrypt) is refused because its queue is full or the request
// waited past the deadline; each surface answers 503 (temporarily_unavailable) with Retry-After.
export class Overloaded extends Error {
  constructor(readonly retryAfterSeconds = 1) {
    super('The server is busy checking passwords. Retry shortly.');
    this.name = 'Overloaded';
  }
}
