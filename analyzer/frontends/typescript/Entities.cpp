// TypeORM's schema sources: entity classes (decorators) and migrations
// (`queryRunner.query(sql)` and the Table/TableColumn/TableIndex API).

#include "TsInternal.h"
#include "sql/SqlFrontend.h"

#include <algorithm>
#include <cctype>

namespace racelint::ts {

Value valueOfType(const FileContext &context, Node typeAnnotation) {
  const Source &source = context.source;
  Node type = typeAnnotation;
  if (is(type, "type_annotation")) {
    std::vector<Node> children = namedChildren(type);
    if (children.empty())
      return {};
    type = children.front();
  }
  if (is(type, "union_type")) { // `Stripe | null`: the member that is one
    for (Node member : namedChildren(type))
      if (Value value = valueOfType(context, member);
          value.role != Role::Plain || value.fromRequest)
        return value;
    return {};
  }
  Node nameNode = is(type, "generic_type") ? field(type, "name") : type;
  std::string name;
  if (is(nameNode, "nested_type_identifier")) { // Prisma.TransactionClient
    std::vector<Node> parts = namedChildren(nameNode);
    name = parts.empty() ? "" : source.str(parts.back());
  } else if (is(nameNode, "type_identifier")) {
    name = source.str(nameNode);
  } else {
    return {};
  }
  if (name == "Promise" && is(type, "generic_type")) { // what it resolves to
    std::vector<Node> arguments = namedChildren(field(type, "type_arguments"));
    return arguments.empty() ? Value{}
                             : valueOfType(context, arguments.front());
  }
  return valueOfNamedType(
      context, name,
      is(type, "generic_type") ? field(type, "type_arguments") : Node{});
}

Value valueOfNamedType(const FileContext &context, const std::string &name,
                       Node typeArguments) {
  const Source &source = context.source;
  const FrameworkModels &models = context.models;
  Value value;
  Node argument{};
  if (std::vector<Node> arguments = namedChildren(typeArguments);
      !arguments.empty())
    argument = arguments.front();
  if (models.typeorm.repositoryTypes.count(name) && !isNull(argument)) {
    value.role = Role::Repository;
    value.name = source.str(argument);
  } else if (models.typeorm.managerTypes.count(name)) {
    value.role = Role::Manager;
  } else if (models.typeorm.dataSourceTypes.count(name)) {
    value.role = Role::DataSource;
  } else if (models.typeorm.queryRunnerTypes.count(name)) {
    value.role = Role::QueryRunner;
  } else if (models.prisma.clientTypes.count(name)) {
    value.role = Role::PrismaClient;
  } else if (const PaymentProvider *provider =
                 models.effects.providerConstructedBy(name)) {
    value.role = Role::PaymentClient;
    value.name = provider->provider;
  } else if (models.supabase.clientTypes.count(name)) {
    value.role = Role::SupabaseClient;
  } else if (int sender = models.effects.emailSenderTyped(name); sender >= 0) {
    value.role = Role::EmailClient;
    value.name = std::to_string(sender);
  } else if (models.http.requestTypes.count(name)) {
    value.role = Role::Request;
  } else if (std::any_of(models.http.requestBodyTypeSuffixes.begin(),
                         models.http.requestBodyTypeSuffixes.end(),
                         [&](const std::string &suffix) {
                           return name.size() > suffix.size() &&
                                  name.ends_with(suffix);
                         })) {
    value.fromRequest = true;
  } else if (!name.empty() &&
             std::isupper(static_cast<unsigned char>(name[0]))) {
    value.role = Role::Service;
    value.name = name;
    if (auto known = context.handled(name, HandleFact::Of::Instance, value))
      value = *known;
  }
  return value;
}

namespace {

std::vector<Node> callArguments(Node decorator) {
  for (Node child : namedChildren(decorator))
    if (is(child, "call_expression"))
      return namedChildren(field(child, "arguments"));
  return {};
}

std::string decoratorName(const Source &source, Node decorator) {
  std::vector<Node> children = namedChildren(decorator);
  return children.empty() ? "" : source.calleeName(children.front());
}

/// A property of an object literal, or null.
Node property(const Source &source, Node object, const std::string &name) {
  object = unwrap(object);
  if (!is(object, "object"))
    return Node{};
  for (Node pair : namedChildren(object))
    if (is(pair, "pair") && source.propertyName(field(pair, "key")) == name)
      return unwrap(field(pair, "value"));
  return Node{};
}

bool isTrue(Node node) { return is(node, "true"); }

std::vector<std::string> stringArray(const Source &source, Node array) {
  std::vector<std::string> values;
  array = unwrap(array);
  if (is(array, "array")) {
    for (Node item : namedChildren(array))
      if (auto value = source.stringValue(item))
        values.push_back(*value);
  } else if (auto value = source.stringValue(array)) {
    values.push_back(*value);
  } else if (is(array, "arrow_function")) {
    // `@Index((u) => [u.a, u.b])`: the properties it returns.
    Node body = unwrap(field(array, "body"));
    for (Node item : namedChildren(body))
      if (is(item, "member_expression"))
        values.push_back(source.str(field(item, "property")));
  }
  return values;
}

/// `@Index(['a', 'b'], { unique: true })`, `@Index('name', [...], {...})`,
/// `@Unique(['a'])`, `@Unique('name', ['a'])`: a unique key, or nullopt.
std::optional<UniqueKey> classUniqueKey(const Source &source, Node decorator,
                                        const std::string &table) {
  std::string name = decoratorName(source, decorator);
  if (name != "Index" && name != "Unique")
    return std::nullopt;
  std::vector<Node> args = callArguments(decorator);
  UniqueKey key;
  bool unique = name == "Unique";
  for (Node argument : args) {
    Node plain = unwrap(argument);
    if (is(plain, "object")) {
      unique |= isTrue(property(source, plain, "unique"));
      continue;
    }
    if (auto text = source.stringValue(plain);
        text && key.name.empty() && args.size() > 1 && !is(plain, "array")) {
      key.name = *text;
      continue;
    }
    for (const std::string &column : stringArray(source, plain))
      key.columns.push_back(column);
  }
  if (!unique || key.columns.empty())
    return std::nullopt;
  if (key.name.empty()) {
    key.name = table + "(";
    for (std::size_t i = 0; i < key.columns.size(); ++i)
      key.name += (i ? ", " : "") + key.columns[i];
    key.name += ") @" + name;
  }
  key.partial = false;
  for (Node argument : args)
    if (!isNull(property(source, argument, "where")))
      key.partial = true;
  key.declared = source.where(decorator);
  return key;
}

} // namespace

void declareEntity(const FileContext &context, Node classNode,
                   const std::vector<Node> &decorators,
                   FileAnalysis &analysis) {
  const Source &source = context.source;
  const TypeOrmModel &model = context.models.typeorm;
  std::string className = source.str(field(classNode, "name"));
  Table table;
  table.name = snakeCase(className);
  table.declared = source.where(field(classNode, "name"));
  for (Node decorator : decorators) {
    if (!model.entityDecorators.count(decoratorName(source, decorator)))
      continue;
    std::vector<Node> args = callArguments(decorator);
    if (args.empty())
      continue;
    if (auto name = source.stringValue(args.front()))
      table.name = *name;
    else if (auto name =
                 source.stringValue(property(source, args.front(), "name")))
      table.name = *name;
  }
  std::map<std::string, std::string> columnOf;
  forEachClassMember(
      field(classNode, "body"),
      [&](Node member, const std::vector<Node> &memberDecorators) {
        if (!is(member, "public_field_definition"))
          return;
        std::string propertyName = source.str(field(member, "name"));
        Column column;
        column.name = propertyName;
        column.nullable = false; // TypeORM's default: `nullable: true` opts in
        column.declared = source.where(field(member, "name"));
        bool isColumn = false, primary = false, unique = false;
        for (Node decorator : memberDecorators) {
          std::string name = decoratorName(source, decorator);
          if (name == "Index") {
            for (Node argument : callArguments(decorator))
              unique |= isTrue(property(source, argument, "unique"));
            continue;
          }
          if (!model.columnDecorators.count(name))
            continue;
          isColumn = true;
          primary |= model.primaryDecorators.count(name) > 0;
          if (model.generatedDecorators.count(name))
            column.hasDefault = true;
          for (Node argument : callArguments(decorator)) {
            if (auto type = source.stringValue(argument)) {
              column.type = *type;
              continue;
            }
            if (auto name =
                    source.stringValue(property(source, argument, "name")))
              column.name = *name;
            if (auto type =
                    source.stringValue(property(source, argument, "type")))
              column.type = *type;
            unique |= isTrue(property(source, argument, "unique"));
            primary |= isTrue(property(source, argument, "primary"));
            column.nullable |= isTrue(property(source, argument, "nullable"));
            column.hasDefault |= !isNull(property(source, argument, "default"));
          }
          if (model.versionDecorators.count(name))
            table.declaredVersionColumn = column.name;
        }
        if (!isColumn)
          return;
        if (primary)
          column.nullable = false;
        columnOf[propertyName] = column.name;
        if (column.name != propertyName)
          analysis.columnNames[table.name][propertyName] = column.name;
        if (primary || unique) {
          UniqueKey key;
          key.primary = primary;
          key.name = table.name + "." + column.name +
                     (primary ? " (primary key)" : " (unique)");
          key.columns = {column.name};
          key.declared = column.declared;
          table.uniqueKeys.push_back(std::move(key));
        }
        table.columns.push_back(std::move(column));
      });
  for (Node decorator : decorators)
    if (auto key = classUniqueKey(source, decorator, table.name)) {
      for (std::string &column : key->columns)
        if (auto it = columnOf.find(column); it != columnOf.end())
          column = it->second;
      table.uniqueKeys.push_back(std::move(*key));
    }
  analysis.tableNames["typeorm:" + className] = table.name;
  analysis.schemaChanges.push_back(declareTable(std::move(table)));
}

namespace {

/// The Table/TableColumn/TableIndex API of a migration's `up()`.
class MigrationReader {
public:
  MigrationReader(const FileContext &context, FileAnalysis &analysis)
      : source_(context.source), analysis_(analysis) {}

