#pragma once

// Pieces of the SQL front-end shared between its translation units.

#include "PgJson.h"
#include "engine/SourceFile.h"
#include "model/Diagnostics.h"
#include "model/Program.h"
#include "model/SchemaChange.h"

#include <optional>
#include <string>
#include <vector>

namespace racelint::sql {

/// One statement of a file: its text and where it starts in the file.
struct StatementSource {
  const SourceFile &file;
  std::size_t begin = 0; // byte offset of the statement's first token
  std::string text;      // from `begin` to the end of the statement
};

/// A token of PostgreSQL's own scanner, with what the front-end asks of it.
struct SqlToken {
  std::size_t begin = 0, end = 0; // byte offsets in the scanned text
  bool semicolon = false;
  bool begins = false; // the keyword BEGIN
  bool identifier = false;
};
/// The tokens of `text` (none when the scanner rejects it: an unterminated
/// quote or comment).
std::vector<SqlToken> scanSql(const std::string &text);

/// Schema changes made by a DDL statement (none for anything else).
std::vector<SchemaChange> schemaChangesOf(const pg::Json &statement,
                                          const StatementSource &source);

/// The unit of a `CREATE FUNCTION ... LANGUAGE plpgsql`; nullopt for other
/// languages. Problems with the body are added to `diagnostics`.
std::optional<Unit> plpgsqlUnitOf(const pg::Json &createFunction,
                                  const StatementSource &source,
                                  std::vector<Diagnostic> &diagnostics);

} // namespace racelint::sql
