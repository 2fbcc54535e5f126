// TypeORM: repositories, the EntityManager, query runners, transactions,
// save() of entity instances and query-builder chains.

#include "Lowerer.h"

namespace racelint::ts {

bool Lowerer::modelsRepositoryMethod(const std::string &method) const {
  static const std::set<std::string> builders = {
      "create", "merge", "createQueryBuilder", "query", "getRepository"};
  return builders.count(method) || models_.typeorm.operations.count(method);
}

Value Lowerer::repositoryCall(const std::string &entity,
                              const std::string &method, std::vector<Node> args,
                              Node at) {
  if (method == "create") {
    Event shape;
    Value instance;
    for (Node argument : args)
      instance.absorb(dataObject(argument, shape, false));
    instance.fromRequest |= shape.valuesFromRequest;
    instance.role = Role::EntityInstance;
    instance.name = entity;
    instance.createdColumns = shape.setColumns;
    instance.fresh = true;
    return instance;
  }
  if (method == "merge" && !args.empty())
    return objectAssign(args, at);
  if (method == "createQueryBuilder") {
    Value builder;
    builder.role = Role::QueryBuilder;
    builder.builder = std::make_shared<QueryBuilderState>();
    builder.builder->entity = entity;
    if (!args.empty())
      builder.builder->alias = source_.stringValue(args.front()).value_or("");
    return builder;
  }
  if (method == "query" && !args.empty())
    return rawSql(args, at);
  if (method == "getRepository" && !args.empty()) {
    Value repository;
    repository.role = Role::Repository;
    repository.name = source_.calleeName(args.front());
    return repository;
  }
  auto operation = models_.typeorm.operations.find(method);
  if (operation == models_.typeorm.operations.end()) {
    Value result = argumentsOfList(args);
    return result;
  }
  return typeormOperation(entity, operation->second, args, at);
}

Value Lowerer::managerCall(const Value &receiver, const std::string &method,
                           std::vector<Node> args, Node at) {
  if (method == "transaction")
    return transactionCallback(args, at, Role::Manager);
  if (method == "query" && !args.empty())
    return rawSql(args, at);
  if (method == "createQueryRunner") {
    Value runner;
    runner.role = Role::QueryRunner;
    return runner;
  }
  if (receiver.role == Role::QueryRunner) {
    if (method == "startTransaction") {
      Event begin;
      begin.kind = EventKind::TxBegin;
      if (!args.empty())
        if (auto level = source_.stringValue(args.front()))
          begin.isolation =
              isolationFromName(*level).value_or(Isolation::Unspecified);
      tx_ = emit(std::move(begin), at);
      return {};
    }
    if (method == "commitTransaction" || method == "rollbackTransaction") {
      if (tx_) {
        Event end;
        end.kind = EventKind::TxEnd;
        emit(std::move(end), at);
        tx_.reset();
      }
      return {};
    }
  }
  if (method == "getRepository" && !args.empty()) {
    Value repository;
    repository.role = Role::Repository;
    repository.name = source_.calleeName(args.front());
    return repository;
  }
  if (method == "createQueryBuilder") {
    Value builder;
    builder.role = Role::QueryBuilder;
    builder.builder = std::make_shared<QueryBuilderState>();
    if (!args.empty() && !source_.stringValue(args.front())) {
      builder.builder->entity = source_.calleeName(args.front());
      if (args.size() > 1)
        builder.builder->alias = source_.stringValue(args[1]).value_or("");
    }
    return builder;
  }
  // EntityManager methods: the entity class first, unless an instance is
  // saved or removed (its class is then the instance's).
  auto operation = models_.typeorm.operations.find(method);
  bool entityMethod = operation != models_.typeorm.operations.end() ||
                      method == "create" || method == "merge";
  if (!entityMethod || args.empty())
    return argumentsOfList(args);
  Node first = unwrap(args.front());
  if (is(first, "identifier") && !lookup(source_.str(first)) &&
      !context_.moduleValues.count(source_.str(first))) {
    std::string entity = source_.str(first);
    args.erase(args.begin());
    if (method == "create" || method == "merge")
      return repositoryCall(entity, method, args, at);
    return typeormOperation(entity, operation->second, args, at);
  }
  if (method == "create" || method == "merge")
    return argumentsOfList(args);
  Value instance = expression(first);
  return typeormOperation(instance.name, operation->second, args, at);
}

/// Reads a find-options object ({ where, select, lock }) into `event`.
/// TypeORM 0.2 also took the conditions themselves (`findOne({ slug })`,
/// `findOne(id)`): an object naming no find option is read as those.
void Lowerer::findOptions(Node options, Event &event) {
  options = unwrap(options);
  if (!is(options, "object") || !namesFindOption(options)) {
    whereArgument(options, event, false);
    event.readsAllColumns = true;
    return;
  }
  bool selected = false;
  for (Node pair : namedChildren(options)) {
    if (!is(pair, "pair")) {
      if (is(pair, "shorthand_property_identifier") &&
          source_.str(pair) == "where")
        whereArgument(pair, event, false);
      continue;
    }
    std::string key = source_.propertyName(field(pair, "key")).value_or("");
    Node value = unwrap(field(pair, "value"));
    if (key == "where") {
      whereArgument(value, event, false);
    } else if (key == "select") {
      selected = true;
      selectColumns(value, event);
    } else if (key == "lock") {
      for (Node item : namedChildren(value))
        if (is(item, "pair") &&
            source_.propertyName(field(item, "key")) == "mode")
          if (auto mode = source_.stringValue(field(item, "value"))) {
            auto lock = models_.typeorm.lockModes.find(*mode);
            if (lock != models_.typeorm.lockModes.end())
              event.lock = lock->second;
          }
    } else if (key == "onLocked") {
      event.lockWaits = false;
    } else {
      expression(value);
    }
  }
  event.readsAllColumns = !selected;
}

bool Lowerer::namesFindOption(Node options) {
  for (Node member : namedChildren(options)) {
    auto [key, value] = objectMember(member);
    if (models_.typeorm.findOptions.count(key))
      return true;
  }
  return namedChildren(options).empty();
}

Value Lowerer::typeormOperation(const std::string &entity,
                                const OperationModel &operation,
                                const std::vector<Node> &args, Node at) {
  Event event;
  event.table = snakeCase(entity);
  event.tableRef = "typeorm:" + entity;
  const std::string &kind = operation.kind;
  if (kind == "save")
    return saveEntity(entity, args, at, /*remove=*/false);
  if (kind == "delete" && !operation.args.empty() &&
      operation.args.front() == "entity")
    return saveEntity(entity, args, at, /*remove=*/true);
  event.kind = kind == "read"     ? EventKind::Read
               : kind == "insert" ? EventKind::Insert
               : kind == "update" ? EventKind::Update
               : kind == "delete" ? EventKind::Delete
                                  : EventKind::Upsert;
  Value carried;
  std::string column;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string role = i < operation.args.size() ? operation.args[i] : "";
    if (role == "options")
      findOptions(args[i], event);
    else if (role == "where")
      whereArgument(args[i], event, false);
    else if (role == "data")
      carried.absorb(dataObject(args[i], event, false));
    else if (role == "column")
      column = source_.stringValue(args[i]).value_or("");
    else if (role == "conflict")
      conflictTarget(args[i], event);
    else
      carried.absorb(expression(args[i]));
  }
  if (event.kind == EventKind::Read && operation.args.size() == 1 &&
      operation.args.front() == "where")
    event.readsAllColumns = true;
  if (operation.atomic && !column.empty())
    event.setColumns.push_back({column, true});
  if (event.kind == EventKind::Update)
    event.incrementsDeclaredVersion = true;
  for (EventIndex read : carried.reads)
    event.valueFrom.push_back(read);
  event.valueParameters.assign(carried.parameters.begin(),
                               carried.parameters.end());
  return finishEvent(std::move(event), at, entity, operation.result);
}

