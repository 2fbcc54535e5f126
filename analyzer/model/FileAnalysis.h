#pragma once

#include "Diagnostics.h"
#include "Program.h"
#include "SchemaChange.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace racelint {

/// What one front-end learned from one file. Produced in parallel; merged by
/// the engine in a deterministic order.
struct FileAnalysis {
  std::string path;
  std::vector<SchemaChange> schemaChanges;
  std::vector<Unit> units;
  std::vector<Diagnostic> diagnostics;
  /// Table names the code refers to indirectly ("typeorm:Band" -> "band").
  std::map<std::string, std::string> tableNames;
  /// Per table, the database column of each field name the code uses.
  std::map<std::string, std::map<std::string, std::string>> columnNames;
  /// Tables known by a conventional name elsewhere: Django's migrations name
  /// a model's table `<app>_<model>` unless its `db_table` (declared in
  /// another file) says otherwise. Default name -> declared name.
  std::map<std::string, std::string> tableAliases;
  /// Databases the file's configuration names (a SQLAlchemy URL, a Django
  /// ENGINE): dialect ("sqlite", "postgresql", ...) -> where. Row locks of
  /// code whose only database is SQLite lock nothing.
  std::map<std::string, SourceLocation> databaseDialects;
  /// Isolation levels the file's engines are created with
  /// (`create_engine(url, isolation_level="SERIALIZABLE")`).
  std::set<Isolation> engineIsolations;
  /// The file is ORM code (Python): its row locks and transactions are the
  /// ORM's (which SQLite runs without locks, which an engine's isolation
  /// level governs), not SQL written for PostgreSQL.
  bool ormCode = false;
  /// An Alembic migration: its revision and the one it follows; migrations
  /// apply in the order of that chain, not of their file names.
  std::string migrationRevision, migrationParent;
};

} // namespace racelint
