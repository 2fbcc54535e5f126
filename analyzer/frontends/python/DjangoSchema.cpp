// Django models and migrations -> schema changes.

#include "PyInternal.h"
#include "sql/SqlFrontend.h"

#include <filesystem>

namespace racelint::py {
namespace {

struct FieldDecl {
  Column column;
  bool primary = false, unique = false;
};

std::string lowerName(std::string name) {
  for (char &c : name)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

/// `models.CharField(unique=True)`, `models.ForeignKey(User, ...)`: the
/// column the field `attribute` declares, or nothing (a many-to-many field,
/// something that is no field).
std::optional<FieldDecl> fieldOf(const PyContext &context, Node call,
                                 const std::string &attribute) {
  const auto &django = context.models.python.django;
  const Source &source = context.source;
  if (!ts::is(call, "call"))
    return std::nullopt;
  std::string kind = lastName(source, ts::field(call, "function"));
  bool relation = django.relationFields.count(kind) > 0;
  if (django.nonColumns.count(kind) || (!relation && !kind.ends_with("Field")))
    return std::nullopt;
  FieldDecl decl;
  decl.column.name = relation ? attribute + "_id" : attribute;
  decl.column.nullable = false; // Django's default: null=False
  decl.column.declared = source.where(call);
  Arguments args = argumentsOf(source, call);
  for (const auto &[key, value] : args.keywords) {
    if (key == "null")
      decl.column.nullable = isTrue(source, value);
    else if (key == "unique")
      decl.unique = isTrue(source, value);
    else if (key == "primary_key")
      decl.primary = isTrue(source, value);
    else if (key == "default" || key == "db_default")
      decl.column.hasDefault = true;
    else if (key == "db_column")
      if (auto name = stringOf(source, value))
        decl.column.name = *name;
  }
  if (kind == "OneToOneField")
    decl.unique = true;
  if (decl.primary)
    decl.column.nullable = false;
  return decl;
}

/// The app a models or migrations module belongs to: `shop/models.py`,
/// `shop/models/order.py` and `shop/migrations/0001_initial.py` are `shop`.
std::string appLabelOf(const std::string &path) {
  std::filesystem::path file(path);
  std::filesystem::path directory = file.parent_path();
  std::string name = directory.filename().string();
  if (name == "models" || name == "migrations")
    directory = directory.parent_path();
  return directory.filename().string();
}

/// `unique_together = ("a", "b")` or `[("a", "b"), ("c", "d")]`.
std::vector<std::vector<std::string>> uniqueTogether(const Source &source,
                                                     Node value) {
  std::vector<std::vector<std::string>> groups;
  std::vector<Node> items = ts::namedChildren(value);
  if (!items.empty() && stringOf(source, items.front())) {
    groups.push_back(stringList(source, value));
    return groups;
  }
  for (Node item : items)
    if (std::vector<std::string> group = stringList(source, item);
        !group.empty())
      groups.push_back(std::move(group));
  return groups;
}

/// `models.UniqueConstraint(fields=[...], name=..., condition=Q(...))`.
std::optional<UniqueKey> uniqueConstraintOf(const PyContext &context, Node call,
                                            const Table &table) {
  const Source &source = context.source;
  if (!ts::is(call, "call") ||
      !context.models.python.django.uniqueConstraints.count(
          lastName(source, ts::field(call, "function"))))
    return std::nullopt;
  Arguments args = argumentsOf(source, call);
  UniqueKey key;
  for (const std::string &field : stringList(source, args.keyword("fields")))
    key.columns.push_back(table.findColumn(field + "_id") &&
                                  !table.findColumn(field)
                              ? field + "_id"
                              : field);
  if (key.columns.empty())
    return std::nullopt;
  key.name = stringOf(source, args.keyword("name")).value_or("");
  key.partial = !ts::isNull(args.keyword("condition"));
  key.declared = source.where(call);
  return key;
}

/// Meta options (a model's `class Meta` or a migration's `options={...}`)
/// applied to `table`.
void applyOptions(const PyContext &context,
                  const std::vector<std::pair<std::string, Node>> &options,
                  Table &table) {
  const Source &source = context.source;
  for (const auto &[name, value] : options) {
    if (name == "unique_together") {
      for (std::vector<std::string> &group : uniqueTogether(source, value)) {
        for (std::string &field : group)
          if (table.findColumn(field + "_id") && !table.findColumn(field))
            field += "_id";
        addKey(table, group, false, "", source.where(value));
      }
    } else if (name == "constraints") {
      for (Node item : ts::namedChildren(value))
        if (auto key = uniqueConstraintOf(context, item, table))
          table.uniqueKeys.push_back(std::move(*key));
    }
  }
}

/// Fields `[("name", models.XField(...)), ...]` of a CreateModel, or the
/// field assignments of a model class, into `table`; an `id` column when no
/// field is the primary key.
void addFields(const PyContext &context,
               const std::vector<std::pair<std::string, Node>> &fields,
               Table &table, FileAnalysis &analysis) {
  bool hasPrimary = false;
  for (const auto &[attribute, call] : fields) {
    auto decl = fieldOf(context, call, attribute);
    if (!decl)
      continue;
    if (decl->column.name != attribute)
      analysis.columnNames[table.name][attribute] = decl->column.name;
    if (decl->primary || decl->unique)
      addKey(table, {decl->column.name}, decl->primary,
             table.name + "." + decl->column.name, decl->column.declared);
    hasPrimary |= decl->primary;
    if (decl->primary)
      analysis.columnNames[table.name]["pk"] = decl->column.name;
    table.columns.push_back(std::move(decl->column));
  }
  if (!hasPrimary) {
    Column id;
    id.name = "id";
    id.nullable = false;
    id.hasDefault = true;
    id.declared = table.declared;
    table.columns.insert(table.columns.begin(), id);
    addKey(table, {"id"}, true, table.name + "_pkey", table.declared);
    analysis.columnNames[table.name]["pk"] = "id";
  }
}

/// The pairs of a dict literal with string keys.
std::vector<std::pair<std::string, Node>> dictPairs(const Source &source,
                                                    Node dict) {
  std::vector<std::pair<std::string, Node>> pairs;
  for (Node pair : ts::namedChildren(dict))
    if (ts::is(pair, "pair"))
      if (auto key = stringOf(source, ts::field(pair, "key")))
        pairs.emplace_back(*key, ts::field(pair, "value"));
  return pairs;
}

bool derivesFrom(const Source &source, Node classNode,
                 const std::string &module, const std::string &base) {
  for (Node superclass :
       ts::namedChildren(ts::field(classNode, "superclasses")))
    if (ts::is(superclass, "attribute") &&
        source.str(ts::field(superclass, "object")) == module &&
        source.str(ts::field(superclass, "attribute")) == base)
      return true;
  return false;
}

} // namespace

bool declareDjangoModel(const PyContext &context, Node classNode,
                        FileAnalysis &analysis) {
  const Source &source = context.source;
  const auto &django = context.models.python.django;
  if (!derivesFrom(source, classNode, django.modelsModule, django.modelBase))
    return false;
  std::string className = source.str(ts::field(classNode, "name"));
  std::string appLabel = appLabelOf(analysis.path);
  Table table;
  table.declared = source.where(ts::field(classNode, "name"));
  std::vector<std::pair<std::string, Node>> fields, options;
  bool abstract = false;
  for (Node statement : ts::namedChildren(ts::field(classNode, "body"))) {
    if (ts::is(statement, "class_definition") &&
        source.str(ts::field(statement, "name")) == "Meta") {
      for (Node option : ts::namedChildren(ts::field(statement, "body")))
        for (Node assignment : ts::namedChildren(option))
          if (ts::is(assignment, "assignment"))
            options.emplace_back(source.str(ts::field(assignment, "left")),
                                 ts::field(assignment, "right"));
      continue;
    }
    if (!ts::is(statement, "expression_statement"))
      continue;
    for (Node assignment : ts::namedChildren(statement))
      if (ts::is(assignment, "assignment"))
        fields.emplace_back(source.str(ts::field(assignment, "left")),
                            ts::field(assignment, "right"));
  }
  for (const auto &[name, value] : options)
    if (name == "app_label")
      appLabel = stringOf(source, value).value_or(appLabel);
  std::string conventional = appLabel + "_" + lowerName(className);
  table.name = conventional;
  for (const auto &[name, value] : options) {
    if (name == "db_table")
      table.name = stringOf(source, value).value_or(table.name);
    else if (name == "abstract")
      abstract = isTrue(source, value);
  }
  if (table.name != conventional)
    analysis.tableAliases[conventional] = table.name;
  if (abstract)
    return true; // declares no table of its own
  addFields(context, fields, table, analysis);
  applyOptions(context, options, table);
  analysis.tableNames[kModelRefPrefix + className] = table.name;
  analysis.schemaChanges.push_back(declareTable(std::move(table)));
  return true;
}

bool declareDjangoMigration(const PyContext &context, Node classNode,
                            FileAnalysis &analysis) {
  const Source &source = context.source;
  const auto &django = context.models.python.django;
  if (!derivesFrom(source, classNode, "migrations", django.migrationBase))
    return false;
  std::string appLabel = appLabelOf(analysis.path);
  // Migrations name models in lower case; the table keeps the app's prefix
  // unless `db_table` said otherwise.
  std::map<std::string, std::string> tableOfModel;
  auto tableOf = [&](const std::string &model) {
    auto known = tableOfModel.find(lowerName(model));
    return known != tableOfModel.end() ? known->second
                                       : appLabel + "_" + lowerName(model);
  };
  Node operations{};
  for (Node statement : ts::namedChildren(ts::field(classNode, "body")))
    for (Node assignment : ts::namedChildren(statement))
      if (ts::is(assignment, "assignment") &&
          source.str(ts::field(assignment, "left")) == "operations")
        operations = ts::field(assignment, "right");
  if (ts::isNull(operations))
    return true;
  auto change = [&](SchemaChange::Kind kind, const std::string &table,
                    Node at) {
    return schemaChangeAt(kind, table, source, at);
  };
  for (Node call : ts::namedChildren(operations)) {
    if (!ts::is(call, "call"))
      continue;
    std::string operation = lastName(source, ts::field(call, "function"));
    Arguments args = argumentsOf(source, call);
    auto argument = [&](std::size_t position, const std::string &keyword) {
      Node named = args.keyword(keyword);
      if (!ts::isNull(named))
        return named;
      return position < args.positional.size() ? args.positional[position]
                                               : Node{};
    };
    auto text = [&](std::size_t position, const std::string &keyword) {
      return stringOf(source, argument(position, keyword)).value_or("");
    };
    if (operation == "CreateModel") {
      std::string model = text(0, "name");
      std::vector<std::pair<std::string, Node>> options =
          dictPairs(source, argument(2, "options"));
      SchemaChange created =
          change(SchemaChange::Kind::CreateTable, tableOf(model), call);
      Table &table = created.tableDefinition;
      table.name = tableOf(model);
      for (const auto &[name, value] : options)
        if (name == "db_table")
          table.name = stringOf(source, value).value_or(table.name);
      if (table.name != created.table)
        analysis.tableAliases[created.table] = table.name;
      tableOfModel[lowerName(model)] = table.name;
      created.table = table.name;
      table.declared = source.where(call);
      std::vector<std::pair<std::string, Node>> fields;
      for (Node field : ts::namedChildren(argument(1, "fields"))) {
        std::vector<Node> parts = ts::namedChildren(field);
        if (parts.size() == 2)
          if (auto name = stringOf(source, parts[0]))
            fields.emplace_back(*name, parts[1]);
      }
      FileAnalysis scratch; // a migration's fields rename nothing in code
      scratch.path = analysis.path;
      addFields(context, fields, table, scratch);
      applyOptions(context, options, table);
      if (!model.empty())
        analysis.schemaChanges.push_back(std::move(created));
    } else if (operation == "AddField" || operation == "AlterField") {
      std::string table = tableOf(text(0, "model_name"));
      auto decl = fieldOf(context, argument(2, "field"), text(1, "name"));
      if (!decl)
        continue;
      if (operation == "AddField") {
        SchemaChange added = change(SchemaChange::Kind::AddColumn, table, call);
        added.column = decl->column;
        analysis.schemaChanges.push_back(std::move(added));
      } else {
        SchemaChange altered =
            change(SchemaChange::Kind::AlterColumn, table, call);
        altered.name = decl->column.name;
        altered.setNullable = decl->column.nullable;
        if (decl->column.hasDefault)
          altered.setHasDefault = true;
        analysis.schemaChanges.push_back(std::move(altered));
      }
      if (decl->unique) {
        SchemaChange key =
            change(SchemaChange::Kind::AddUniqueKey, table, call);
        key.key.columns = {decl->column.name};
        key.key.name = table + "." + decl->column.name;
        key.key.declared = decl->column.declared;
        analysis.schemaChanges.push_back(std::move(key));
      }
    } else if (operation == "RemoveField") {
      SchemaChange dropped = change(SchemaChange::Kind::DropColumn,
                                    tableOf(text(0, "model_name")), call);
      dropped.name = text(1, "name");
      analysis.schemaChanges.push_back(std::move(dropped));
    } else if (operation == "DeleteModel") {
      analysis.schemaChanges.push_back(change(SchemaChange::Kind::DropTable,
                                              tableOf(text(0, "name")), call));
    } else if (operation == "AddConstraint") {
      Table columns; // constraint fields name columns as written
      if (auto key =
              uniqueConstraintOf(context, argument(1, "constraint"), columns)) {
        SchemaChange added = change(SchemaChange::Kind::AddUniqueKey,
                                    tableOf(text(0, "model_name")), call);
        added.key = std::move(*key);
        analysis.schemaChanges.push_back(std::move(added));
      }
    } else if (operation == "AlterUniqueTogether") {
      for (std::vector<std::string> &group :
           uniqueTogether(source, argument(1, "unique_together"))) {
        SchemaChange added = change(SchemaChange::Kind::AddUniqueKey,
                                    tableOf(text(0, "name")), call);
        added.key.columns = std::move(group);
        added.key.declared = source.where(call);
        analysis.schemaChanges.push_back(std::move(added));
      }
    } else if (operation == "RunSQL") {
      Node literal = argument(0, "sql");
      if (auto sql = stringOf(source, literal))
        for (SchemaChange &result : sql::schemaChangesOfEmbeddedSql(
                 source.file(), ts::startByte(literal), *sql,
                 analysis.diagnostics))
          analysis.schemaChanges.push_back(std::move(result));
    }
  }
  return true;
}

} // namespace racelint::py