void Lowerer::conflictTarget(Node node, Event &event) {
  node = unwrap(node);
  auto add = [&](Node item) {
    if (auto name = source_.stringValue(item))
      addUnique(event.keyColumns, *name);
  };
  if (is(node, "array")) {
    for (Node item : namedChildren(node))
      add(item);
  } else if (is(node, "object")) {
    for (Node pair : namedChildren(node))
      if (is(pair, "pair") &&
          source_.propertyName(field(pair, "key")) == "conflictPaths") {
        Node value = unwrap(field(pair, "value"));
        for (Node item : namedChildren(value))
          add(item);
      }
  }
}

/// `save(entity)`: an update of the row it was loaded from, with the
/// properties assigned since; or an insert of a new entity.
Value Lowerer::saveEntity(std::string entity, const std::vector<Node> &args,
                          Node at, bool remove) {
  if (args.empty())
    return {};
  Node target = unwrap(args.front());
  bool literal = is(target, "object");
  // An object literal is the loaded row a member spreads (`{ ...row,
  // status }`), if any; its members are evaluated once, by dataObject().
  Value instance;
  bool namesPrimaryKey = false;
  if (literal) {
    for (Node member : namedChildren(target)) {
      if (!is(member, "spread_element")) {
        namesPrimaryKey |= objectMember(member).first == "id";
        continue;
      }
      std::vector<Node> spread = namedChildren(member);
      if (spread.size() == 1 && is(unwrap(spread[0]), "identifier"))
        if (Value *row = lookup(source_.str(unwrap(spread[0])));
            row && row->loadedBy)
          instance = *row;
    }
    if (remove)
      expression(target);
  } else {
    instance = expression(target);
  }
  for (std::size_t i = 1; i < args.size(); ++i)
    expression(args[i]);
  if (entity.empty())
    entity = instance.name;
  Event event;
  event.table = snakeCase(entity);
  event.tableRef = "typeorm:" + entity;
  std::string name = is(target, "identifier") ? source_.str(target) : "";
  if (literal && !remove) {
    Value carried = dataObject(target, event, false);
    if (instance.loadedBy)
      carried.reads.erase(*instance.loadedBy);
    event.valueFrom.assign(carried.reads.begin(), carried.reads.end());
    instance.parameters = carried.parameters;
    // The key names the row; it is not a column the save changes.
    event.setColumns.erase(
        std::remove_if(event.setColumns.begin(), event.setColumns.end(),
                       [](const SetColumn &set) { return set.column == "id"; }),
        event.setColumns.end());
  }
  if (instance.loadedBy) {
    const Event &load = unit_.events[*instance.loadedBy];
    event.kind = remove ? EventKind::Delete : EventKind::Update;
    event.keyColumns = load.keyColumns;
    event.keyValues = load.keyValues;
    addUnique(event.keyColumns, "id");
    event.predicateColumns = {"id"};
    event.incrementsDeclaredVersion = !remove;
  } else if (remove) {
    event.kind = EventKind::Delete;
    event.keyColumns = event.predicateColumns = {"id"};
  } else if (literal && namesPrimaryKey) {
    // `save({ id, ...changes })`: TypeORM looks the primary key up and
    // updates the row it names, or inserts one when there is none.
    event.kind = EventKind::Upsert;
    event.keyColumns = event.predicateColumns = {"id"};
  } else if (instance.role == Role::EntityInstance || literal) {
    event.kind = EventKind::Insert;
  } else {
    // An entity from elsewhere: save() inserts or updates by primary key.
    // Given in a parameter, the caller's argument says which (see
    // Event::rowParameter).
    event.kind = EventKind::Upsert;
    event.keyColumns = {"id"};
    if (instance.parameters.size() == 1 && is(target, "identifier"))
      event.rowParameter = *instance.parameters.begin();
  }
  if (!remove) {
    for (const SetColumn &set : instance.createdColumns)
      event.setColumns.push_back(set);
    for (EventIndex read : instance.reads)
      if (!instance.loadedBy && !literal)
        event.valueFrom.push_back(read);
    std::set<unsigned> parameters = instance.parameters;
    if (auto edits = edits_.find(entityKey(name)); edits != edits_.end()) {
      for (const EntityEdit &edit : edits->second) {
        markUsed(edit.value);
        event.valuesFromRequest |= edit.value.fromRequest;
        parameters.insert(edit.value.parameters.begin(),
                          edit.value.parameters.end());
        for (EventIndex read : edit.value.reads)
          if (std::find(event.valueFrom.begin(), event.valueFrom.end(), read) ==
              event.valueFrom.end())
            event.valueFrom.push_back(read);
        if (!edit.property.empty())
          event.setColumns.push_back(
              {edit.property, false, edit.value.arithmetic});
      }
      edits_.erase(edits);
    }
    event.valuesFromRequest |= instance.fromRequest;
    event.valueParameters.assign(parameters.begin(), parameters.end());
  }
  return finishEvent(std::move(event), at, entity);
}