  void walk(Node node) {
    if (is(node, "ERROR"))
      return; // no schema from calls the parser could not build
    if (is(node, "call_expression"))
      call(node);
    if (is(node, "for_in_statement") && loopOverNames(node))
      return;
    for (Node child : namedChildren(node))
      walk(child);
  }

  /// `for (const table of ['a', 'b']) { ... }`: the body once per name.
  bool loopOverNames(Node loop) {
    Node left = field(loop, "left");
    Node right = unwrap(field(loop, "right"));
    if (!is(left, "identifier") || !is(right, "array"))
      return false;
    std::vector<std::string> names = stringArray(source_, right);
    if (names.size() != namedChildren(right).size())
      return false;
    for (const std::string &name : names) {
      bindings_[source_.str(left)] = name;
      walk(field(loop, "body"));
    }
    bindings_.erase(source_.str(left));
    return true;
  }

  /// A string argument: a literal, or a loop variable bound to one.
  std::optional<std::string> stringOf(Node node) {
    if (auto value = source_.stringValue(node))
      return value;
    node = unwrap(node);
    if (is(node, "identifier"))
      if (auto it = bindings_.find(source_.str(node)); it != bindings_.end())
        return it->second;
    return std::nullopt;
  }

private:
  void call(Node node) {
    Node function = unwrapTypes(field(node, "function"));
    if (!is(function, "member_expression"))
      return;
    std::string method = source_.str(field(function, "property"));
    std::vector<Node> args = namedChildren(field(node, "arguments"));
    if (method == "query" && !args.empty()) {
      embeddedSql(unwrap(args.front()));
      return;
    }
    std::string table = args.empty() ? "" : stringOf(args.front()).value_or("");
    Node second = args.size() > 1 ? constructed(args[1]) : Node{};
    if (method == "createTable" && !args.empty())
      createTable(constructed(args.front()));
    else if (method == "addColumn" && !isNull(second))
      addColumn(table, second);
    else if ((method == "createIndex" || method == "createUniqueConstraint") &&
             !isNull(second))
      addKey(table, second, method == "createUniqueConstraint");
    else if (method == "dropTable" && !table.empty())
      push(SchemaChange::Kind::DropTable, table, node);
    else if (method == "dropColumn" && args.size() > 1)
      if (auto column = stringOf(args[1])) {
        SchemaChange change = make(SchemaChange::Kind::DropColumn, table, node);
        change.name = *column;
        analysis_.schemaChanges.push_back(std::move(change));
      }
  }

