#pragma once

#include "Schema.h"

#include <optional>
#include <string>
#include <vector>

namespace racelint {

/// One DDL effect, as a migration states it. Front-ends emit these per file
/// (in parallel); the engine applies them in migration order.
struct SchemaChange {
  enum class Kind {
    CreateTable,
    DropTable,
    RenameTable,
    AddColumn,
    DropColumn,
    RenameColumn,
    AlterColumn,
    AddUniqueKey,
    DropConstraint, // a UNIQUE/PRIMARY KEY constraint, by name
    DropIndex,      // a unique index, by name, on whichever table holds it
    /// An ORM model's declaration of a table: creates it, or adds to an
    /// existing one the columns, unique keys and version column it declares.
    DeclareTable,
  };
  Kind kind = Kind::CreateTable;
  std::string table;
  /// Column, constraint or index name, depending on the kind.
  std::string name;
  /// The new name for RenameTable/RenameColumn.
  std::string newName;
  Table tableDefinition;
  /// CREATE TABLE IF NOT EXISTS: an existing table is kept as it is.
  bool ifNotExists = false;
  Column column;
  UniqueKey key;
  std::optional<bool> setNullable;
  std::optional<bool> setHasDefault;
  std::optional<std::string> setType;
  SourceLocation where;
};

void applySchemaChange(Schema &schema, const SchemaChange &change);

/// An ORM model's declaration of `table` (a DeclareTable change).
SchemaChange declareTable(Table table);

} // namespace racelint