Value Lowerer::queryBuilderCall(const Value &receiver,
                                const std::string &method,
                                const std::vector<Node> &args, Node at) {
  Value next = receiver;
  next.builder = std::make_shared<QueryBuilderState>(*receiver.builder);
  QueryBuilderState &state = *next.builder;
  auto entityArg = [&](std::size_t i) {
    if (i < args.size() && !source_.stringValue(args[i]))
      state.entity = source_.calleeName(args[i]);
  };
  if (auto run = models_.typeorm.queryBuilderRuns.find(method);
      run != models_.typeorm.queryBuilderRuns.end())
    return runQueryBuilder(state, at, run->second);
  if (method == "select" || method == "addSelect") {
    for (Node argument : args)
      expression(argument);
  } else if (method == "from") {
    entityArg(0);
    if (args.size() > 1)
      state.alias = source_.stringValue(args[1]).value_or(state.alias);
  } else if (method == "update") {
    state.operation = QueryBuilderState::Operation::Update;
    entityArg(0);
    if (args.size() > 1)
      state.setObjects.push_back(args[1]);
  } else if (method == "delete" || method == "softDelete") {
    state.operation = QueryBuilderState::Operation::Delete;
  } else if (method == "insert") {
    state.operation = QueryBuilderState::Operation::Insert;
  } else if (method == "into") {
    entityArg(0);
  } else if (method == "set" || method == "values") {
    if (!args.empty())
      state.setObjects.push_back(args.front());
  } else if (method == "where" || method == "andWhere" || method == "orWhere") {
    if (method == "where")
      state.conditions.clear();
    if (!args.empty())
      state.conditions.emplace_back(args[0],
                                    args.size() > 1 ? args[1] : Node{});
  } else if (method == "whereInIds") {
    state.conditions.emplace_back(Node{}, args.empty() ? Node{} : args[0]);
  } else if (method == "setLock") {
    if (!args.empty())
      if (auto mode = source_.stringValue(args.front())) {
        auto lock = models_.typeorm.lockModes.find(*mode);
        if (lock != models_.typeorm.lockModes.end())
          state.lock = lock->second;
      }
  } else if (method == "setOnLocked") {
    state.lockWaits = false;
  } else if (method == "orIgnore" || method == "orUpdate") {
    state.onConflict = true;
  } else {
    for (Node argument : args)
      expression(argument);
  }
  return next;
}

