#!/usr/bin/env python3
"""Writes a large synthetic migration corpus for the benchmark.

Each file is a timestamped migration with tables, indexes, ALTERs and
PL/pgSQL functions in the shapes racelint analyses (racy and fixed ones),
so the scan exercises the schema builder, the PL/pgSQL walker and the rules.
"""
import os
import sys

TABLE = """CREATE TABLE t{n}_accounts (
  id bigserial PRIMARY KEY,
  owner_id bigint NOT NULL,
  email text NOT NULL,
  balance integer NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'open',
  idempotency_key text,
  version integer
);
CREATE UNIQUE INDEX t{n}_accounts_email ON t{n}_accounts (lower(email)) WHERE status <> 'closed';
ALTER TABLE t{n}_accounts ADD COLUMN note text, ALTER COLUMN version SET DEFAULT 1;
CREATE INDEX t{n}_accounts_owner ON t{n}_accounts (owner_id);
INSERT INTO t{n}_accounts (owner_id, email) VALUES ({n}, 'seed{n}@example.com');
"""

FUNCTIONS = """CREATE OR REPLACE FUNCTION t{n}_spend(p_id bigint, p_amount int)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE v_balance int; v_status text;
BEGIN
  SELECT balance, status INTO v_balance, v_status FROM t{n}_accounts WHERE id = p_id;
  IF v_status <> 'open' THEN
    RAISE EXCEPTION 'closed';
  END IF;
  IF v_balance < p_amount THEN
    RAISE EXCEPTION 'insufficient';
  END IF;
  UPDATE t{n}_accounts SET balance = v_balance - p_amount WHERE id = p_id;
  UPDATE t{n}_accounts SET status = 'used' WHERE id = p_id;
END $$;

CREATE OR REPLACE FUNCTION t{n}_spend_safely(p_id bigint, p_amount int)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE t{n}_accounts SET balance = balance - p_amount
  WHERE id = p_id AND balance >= p_amount AND status = 'open';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'rejected';
  END IF;
END $$;

CREATE OR REPLACE FUNCTION t{n}_register(p_owner bigint, p_email text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v_id bigint;
BEGIN
  IF EXISTS (SELECT 1 FROM t{n}_accounts WHERE owner_id = p_owner) THEN
    RETURN 0;
  END IF;
  INSERT INTO t{n}_accounts (owner_id, email) VALUES (p_owner, p_email) RETURNING id INTO v_id;
  RETURN v_id;
END $$;
"""


def main():
    out = sys.argv[1]
    files = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    os.makedirs(out, exist_ok=True)
    for i in range(files):
        with open(os.path.join(out, f"{20240101000000 + i}_m{i}.sql"), "w") as f:
            for block in range(3):
                n = i * 3 + block
                f.write(TABLE.format(n=n))
                f.write(FUNCTIONS.format(n=n))


if __name__ == "__main__":
    main()
