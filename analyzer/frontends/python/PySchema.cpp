// SQLAlchemy declarative models and Alembic migrations -> schema changes.

#include "PyInternal.h"
#include "sql/SqlFrontend.h"

namespace racelint::py {

/// The last name of `a.b.Column` / `Column`.
std::string lastName(const Source &source, Node node) {
  if (ts::is(node, "attribute"))
    return source.str(ts::field(node, "attribute"));
  if (ts::is(node, "identifier"))
    return source.str(node);
  return {};
}

bool isTrue(const Source &source, Node node) {
  return ts::is(node, "true") || source.text(node) == "True";
}

/// Strings of a list or tuple literal (`["a", "b"]`), or one string.
std::vector<std::string> stringList(const Source &source, Node node) {
  std::vector<std::string> values;
  if (auto one = stringOf(source, node)) {
    values.push_back(*one);
    return values;
  }
  for (Node item : ts::namedChildren(node))
    if (auto value = stringOf(source, item))
      values.push_back(*value);
    else if (ts::is(item, "attribute") || ts::is(item, "identifier"))
      values.push_back(lastName(source, item));
  return values;
}

SchemaChange schemaChangeAt(SchemaChange::Kind kind, const std::string &table,
                            const Source &source, Node at) {
  SchemaChange result;
  result.kind = kind;
  result.table = table;
  result.where = source.where(at);
  return result;
}

void addKey(Table &table, std::vector<std::string> columns, bool primary,
            const std::string &name, const SourceLocation &declared) {
  if (columns.empty())
    return;
  UniqueKey key;
  key.columns = std::move(columns);
  key.primary = primary;
  key.name = name.empty() ? table.name + "(" + key.columns.front() + ")" : name;
  key.declared = declared;
  table.uniqueKeys.push_back(std::move(key));
}

namespace {

using lowering::addUnique;

/// A Column(...) / mapped_column(...) call: the column it declares.
struct ColumnDecl {
  Column column;
  bool primary = false, unique = false;
};

/// SQLAlchemy 2.0 reads nullability off `Mapped[...]` unless told:
/// `Mapped[str]` is NOT NULL, `Mapped[Optional[str]]`/`Mapped[str | None]`
/// is not. Without an annotation a column is nullable.
bool nullableByAnnotation(const Source &source, Node annotation) {
  if (ts::isNull(annotation))
    return true;
  std::string text = source.str(annotation);
  return text.find("Optional[") != std::string::npos ||
         text.find("None") != std::string::npos;
}

ColumnDecl columnOf(const Source &source, const Arguments &args,
                    const std::string &attributeName, Node at,
                    Node annotation = {}) {
  ColumnDecl decl;
  decl.column.name = attributeName;
  decl.column.nullable = nullableByAnnotation(source, annotation);
  decl.column.declared = source.where(at);
  for (Node argument : args.positional)
    if (auto name = stringOf(source, argument))
      decl.column.name = *name; // Column("db_name", Integer)
  for (const auto &[key, value] : args.keywords) {
    if (key == "primary_key")
      decl.primary = isTrue(source, value);
    else if (key == "unique")
      decl.unique = isTrue(source, value);
    else if (key == "nullable")
      decl.column.nullable = isTrue(source, value);
    else if (key == "default" || key == "server_default")
      decl.column.hasDefault = true;
    else if (key == "name")
      if (auto name = stringOf(source, value))
        decl.column.name = *name;
  }
  if (decl.primary)
    decl.column.nullable = false;
  return decl;
}

/// UniqueConstraint("a", "b", name=...), Index("ix", "a", unique=True).
void tableArgument(const PyContext &context, Node item, Table &table) {
  const Source &source = context.source;
  if (!ts::is(item, "call"))
    return;
  std::string kind = lastName(source, ts::field(item, "function"));
  Arguments args = argumentsOf(source, item);
  std::string name;
  if (Node named = args.keyword("name"); !ts::isNull(named))
    name = stringOf(source, named).value_or("");
  std::vector<std::string> columns;
  std::size_t first = context.models.python.indexes.count(kind) ? 1 : 0;
  for (std::size_t i = first; i < args.positional.size(); ++i)
    for (const std::string &column : stringList(source, args.positional[i]))
      columns.push_back(column);
  if (context.models.python.uniqueConstraints.count(kind))
    addKey(table, columns, false, name, source.where(item));
  else if (context.models.python.indexes.count(kind) &&
           isTrue(source, args.keyword("unique")))
    addKey(table, columns, false,
           args.positional.empty()
               ? name
               : stringOf(source, args.positional.front()).value_or(name),
           source.where(item));
}

} // namespace

bool declareModel(const PyContext &context, Node classNode,
                  FileAnalysis &analysis) {
  const Source &source = context.source;
  const PythonModel &python = context.models.python;
  bool modelBase = false;
  for (Node base : ts::namedChildren(ts::field(classNode, "superclasses")))
    modelBase |= python.modelBases.count(lastName(source, base)) > 0;
  std::string className = source.str(ts::field(classNode, "name"));
  Table table;
  table.name = lowering::snakeCase(className);
  table.declared = source.where(ts::field(classNode, "name"));
  bool declared = false;
  std::string versionAttribute;
  std::map<std::string, std::string> columnOfAttribute;
  std::vector<Node> tableArgs;
  for (Node statement : ts::namedChildren(ts::field(classNode, "body"))) {
    if (!ts::is(statement, "expression_statement"))
      continue;
    for (Node assignment : ts::namedChildren(statement)) {
      if (!ts::is(assignment, "assignment"))
        continue;
      Node left = ts::field(assignment, "left");
      Node right = ts::field(assignment, "right");
      std::string name = source.str(left);
      if (name == "__tablename__") {
        if (auto value = stringOf(source, right)) {
          table.name = *value;
          declared = true;
        }
      } else if (name == "__table_args__") {
        tableArgs = ts::is(right, "tuple") ? ts::namedChildren(right)
                                           : std::vector<Node>{right};
      } else if (name == "__mapper_args__") {
        for (Node pair : ts::namedChildren(right))
          if (ts::is(pair, "pair") &&
              stringOf(source, ts::field(pair, "key")) == "version_id_col")
            versionAttribute = lastName(source, ts::field(pair, "value"));
      } else if (Node type = ts::field(assignment, "type");
                 (ts::is(right, "call") &&
                  python.columnConstructors.count(
                      lastName(source, ts::field(right, "function")))) ||
                 (ts::isNull(right) &&
                  source.str(type).starts_with("Mapped["))) {
        // `x = Column(...)`, `x: Mapped[int] = mapped_column(...)`, or the
        // annotation alone (`title: Mapped[str]`).
        ColumnDecl decl = columnOf(
            source,
            ts::isNull(right) ? Arguments{} : argumentsOf(source, right), name,
            left, type);
        declared = true;
        columnOfAttribute[name] = decl.column.name;
        if (decl.column.name != name)
          analysis.columnNames[table.name][name] = decl.column.name;
        if (decl.primary || decl.unique)
          addKey(table, {decl.column.name}, decl.primary,
                 table.name + "." + decl.column.name, decl.column.declared);
        table.columns.push_back(std::move(decl.column));
      }
    }
  }
  if (!declared || (!modelBase && table.columns.empty()))
    return false;
  for (Node item : tableArgs)
    tableArgument(context, item, table);
  if (!versionAttribute.empty()) {
    auto column = columnOfAttribute.find(versionAttribute);
    table.declaredVersionColumn =
        column == columnOfAttribute.end() ? versionAttribute : column->second;
  }
  analysis.tableNames[kModelRefPrefix + className] = table.name;
  analysis.schemaChanges.push_back(declareTable(std::move(table)));
  return true;
}

void declareAlembic(const PyContext &context, Node upgrade,
                    FileAnalysis &analysis) {
  const Source &source = context.source;
  const std::string &op = context.models.python.alembicOp;
  std::vector<Node> pending{ts::field(upgrade, "body")};
  std::vector<Node> calls;
  // `with op.batch_alter_table("t") as batch_op:` -> batch_op is table t.
  std::map<std::string, std::string> batchTables;
  while (!pending.empty()) { // in source order
    Node node = pending.back();
    pending.pop_back();
    if (ts::is(node, "call"))
      calls.push_back(node);
    if (ts::is(node, "as_pattern")) {
      std::vector<Node> parts = ts::namedChildren(node);
      Node alias = ts::field(node, "alias");
      if (!parts.empty() && ts::is(parts.front(), "call") &&
          !ts::isNull(alias)) {
        Arguments batchArgs = argumentsOf(source, parts.front());
        if (!batchArgs.positional.empty())
          batchTables[source.str(alias)] =
              stringOf(source, batchArgs.positional.front()).value_or("");
      }
    }
    std::vector<Node> children = ts::namedChildren(node);
    for (auto it = children.rbegin(); it != children.rend(); ++it)
      pending.push_back(*it);
  }
  auto change = [&](SchemaChange::Kind kind, const std::string &table,
                    Node at) {
    return schemaChangeAt(kind, table, source, at);
  };
  for (Node call : calls) {
    Node function = ts::field(call, "function");
    if (!ts::is(function, "attribute"))
      continue;
    std::string receiver = source.str(ts::field(function, "object"));
    std::string method = source.str(ts::field(function, "attribute"));
    Arguments args = argumentsOf(source, call);
    auto text = [&](std::size_t i) {
      return i < args.positional.size()
                 ? stringOf(source, args.positional[i]).value_or("")
                 : std::string();
    };
    // op.* or `batch_op.*` inside `with op.batch_alter_table("t")`.
    bool batch = receiver != op;
    if (batch && !batchTables.count(receiver))
      continue;
    if (!batch && method == "execute" && !args.positional.empty()) {
      Node literal = args.positional.front();
      if (ts::is(literal, "call")) // op.execute(sa.text("..."))
        literal = argumentsOf(source, literal).positional.empty()
                      ? Node{}
                      : argumentsOf(source, literal).positional.front();
      if (auto sql = stringOf(source, literal)) {
        std::size_t begin = ts::startByte(literal);
        for (SchemaChange &result : sql::schemaChangesOfEmbeddedSql(
                 source.file(), begin, *sql, analysis.diagnostics))
          analysis.schemaChanges.push_back(std::move(result));
      }
      continue;
    }
    if (!batch && method == "create_table") {
      SchemaChange created =
          change(SchemaChange::Kind::CreateTable, text(0), call);
      Table &table = created.tableDefinition;
      table.name = text(0);
      table.declared = source.where(call);
      for (std::size_t i = 1; i < args.positional.size(); ++i) {
        Node item = args.positional[i];
        if (!ts::is(item, "call"))
          continue;
        std::string kind = lastName(source, ts::field(item, "function"));
        Arguments columnArgs = argumentsOf(source, item);
        if (kind == "Column") {
          ColumnDecl decl = columnOf(source, columnArgs, "", item);
          if (decl.primary || decl.unique)
            addKey(table, {decl.column.name}, decl.primary,
                   table.name + "." + decl.column.name, decl.column.declared);
          table.columns.push_back(std::move(decl.column));
        } else if (kind == "PrimaryKeyConstraint") {
          std::vector<std::string> columns;
          for (Node column : columnArgs.positional)
            if (auto name = stringOf(source, column))
              columns.push_back(*name);
          addKey(table, columns, true, table.name + "_pkey",
                 source.where(item));
        } else {
          tableArgument(context, item, table);
        }
      }
      if (!table.name.empty())
        analysis.schemaChanges.push_back(std::move(created));
      continue;
    }
    std::string table = batch ? batchTables[receiver] : text(0);
    if (method == "add_column" && args.positional.size() >= (batch ? 1u : 2u)) {
      Node column = args.positional[batch ? 0 : 1];
      if (!ts::is(column, "call") || table.empty())
        continue;
      ColumnDecl decl =
          columnOf(source, argumentsOf(source, column), "", column);
      SchemaChange added = change(SchemaChange::Kind::AddColumn, table, column);
      added.column = decl.column;
      analysis.schemaChanges.push_back(std::move(added));
      if (decl.unique) {
        SchemaChange key =
            change(SchemaChange::Kind::AddUniqueKey, table, column);
        key.key.columns = {decl.column.name};
        key.key.name = table + "." + decl.column.name;
        key.key.declared = decl.column.declared;
        analysis.schemaChanges.push_back(std::move(key));
      }
    } else if (method == "create_unique_constraint" && !batch) {
      SchemaChange key =
          change(SchemaChange::Kind::AddUniqueKey, text(1), call);
      key.key.name = text(0);
      if (args.positional.size() > 2)
        key.key.columns = stringList(source, args.positional[2]);
      key.key.declared = source.where(call);
      if (!key.key.columns.empty())
        analysis.schemaChanges.push_back(std::move(key));
    } else if (method == "create_index" && !batch &&
               isTrue(source, args.keyword("unique"))) {
      SchemaChange key =
          change(SchemaChange::Kind::AddUniqueKey, text(1), call);
      key.key.name = text(0);
      if (args.positional.size() > 2)
        key.key.columns = stringList(source, args.positional[2]);
      key.key.partial = !ts::isNull(args.keyword("postgresql_where"));
      key.key.declared = source.where(call);
      if (!key.key.columns.empty())
        analysis.schemaChanges.push_back(std::move(key));
    } else if (method == "drop_table" && !batch) {
      analysis.schemaChanges.push_back(
          change(SchemaChange::Kind::DropTable, text(0), call));
    } else if (method == "drop_column" && !batch) {
      SchemaChange dropped =
          change(SchemaChange::Kind::DropColumn, text(0), call);
      dropped.name = text(1);
      analysis.schemaChanges.push_back(std::move(dropped));
    } else if ((method == "drop_constraint" || method == "drop_index") &&
               !batch) {
      SchemaChange dropped =
          change(method == "drop_index" ? SchemaChange::Kind::DropIndex
                                        : SchemaChange::Kind::DropConstraint,
                 text(1), call);
      dropped.name = text(0);
      analysis.schemaChanges.push_back(std::move(dropped));
    } else if (method == "alter_column" && !batch) {
      SchemaChange altered =
          change(SchemaChange::Kind::AlterColumn, text(0), call);
      altered.name = text(1);
      if (Node nullable = args.keyword("nullable"); !ts::isNull(nullable))
        altered.setNullable = isTrue(source, nullable);
      if (!ts::isNull(args.keyword("server_default")))
        altered.setHasDefault = true;
      analysis.schemaChanges.push_back(std::move(altered));
    }
  }
}

} // namespace racelint::py
