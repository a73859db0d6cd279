// The HTTP server's time limits, as README documents them: the request head must arrive
// within 10 s and the whole request (head and body) within 30 s, else the connection is
// answered 408 and closed; an idle keep-alive connection is closed after 65 s (longer than
// the 60 s idle timeout of common load balancers, so the balancer closes first).
export const HTTP_TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 65_000,
  // How often Node checks the two limits above (its default, 30 s, would let a slow head run to 40 s).
  connectionsCheckingInterval: 1_000,
} as const;
