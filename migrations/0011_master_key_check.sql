-- Up Migration
-- A key-check value for KEYMINT_MASTER_KEY (issue 10): a known text sealed with the master
-- key by the first instance or command that runs with it. Every instance and command opens
-- it before writing anything sealed; with another master key it fails, and nothing is
-- written (src/crypto/master-key-check.ts). One row at most.
CREATE TABLE master_key_check (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  sealed     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
