#pragma once

#include <string>

namespace racelint::sql {

/// SQLite's spelling of what PostgreSQL's parser reads with the same
/// meaning for racelint: `?` and `?NNN` placeholders become `$n`; `BEGIN
/// IMMEDIATE|EXCLUSIVE`, which take the write lock at once so that writing
/// transactions run one at a time, becomes `BEGIN ISOLATION LEVEL
/// SERIALIZABLE`; `BEGIN DEFERRED` becomes `BEGIN`; and `INSERT OR IGNORE`
/// becomes `INSERT ... ON CONFLICT DO NOTHING`. Quoted text and comments are
/// kept as they are.
std::string sqliteToPostgres(const std::string &sql);

} // namespace racelint::sql
