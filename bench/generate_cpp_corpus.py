#!/usr/bin/env python3
"""Writes a synthetic C++ service for the C++ benchmark, with its compile
database.

Each module is a cpp-httplib route file over libpqxx (the Debian headers),
in the shapes racelint analyses, racy and fixed: check-then-insert,
read-modify-write, locks, atomic updates, version checks, a helper called
in the caller's transaction. About 200 lines a module, plus one migration
per module and compile_commands.json listing every translation unit.
"""
import json
import os
import sys

MIGRATION = '''CREATE TABLE m{n}_accounts (
  id BIGSERIAL PRIMARY KEY,
  owner TEXT NOT NULL,
  balance BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE m{n}_users (
  id BIGSERIAL PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  handle TEXT NOT NULL
);
CREATE TABLE m{n}_documents (
  id BIGSERIAL PRIMARY KEY,
  body TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
'''

MODULE = '''// Generated module {n}.
#include <httplib.h>
#include <pqxx/pqxx>

#include <string>

namespace m{n} {{

long balanceOf(pqxx::transaction_base &tx, long id) {{
  return tx.exec_params1("SELECT balance FROM m{n}_accounts WHERE id = $1", id)[0]
      .as<long>();
}}

void debit(pqxx::transaction_base &tx, long id, long amount) {{
  tx.exec_params("UPDATE m{n}_accounts SET balance = balance - $1 WHERE id = $2",
                 amount, id);
}}

void routes(httplib::Server &server, pqxx::connection &db) {{
  server.Post("/m{n}/withdraw", [&](const httplib::Request &req, httplib::Response &res) {{
    pqxx::work tx{{db}};
    long id = std::stol(req.get_param_value("id"));
    long amount = std::stol(req.get_param_value("amount"));
    long balance = balanceOf(tx, id);
    if (balance < amount) {{
      res.status = 409;
      return;
    }}
    tx.exec_params("UPDATE m{n}_accounts SET balance = $1 WHERE id = $2",
                   balance - amount, id);
    tx.commit();
  }});

  server.Post("/m{n}/withdraw-locked", [&](const httplib::Request &req, httplib::Response &res) {{
    pqxx::work tx{{db}};
    long id = std::stol(req.get_param_value("id"));
    long amount = std::stol(req.get_param_value("amount"));
    pqxx::row account = tx.exec_params1(
        "SELECT balance FROM m{n}_accounts WHERE id = $1 FOR UPDATE", id);
    if (account["balance"].as<long>() < amount) {{
      res.status = 409;
      return;
    }}
    debit(tx, id, amount);
    tx.commit();
  }});

  server.Post("/m{n}/deposit", [&](const httplib::Request &req, httplib::Response &) {{
    pqxx::work tx{{db}};
    tx.exec_params("INSERT INTO idempotency_keys (key) VALUES ($1)",
                   req.get_header_value("Idempotency-Key"));
    tx.exec_params("UPDATE m{n}_accounts SET balance = balance + $1 WHERE id = $2",
                   std::stol(req.get_param_value("amount")),
                   std::stol(req.get_param_value("id")));
    tx.commit();
  }});

  server.Post("/m{n}/users", [&](const httplib::Request &req, httplib::Response &res) {{
    pqxx::work tx{{db}};
    std::string handle = req.get_param_value("handle");
    pqxx::result taken =
        tx.exec_params("SELECT id FROM m{n}_users WHERE handle = $1", handle);
    if (!taken.empty()) {{
      res.status = 409;
      return;
    }}
    tx.exec_params("INSERT INTO m{n}_users (email, handle) VALUES ($1, $2)",
                   req.get_param_value("email"), handle);
    tx.commit();
  }});

  server.Post("/m{n}/users/upsert", [&](const httplib::Request &req, httplib::Response &res) {{
    pqxx::work tx{{db}};
    pqxx::result created = tx.exec_params(
        "INSERT INTO m{n}_users (email, handle) VALUES ($1, $2) "
        "ON CONFLICT (email) DO NOTHING RETURNING id",
        req.get_param_value("email"), req.get_param_value("handle"));
    res.status = created.empty() ? 409 : 201;
    tx.commit();
  }});

  server.Put(R"(/m{n}/documents/(\\d+))", [&](const httplib::Request &req, httplib::Response &) {{
    pqxx::work tx{{db}};
    tx.exec_params("UPDATE m{n}_documents SET body = $1 WHERE id = $2", req.body,
                   req.matches[1].str());
    tx.commit();
  }});

  server.Put(R"(/m{n}/documents/(\\d+)/checked)", [&](const httplib::Request &req, httplib::Response &res) {{
    pqxx::work tx{{db}};
    pqxx::result saved = tx.exec_params(
        "UPDATE m{n}_documents SET body = $1, version = version + 1 "
        "WHERE id = $2 AND version = $3",
        req.body, req.matches[1].str(), req.get_header_value("If-Match"));
    if (saved.affected_rows() == 0)
      res.status = 412;
    tx.commit();
  }});

  server.Post("/m{n}/lookup", [&](const httplib::Request &req, httplib::Response &res) {{
    pqxx::nontransaction tx{{db}};
    pqxx::result row = tx.exec_params(
        "SELECT balance FROM m{n}_accounts WHERE id = $1 FOR UPDATE",
        std::stol(req.get_param_value("id")));
    res.status = row.empty() ? 404 : 200;
  }});
}}

}} // namespace m{n}
'''


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    os.makedirs(os.path.join(out, "src"), exist_ok=True)
    os.makedirs(os.path.join(out, "migrations"), exist_ok=True)
    with open(os.path.join(out, "migrations", "000_keys.sql"), "w") as f:
        f.write("CREATE TABLE idempotency_keys (key TEXT PRIMARY KEY);\n")
    commands = []
    for n in range(count):
        with open(os.path.join(out, "migrations", f"{n + 1:03d}_m{n}.sql"), "w") as f:
            f.write(MIGRATION.format(n=n))
        name = f"src/m{n}.cpp"
        with open(os.path.join(out, name), "w") as f:
            f.write(MODULE.format(n=n))
        commands.append({"directory": out, "file": name,
                         "command": f"c++ -std=c++17 -c {name} -o {name}.o"})
    with open(os.path.join(out, "compile_commands.json"), "w") as f:
        json.dump(commands, f, indent=1)


if __name__ == "__main__":
    main()
