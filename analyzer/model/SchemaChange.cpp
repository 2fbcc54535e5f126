#include "SchemaChange.h"

#include <algorithm>

namespace racelint {
namespace {

void eraseKeysNamed(Table &table, const std::string &name) {
  std::erase_if(table.uniqueKeys,
                [&](const UniqueKey &key) { return key.name == name; });
}

void renameColumn(Table &table, const std::string &from,
                  const std::string &to) {
  if (Column *column = table.findColumn(from))
    column->name = to;
  for (UniqueKey &key : table.uniqueKeys)
    std::replace(key.columns.begin(), key.columns.end(), from, to);
  if (table.declaredVersionColumn == from)
    table.declaredVersionColumn = to;
}

void dropColumn(Table &table, const std::string &name) {
  std::erase_if(table.columns,
                [&](const Column &column) { return column.name == name; });
  // PostgreSQL drops every index and constraint that uses the column.
  std::erase_if(table.uniqueKeys, [&](const UniqueKey &key) {
    return std::find(key.columns.begin(), key.columns.end(), name) !=
           key.columns.end();
  });
}

/// Adds what an ORM declaration states to a table a migration made: the
/// migrations keep their word on each column, the model adds what they lack.
void mergeDeclaration(Table &table, const Table &declared) {
  for (const Column &column : declared.columns)
    if (!table.findColumn(column.name))
      table.columns.push_back(column);
  for (const UniqueKey &key : declared.uniqueKeys)
    if (!table.uniqueKeyWithin(key.columns) ||
        table.uniqueKeyWithin(key.columns)->partial)
      table.uniqueKeys.push_back(key);
  if (declared.declaredVersionColumn)
    table.declaredVersionColumn = declared.declaredVersionColumn;
}

} // namespace

void applySchemaChange(Schema &schema, const SchemaChange &change) {
  using Kind = SchemaChange::Kind;
  if (change.kind == Kind::CreateTable) {
    if (!change.ifNotExists || !schema.findTable(change.table))
      schema.createTable(change.tableDefinition);
    return;
  }
  if (change.kind == Kind::DeclareTable) {
    if (Table *existing = schema.findTable(change.table))
      mergeDeclaration(*existing, change.tableDefinition);
    else
      schema.createTable(change.tableDefinition);
    return;
  }
  if (change.kind == Kind::DropIndex) {
    for (const auto &[name, table] : schema.tables())
      eraseKeysNamed(*schema.findTable(name), change.name);
    return;
  }
  Table *table = schema.findTable(change.table);
  if (!table)
    return; // a migration of a table we never saw created: nothing to track
  switch (change.kind) {
  case Kind::DropTable:
    schema.dropTable(change.table);
    break;
  case Kind::RenameTable:
    schema.renameTable(change.table, change.newName);
    break;
  case Kind::AddColumn:
    if (!table->findColumn(change.column.name))
      table->columns.push_back(change.column);
    break;
  case Kind::DropColumn:
    dropColumn(*table, change.name);
    break;
  case Kind::RenameColumn:
    renameColumn(*table, change.name, change.newName);
    break;
  case Kind::AlterColumn:
    if (Column *column = table->findColumn(change.name)) {
      if (change.setNullable)
        column->nullable = *change.setNullable;
      if (change.setHasDefault)
        column->hasDefault = *change.setHasDefault;
      if (change.setType)
        column->type = *change.setType;
    }
    break;
  case Kind::AddUniqueKey:
    eraseKeysNamed(*table, change.key.name);
    table->uniqueKeys.push_back(change.key);
    if (change.key.primary)
      for (const std::string &name : change.key.columns)
        if (Column *column = table->findColumn(name))
          column->nullable = false;
    break;
  case Kind::DropConstraint:
    eraseKeysNamed(*table, change.name);
    break;
  case Kind::CreateTable:
  case Kind::DropIndex:
  case Kind::DeclareTable:
    break;
  }
}

SchemaChange declareTable(Table table) {
  SchemaChange change;
  change.kind = SchemaChange::Kind::DeclareTable;
  change.table = table.name;
  change.where = table.declared;
  change.tableDefinition = std::move(table);
  return change;
}

} // namespace racelint
