-- Up Migration
-- Failed authentications per bucket ("addr:<ip>" or "key:<key id>") and one-minute
-- window, shared by every instance so that the budget holds across a cluster.
CREATE TABLE auth_failures (
  bucket       text NOT NULL CHECK (length(bucket) <= 200),
  window_start timestamptz NOT NULL,
  failures     integer NOT NULL,
  PRIMARY KEY (bucket, window_start)
);
CREATE INDEX auth_failures_window_start ON auth_failures (window_start);