  /// `new Table({...})` -> its options object.
  Node constructed(Node node) {
    node = unwrap(node);
    if (is(node, "new_expression")) {
      std::vector<Node> args = namedChildren(field(node, "arguments"));
      return args.empty() ? Node{} : unwrap(args.front());
    }
    return is(node, "object") ? node : Node{};
  }

  void embeddedSql(Node literal) {
    if (!is(literal, "string") && !is(literal, "template_string"))
      return;
    for (Node part : namedChildren(literal))
      if (is(part, "template_substitution"))
        return; // SQL assembled at run time
    // The raw text between the quotes, so that positions stay the file's.
    uint32_t begin = startByte(literal) + 1;
    uint32_t end = endByte(literal) - 1;
    if (end <= begin)
      return;
    std::string sql = source_.file().text().substr(begin, end - begin);
    for (SchemaChange &change : sql::schemaChangesOfEmbeddedSql(
             source_.file(), begin, sql, analysis_.diagnostics))
      analysis_.schemaChanges.push_back(std::move(change));
  }

  SchemaChange make(SchemaChange::Kind kind, const std::string &table,
                    Node at) {
    SchemaChange change;
    change.kind = kind;
    change.table = table;
    change.where = source_.where(at);
    return change;
  }
  void push(SchemaChange::Kind kind, const std::string &table, Node at) {
    analysis_.schemaChanges.push_back(make(kind, table, at));
  }

