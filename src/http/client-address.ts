// The client's address behind trusted reverse proxies (TRUST_PROXY): walking X-Forwarded-For
// from the right, the first entry that is not a trusted proxy. The rules are proxy-addr's,
// the library express's 'trust proxy' uses; express (req.ip), oidc-provider (ctx.ip, set by
// provider.ts) and the HMAC token path all take the address from clientAddress(), so a
// failure counts against the same address whichever door it came through. The left-most
// entry is never taken on faith: the client writes it.
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** false: no proxy; a number: that many proxies in front; a list: the proxies' addresses/CIDRs. */
export type TrustProxy = false | number | readonly string[];

export type TrustFunction = (address: string, hop: number) => boolean;

/** proxy-addr's trust function for TRUST_PROXY (also given to express's 'trust proxy'). */
export function trustFunction(trust: TrustProxy): TrustFunction {
  if (trust === false) return () => false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return proxyaddr.compile([...trust]);
}

export type ClientAddress = (req: IncomingMessage) => string | undefined;

export function clientAddressResolver(trust: TrustProxy): ClientAddress {
  // Without proxies there is nothing to parse (the token endpoint's hot path).
  if (trust === false || trust === 0) return (req) => req.socket.remoteAddress;
  const fn = trustFunction(trust);
  return (req) => (req.socket.remoteAddress === undefined ? undefined : proxyaddr(req, fn));
}

/** TRUST_PROXY's value, or an error message saying what to set. */
export function parseTrustProxy(raw: string | undefined): TrustProxy | { error: string } {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') {
    return {
      error:
        '"true" is no longer accepted: it took the left-most X-Forwarded-For entry, which the client writes. ' +
        'Set the number of proxies in front of Keymint (e.g. TRUST_PROXY=1) or their addresses/CIDRs (e.g. TRUST_PROXY=10.0.0.0/8,127.0.0.1)',
    };
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops <= 32 ? hops : { error: 'a hop count must be at most 32' };
  }
  const list = value.split(',').map((s) => s.trim());
  try {
    if (list.some((s) => s === '')) throw new Error('empty entry');
    proxyaddr.compile(list);
  } catch {
    return { error: 'must be a hop count (e.g. 1) or a comma-separated list of proxy addresses or CIDRs (e.g. 10.0.0.0/8,127.0.0.1; also loopback, linklocal, uniquelocal)' };
  }
  return Object.freeze(list);
}
