// Thrown where a blocked address or key asks for a check that would cost bcrypt; each
// surface turns it into its own 429 with Retry-After (RFC 6585).
export class RateLimited extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed authentication attempts. Retry after ${retryAfterSeconds} seconds.`);
    this.name = 'RateLimited';
  }
}
