#pragma once

// SQL statement text -> program-model events. The SQL front-end calls this for
// migrations and PL/pgSQL bodies; the other front-ends call it for every SQL
// string they find in code.

#include "PgJson.h"
#include "model/Program.h"

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace racelint::sql {

/// Names that stand for values rather than columns: PL/pgSQL variables and
/// parameters. `$1`-style parameters are always values.
struct SqlContext {
  std::set<std::string> variables;
};

/// A data event with the variables it uses. Event locations are left unset;
/// `offset` is the position in the statement text it came from.
struct StatementEvent {
  Event event;
  std::size_t offset = 0;
  /// Variables whose values the event writes (SET and VALUES expressions).
  std::set<std::string> valueVariables;
  /// For an update: the variables in each column's new value.
  std::map<std::string, std::set<std::string>> columnVariables;
  /// Key columns and the variables they are compared with (`id = v_id`).
  std::vector<std::pair<std::string, std::string>> keyVariables;
};

struct StatementFacts {
  /// In execution order: reads inside subqueries and CTEs come first.
  std::vector<StatementEvent> events;
  /// Every variable the statement mentions anywhere.
  std::set<std::string> variablesUsed;
  /// `SET TRANSACTION ISOLATION LEVEL ...` (applies to the open transaction).
  std::optional<Isolation> setIsolation;
};

struct ParseOutcome {
  pg::Json tree; // {"version":..., "stmts":[...]} when parsing succeeded
  std::optional<std::string> error;
  std::size_t errorOffset = 0; // 0-based byte offset into the text
  /// The SQL is valid, but nests deeper than racelint analyses.
  bool tooDeep = false;
};

/// Parses SQL with libpg_query (the PostgreSQL 15 grammar).
ParseOutcome parseSql(const std::string &text);

/// The facts of one parsed statement node (a `stmts[i].stmt` value).
StatementFacts analyzeStatement(const pg::Json &statement,
                                const SqlContext &context);

/// Parses and analyses every statement of `sql`; nullopt with `error` set
/// when libpg_query rejects it, and `tooDeep` when the SQL is valid but nests
/// deeper than racelint analyses.
std::optional<StatementFacts> analyzeSql(const std::string &sql,
                                         const SqlContext &context,
                                         std::string *error = nullptr,
                                         bool *tooDeep = nullptr);

/// The facts of a bare expression, as PL/pgSQL conditions are written
/// (`v_status = 'open'`, `EXISTS (SELECT ...)`, `FOUND`).
std::optional<StatementFacts> analyzeExpression(const std::string &expression,
                                                const SqlContext &context);

} // namespace racelint::sql