/// Builds the SQL statement a query-builder chain runs and reads it with
/// the SQL front-end, so that `where('a.version = :version')` is parsed by
/// PostgreSQL's grammar, not by us.
Value Lowerer::runQueryBuilder(const QueryBuilderState &state, Node at,
                               const std::string &resultKind) {
  using Operation = QueryBuilderState::Operation;
  std::set<std::string> variables;
  std::map<std::string, Value> parameterValues;
  std::string where;
  for (const auto &[conditionNode, parameters] : state.conditions) {
    std::optional<std::string> text =
        isNull(conditionNode) ? std::optional<std::string>("id = :...ids")
                              : source_.stringValue(conditionNode);
    if (!text) { // a Brackets object or a computed string
      expression(conditionNode);
      continue;
    }
    where += (where.empty() ? "" : " AND ") + std::string("(") +
             placeholdersToVariables(*text, variables) + ")";
    Node params = unwrap(parameters);
    if (is(params, "object")) {
      for (Node pair : namedChildren(params)) {
        auto [key, valueNode] = objectMember(pair);
        if (!isNull(valueNode))
          parameterValues[namedVariable(key)] = expression(valueNode);
      }
    } else if (!isNull(params)) {
      parameterValues[namedVariable("ids")] = expression(params);
    }
  }
  std::string table = "__entity";
  std::string alias = state.alias.empty() ? "" : " AS " + state.alias;
  std::string sql;
  std::vector<std::string> setList;
  Value carried;
  Event shape; // collects the SET columns and what their values carry
  for (Node object : state.setObjects)
    carried.absorb(dataObject(object, shape, false));
  for (const SetColumn &set : shape.setColumns) {
    std::string value =
        set.atomic ? "\"" + set.column + "\" + 1" : "__set_" + set.column;
    variables.insert("__set_" + set.column);
    setList.push_back("\"" + set.column + "\" = " + value);
  }
  std::string whereClause = where.empty() ? "" : " WHERE " + where;
  switch (state.operation) {
  case Operation::Select:
    sql = "SELECT * FROM " + table + alias + whereClause;
    if (state.lock == RowLock::Update)
      sql += " FOR UPDATE";
    else if (state.lock == RowLock::NoKeyUpdate)
      sql += " FOR NO KEY UPDATE";
    else if (state.lock == RowLock::Share)
      sql += " FOR SHARE";
    else if (state.lock == RowLock::KeyShare)
      sql += " FOR KEY SHARE";
    if (state.lock != RowLock::None && !state.lockWaits)
      sql += " NOWAIT";
    break;
  case Operation::Update:
    if (setList.empty())
      setList.push_back("__unknown = __unknown");
    sql = "UPDATE " + table + alias + " SET ";
    for (std::size_t i = 0; i < setList.size(); ++i)
      sql += (i ? ", " : "") + setList[i];
    sql += whereClause;
    break;
  case Operation::Delete:
    sql = "DELETE FROM " + table + alias + whereClause;
    break;
  case Operation::Insert: {
    sql = "INSERT INTO " + table + " (";
    std::string values;
    for (std::size_t i = 0; i < shape.setColumns.size(); ++i) {
      sql += (i ? ", " : "") + std::string("\"") + shape.setColumns[i].column +
             "\"";
      values +=
          (i ? ", " : "") + std::string("__set_") + shape.setColumns[i].column;
    }
    if (shape.setColumns.empty()) {
      sql += "__unknown";
      values = "__unknown";
    }
    sql += ") VALUES (" + values + ")";
    if (state.onConflict)
      sql += " ON CONFLICT DO NOTHING";
    break;
  }
  }
  Value result = sqlEvents(sql, variables, parameterValues, carried, at,
                           snakeCase(state.entity), "typeorm:" + state.entity);
  if (state.operation == Operation::Select) {
    result.name = state.entity;
    if (resultKind == "value")
      result.loadedBy.reset();
    else if (resultKind == "row")
      result.role = Role::EntityInstance;
  }
  for (EventIndex i = unit_.events.size(); i-- > 0;) {
    Event &event = unit_.events[i];
    if (event.where != source_.where(at))
      break;
    if (state.operation == Operation::Update)
      event.incrementsDeclaredVersion = true;
    if (state.operation == Operation::Update ||
        state.operation == Operation::Delete)
      std::erase_if(event.setColumns, [](const SetColumn &set) {
        return set.column == "__unknown";
      });
  }
  return result;
}

} // namespace racelint::ts
