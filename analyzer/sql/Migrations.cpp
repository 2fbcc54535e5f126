// DDL statements -> schema changes.

#include "SqlInternal.h"

#include <algorithm>

namespace racelint::sql {
namespace {

using pg::asNode;
using pg::Json;
using pg::member;
using pg::stringMember;

SourceLocation nameLocation(const StatementSource &source, const Json &body,
                            const std::string &name) {
  std::size_t at =
      source.begin +
      static_cast<std::size_t>(std::max(0, pg::intMember(body, "location", 0)));
  return source.file.span(at, at + std::max<std::size_t>(name.size(), 1));
}

std::string tableOf(const Json &rangeVar) { return pg::relationName(rangeVar); }

bool isSerialType(const std::string &type) {
  return type == "serial" || type == "bigserial" || type == "smallserial" ||
         type == "serial2" || type == "serial4" || type == "serial8";
}

std::string keyName(const std::string &table,
                    const std::vector<std::string> &columns,
                    const char *suffix) {
  std::string name = table;
  for (const std::string &column : columns)
    name += "_" + column;
  return name + "_" + suffix;
}

UniqueKey keyFromConstraint(const Json &constraint, const std::string &table,
                            std::vector<std::string> columns,
                            const StatementSource &source) {
  UniqueKey key;
  key.primary = stringMember(constraint, "contype") == "CONSTR_PRIMARY";
  key.columns = std::move(columns);
  key.name = stringMember(constraint, "conname");
  if (key.name.empty())
    key.name =
        key.primary ? table + "_pkey" : keyName(table, key.columns, "key");
  key.partial = member(constraint, "where_clause").is_object();
  key.declared = nameLocation(source, constraint, key.name);
  return key;
}

bool isKeyConstraint(const Json &constraint) {
  std::string type = stringMember(constraint, "contype");
  return type == "CONSTR_PRIMARY" || type == "CONSTR_UNIQUE";
}

/// A column definition, with the keys its inline constraints declare.
Column columnOf(const Json &definition, const std::string &table,
                const StatementSource &source, std::vector<UniqueKey> &keys) {
  Column column;
  column.name = stringMember(definition, "colname");
  column.type = pg::lastName(member(member(definition, "typeName"), "names"));
  column.declared = nameLocation(source, definition, column.name);
  if (isSerialType(column.type)) {
    column.hasDefault = true;
    column.nullable = false;
  }
  for (const Json &item : member(definition, "constraints")) {
    const Json *constraint = asNode(item, "Constraint");
    if (!constraint)
      continue;
    std::string type = stringMember(*constraint, "contype");
    if (type == "CONSTR_NOTNULL" || type == "CONSTR_PRIMARY")
      column.nullable = false;
    if (type == "CONSTR_DEFAULT" || type == "CONSTR_IDENTITY" ||
        type == "CONSTR_GENERATED")
      column.hasDefault = true;
    if (isKeyConstraint(*constraint))
      keys.push_back(
          keyFromConstraint(*constraint, table, {column.name}, source));
  }
  return column;
}

SchemaChange change(SchemaChange::Kind kind, std::string table,
                    const StatementSource &source) {
  SchemaChange result;
  result.kind = kind;
  result.table = std::move(table);
  result.where =
      source.file.span(source.begin, source.begin + source.text.size());
  return result;
}

void createTable(const Json &create, const StatementSource &source,
                 std::vector<SchemaChange> &changes) {
  const Json &relation = member(create, "relation");
  SchemaChange result =
      change(SchemaChange::Kind::CreateTable, tableOf(relation), source);
  result.ifNotExists = pg::boolMember(create, "if_not_exists");
  Table &table = result.tableDefinition;
  table.name = result.table;
  table.declared = nameLocation(source, relation, table.name);
  for (const Json &element : member(create, "tableElts")) {
    if (const Json *definition = asNode(element, "ColumnDef")) {
      table.columns.push_back(
          columnOf(*definition, table.name, source, table.uniqueKeys));
    } else if (const Json *constraint = asNode(element, "Constraint");
               constraint && isKeyConstraint(*constraint)) {
      table.uniqueKeys.push_back(keyFromConstraint(
          *constraint, table.name, pg::stringList(member(*constraint, "keys")),
          source));
    }
  }
  for (const UniqueKey &key : table.uniqueKeys)
    if (key.primary)
      for (const std::string &name : key.columns)
        if (Column *column = table.findColumn(name))
          column->nullable = false;
  changes.push_back(std::move(result));
}

void alterTable(const Json &alter, const StatementSource &source,
                std::vector<SchemaChange> &changes) {
  if (stringMember(alter, "objtype") != "OBJECT_TABLE")
    return;
  std::string table = tableOf(member(alter, "relation"));
  using Kind = SchemaChange::Kind;
  for (const Json &item : member(alter, "cmds")) {
    const Json *command = asNode(item, "AlterTableCmd");
    if (!command)
      continue;
    std::string subtype = stringMember(*command, "subtype");
    std::string name = stringMember(*command, "name");
    const Json &definition = member(*command, "def");
    if (subtype == "AT_AddColumn") {
      std::vector<UniqueKey> keys;
      SchemaChange add = change(Kind::AddColumn, table, source);
      add.column =
          columnOf(member(definition, "ColumnDef"), table, source, keys);
      changes.push_back(std::move(add));
      for (UniqueKey &key : keys) {
        SchemaChange unique = change(Kind::AddUniqueKey, table, source);
        unique.key = std::move(key);
        changes.push_back(std::move(unique));
      }
    } else if (subtype == "AT_DropColumn") {
      SchemaChange drop = change(Kind::DropColumn, table, source);
      drop.name = name;
      changes.push_back(std::move(drop));
    } else if (subtype == "AT_AddConstraint") {
      const Json *constraint = asNode(definition, "Constraint");
      if (!constraint || !isKeyConstraint(*constraint))
        continue;
      SchemaChange add = change(Kind::AddUniqueKey, table, source);
      add.key = keyFromConstraint(*constraint, table,
                                  pg::stringList(member(*constraint, "keys")),
                                  source);
      changes.push_back(std::move(add));
    } else if (subtype == "AT_DropConstraint") {
      SchemaChange drop = change(Kind::DropConstraint, table, source);
      drop.name = name;
      changes.push_back(std::move(drop));
    } else if (subtype == "AT_SetNotNull" || subtype == "AT_DropNotNull") {
      SchemaChange alterColumn = change(Kind::AlterColumn, table, source);
      alterColumn.name = name;
      alterColumn.setNullable = subtype == "AT_DropNotNull";
      changes.push_back(std::move(alterColumn));
    } else if (subtype == "AT_ColumnDefault") {
      SchemaChange alterColumn = change(Kind::AlterColumn, table, source);
      alterColumn.name = name;
      alterColumn.setHasDefault = definition.is_object();
      changes.push_back(std::move(alterColumn));
    } else if (subtype == "AT_AlterColumnType") {
      SchemaChange alterColumn = change(Kind::AlterColumn, table, source);
      alterColumn.name = name;
      alterColumn.setType = pg::lastName(
          member(member(member(definition, "ColumnDef"), "typeName"), "names"));
      changes.push_back(std::move(alterColumn));
    }
  }
}

void createIndex(const Json &index, const StatementSource &source,
                 std::vector<SchemaChange> &changes) {
  if (!pg::boolMember(index, "unique"))
    return;
  SchemaChange add = change(SchemaChange::Kind::AddUniqueKey,
                            tableOf(member(index, "relation")), source);
  for (const Json &item : member(index, "indexParams")) {
    const Json &element = member(item, "IndexElem");
    std::string column = stringMember(element, "name");
    if (!column.empty()) {
      add.key.columns.push_back(column);
      continue;
    }
    // An expression key such as lower(email) is unique on its columns too.
    pg::walk(member(element, "expr"), [&](const Json &node) {
      if (const Json *ref = asNode(node, "ColumnRef"))
        add.key.columns.push_back(pg::lastName(member(*ref, "fields")));
    });
  }
  add.key.name = stringMember(index, "idxname");
  if (add.key.name.empty())
    add.key.name = keyName(add.table, add.key.columns, "idx");
  add.key.partial = member(index, "whereClause").is_object();
  add.key.declared = nameLocation(source, member(index, "relation"), add.table);
  if (!stringMember(index, "idxname").empty()) {
    // IndexStmt has no location for its name: find the parsed name in the
    // statement's text to point at it.
    std::size_t at = source.text.find(add.key.name);
    if (at != std::string::npos)
      add.key.declared = source.file.span(
          source.begin + at, source.begin + at + add.key.name.size());
  }
  changes.push_back(std::move(add));
}

void renameObject(const Json &rename, const StatementSource &source,
                  std::vector<SchemaChange> &changes) {
  std::string type = stringMember(rename, "renameType");
  std::string table = tableOf(member(rename, "relation"));
  if (type == "OBJECT_TABLE") {
    SchemaChange result =
        change(SchemaChange::Kind::RenameTable, table, source);
    result.newName = stringMember(rename, "newname");
    changes.push_back(std::move(result));
  } else if (type == "OBJECT_COLUMN") {
    SchemaChange result =
        change(SchemaChange::Kind::RenameColumn, table, source);
    result.name = stringMember(rename, "subname");
    result.newName = stringMember(rename, "newname");
    changes.push_back(std::move(result));
  }
}

void dropObjects(const Json &drop, const StatementSource &source,
                 std::vector<SchemaChange> &changes) {
  std::string type = stringMember(drop, "removeType");
  bool table = type == "OBJECT_TABLE";
  if (!table && type != "OBJECT_INDEX")
    return;
  for (const Json &object : member(drop, "objects")) {
    std::vector<std::string> names =
        pg::stringList(member(member(object, "List"), "items"));
    // An index is dropped by its own name; a table's schema says which.
    std::string name = table           ? pg::relationName(names)
                       : names.empty() ? std::string()
                                       : names.back();
    SchemaChange result = change(table ? SchemaChange::Kind::DropTable
                                       : SchemaChange::Kind::DropIndex,
                                 table ? name : std::string(), source);
    result.name = name;
    changes.push_back(std::move(result));
  }
}

} // namespace

std::vector<SchemaChange> schemaChangesOf(const Json &statement,
                                          const StatementSource &source) {
  std::vector<SchemaChange> changes;
  std::string_view type = pg::nodeType(statement);
  const Json &body = pg::nodeBody(statement);
  if (type == "CreateStmt")
    createTable(body, source, changes);
  else if (type == "AlterTableStmt")
    alterTable(body, source, changes);
  else if (type == "IndexStmt")
    createIndex(body, source, changes);
  else if (type == "RenameStmt")
    renameObject(body, source, changes);
  else if (type == "DropStmt")
    dropObjects(body, source, changes);
  return changes;
}

} // namespace racelint::sql