  Column columnOf(Node options) {
    Column column;
    column.name =
        source_.stringValue(property(source_, options, "name")).value_or("");
    column.type =
        source_.stringValue(property(source_, options, "type")).value_or("");
    column.nullable = isTrue(property(source_, options, "isNullable"));
    column.hasDefault = !isNull(property(source_, options, "default")) ||
                        isTrue(property(source_, options, "isGenerated"));
    column.declared = source_.where(options);
    return column;
  }

  void createTable(Node options) {
    std::string name =
        source_.stringValue(property(source_, options, "name")).value_or("");
    if (name.empty())
      return;
    SchemaChange change = make(SchemaChange::Kind::CreateTable, name, options);
    Table &table = change.tableDefinition;
    table.name = name;
    table.declared = source_.where(options);
    for (Node item : namedChildren(property(source_, options, "columns"))) {
      Node columnOptions = constructed(item);
      Column column = columnOf(columnOptions);
      if (column.name.empty())
        continue;
      bool primary = isTrue(property(source_, columnOptions, "isPrimary"));
      if (primary || isTrue(property(source_, columnOptions, "isUnique"))) {
        UniqueKey key;
        key.primary = primary;
        key.name = name + "." + column.name;
        key.columns = {column.name};
        key.declared = column.declared;
        table.uniqueKeys.push_back(std::move(key));
      }
      if (primary)
        column.nullable = false;
      table.columns.push_back(std::move(column));
    }
    for (const char *list : {"indices", "uniques"})
      for (Node item : namedChildren(property(source_, options, list)))
        if (auto key = keyOf(constructed(item), std::string(list) == "uniques"))
          table.uniqueKeys.push_back(std::move(*key));
    analysis_.schemaChanges.push_back(std::move(change));
  }

  std::optional<UniqueKey> keyOf(Node options, bool unique) {
    unique |= isTrue(property(source_, options, "isUnique"));
    if (!unique)
      return std::nullopt;
    UniqueKey key;
    key.columns =
        stringArray(source_, property(source_, options, "columnNames"));
    if (key.columns.empty())
      return std::nullopt;
    key.name =
        source_.stringValue(property(source_, options, "name")).value_or("");
    if (key.name.empty()) {
      for (const std::string &column : key.columns)
        key.name += (key.name.empty() ? "" : "_") + column;
      key.name += "_unique";
    }
    key.partial = !isNull(property(source_, options, "where"));
    key.declared = source_.where(options);
    return key;
  }

  void addColumn(const std::string &table, Node options) {
    SchemaChange change = make(SchemaChange::Kind::AddColumn, table, options);
    change.column = columnOf(options);
    if (change.column.name.empty())
      return;
    bool unique = isTrue(property(source_, options, "isUnique"));
    std::string columnName = change.column.name;
    analysis_.schemaChanges.push_back(std::move(change));
    if (unique) {
      SchemaChange key = make(SchemaChange::Kind::AddUniqueKey, table, options);
      key.key.name = table + "." + columnName;
      key.key.columns = {columnName};
      key.key.declared = source_.where(options);
      analysis_.schemaChanges.push_back(std::move(key));
    }
  }

  void addKey(const std::string &table, Node options, bool unique) {
    if (auto key = keyOf(options, unique)) {
      SchemaChange change =
          make(SchemaChange::Kind::AddUniqueKey, table, options);
      change.key = std::move(*key);
      analysis_.schemaChanges.push_back(std::move(change));
    }
  }

  const Source &source_;
  FileAnalysis &analysis_;
  std::map<std::string, std::string> bindings_;
};

/// A type identifier named `name` appears below `node`.
bool namesType(const Source &source, Node node, std::string_view name) {
  if (is(node, "type_identifier") && source.text(node) == name)
    return true;
  for (Node child : namedChildren(node))
    if (namesType(source, child, name))
      return true;
  return false;
}

} // namespace

bool declareMigration(const FileContext &context, Node classNode,
                      FileAnalysis &analysis) {
  const Source &source = context.source;
  Node up{};
  for (Node member : namedChildren(field(classNode, "body")))
    if (is(member, "method_definition") &&
        source.str(field(member, "name")) == "up")
      up = member;
  if (isNull(up))
    return false;
  // `implements MigrationInterface`, or `up(queryRunner: QueryRunner)`.
  bool implements = false;
  for (Node child : namedChildren(classNode))
    if (is(child, "class_heritage"))
      implements |= namesType(source, child, "MigrationInterface");
  std::vector<Node> parameters = namedChildren(field(up, "parameters"));
  bool takesRunner =
      !parameters.empty() &&
      namesType(source, field(parameters.front(), "type"), "QueryRunner");
  if (!implements && !takesRunner)
    return false;
  MigrationReader(context, analysis).walk(field(up, "body"));
  return true;
}

} // namespace racelint::ts
