#pragma once

#include "SourceLocation.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace racelint {

struct Column {
  std::string name;
  std::string type;
  bool nullable = true;
  bool hasDefault = false;
  SourceLocation declared;
};

/// A primary key, UNIQUE constraint or unique index. A partial index (one with
/// a WHERE clause) only enforces uniqueness on the rows it selects.
struct UniqueKey {
  std::string name;
  std::vector<std::string> columns;
  bool primary = false;
  bool partial = false;
  SourceLocation declared;
};

struct Table {
  std::string name;
  std::vector<Column> columns;
  std::vector<UniqueKey> uniqueKeys;
  /// Set when an ORM declares the column explicitly (e.g. @VersionColumn);
  /// otherwise the version column is found by its conventional name.
  std::optional<std::string> declaredVersionColumn;
  SourceLocation declared;

  const Column *findColumn(const std::string &name) const;
  Column *findColumn(const std::string &name);
  const Column *versionColumn() const;
  /// The strongest unique key whose columns all appear in `columns`, if any:
  /// a full key beats a partial one.
  const UniqueKey *
  uniqueKeyWithin(const std::vector<std::string> &columns) const;
};

/// Names are folded to lower case unless they were quoted, as PostgreSQL does;
/// the front-ends pass names already folded.
class Schema {
public:
  Table *findTable(const std::string &name);
  const Table *findTable(const std::string &name) const;
  Table &createTable(Table table);
  void dropTable(const std::string &name);
  void renameTable(const std::string &from, const std::string &to);
  const std::map<std::string, Table> &tables() const { return tables_; }

private:
  std::map<std::string, Table> tables_;
};

/// True for the conventional optimistic-lock column names.
bool isConventionalVersionColumnName(const std::string &name);

} // namespace racelint
