// Prisma Client: delegate operations, `$transaction` in both forms, and the
// raw SQL methods.

#include "Lowerer.h"

namespace racelint::ts {

Isolation Lowerer::prismaIsolation(Node options) {
  for (Node pair : namedChildren(options)) {
    if (!is(pair, "pair") ||
        source_.propertyName(field(pair, "key")) != "isolationLevel")
      continue;
    Node value = unwrap(field(pair, "value"));
    std::string name =
        source_.stringValue(value).value_or(source_.calleeName(value));
    auto level = models_.prisma.isolationLevels.find(name);
    if (level != models_.prisma.isolationLevels.end())
      return level->second;
  }
  return Isolation::Unspecified;
}

Value Lowerer::prismaClientCall(const std::string &method,
                                const std::vector<Node> &args, Node at,
                                Node arguments) {
  if (method == models_.prisma.transaction && !args.empty()) {
    Node first = unwrap(args.front());
    if (is(first, "array")) {
      Event begin;
      begin.kind = EventKind::TxBegin;
      begin.implicit = true;
      if (args.size() > 1 && is(unwrap(args[1]), "object"))
        begin.isolation = prismaIsolation(unwrap(args[1]));
      std::optional<EventIndex> outer = tx_;
      tx_ = emit(std::move(begin), at);
      Value result = expression(first);
      Event end;
      end.kind = EventKind::TxEnd;
      emit(std::move(end), at);
      tx_ = outer;
      return result;
    }
    return transactionCallback(args, at, Role::PrismaClient);
  }
  if (models_.prisma.rawSql.count(method)) {
    if (is(arguments, "template_string")) {
      std::map<std::string, Value> parameterValues;
      std::set<std::string> variables;
      std::string sql = templateSql(arguments, variables, parameterValues);
      return sqlEvents(sql, variables, parameterValues, {}, at, "");
    }
    if (!args.empty())
      return rawSql(args, at);
  }
  return argumentsOfList(args);
}

Value Lowerer::prismaCall(const std::string &delegate,
                          const std::string &method,
                          const std::vector<Node> &args, Node at) {
  auto operation = models_.prisma.operations.find(method);
  if (operation == models_.prisma.operations.end())
    return argumentsOfList(args);
  const std::string &kind = operation->second.kind;
  Event event;
  event.kind = kind == "read"     ? EventKind::Read
               : kind == "insert" ? EventKind::Insert
               : kind == "update" ? EventKind::Update
               : kind == "delete" ? EventKind::Delete
                                  : EventKind::Upsert;
  event.table = delegate;
  event.tableRef = "prisma:" + delegate;
  event.readsAllColumns = event.kind == EventKind::Read;
  event.resultChecked = operation->second.throwsWhenNoRow;
  Value carried;
  Node options = args.empty() ? Node{} : unwrap(args.front());
  if (is(options, "object")) {
    for (Node pair : namedChildren(options)) {
      if (!is(pair, "pair")) {
        expression(pair);
        continue;
      }
      std::string key = source_.propertyName(field(pair, "key")).value_or("");
      Node value = field(pair, "value");
      if (key == "where") {
        whereArgument(value, event, true);
      } else if (key == "data" || key == "create") {
        carried.absorb(dataObject(value, event, true));
      } else if (key == "update") {
        Event update;
        carried.absorb(dataObject(value, update, true));
        for (const SetColumn &set : update.setColumns) {
          auto existing = std::find_if(
              event.setColumns.begin(), event.setColumns.end(),
              [&](const SetColumn &s) { return s.column == set.column; });
          if (existing != event.setColumns.end())
            existing->atomic = set.atomic;
          else
            event.setColumns.push_back(set);
        }
        event.valuesFromRequest |= update.valuesFromRequest;
      } else if (key == "select") {
        event.readsAllColumns = false;
        selectColumns(unwrap(value), event);
      } else {
        expression(value);
      }
    }
  } else if (!isNull(options)) {
    expression(options);
  }
  for (std::size_t i = 1; i < args.size(); ++i)
    expression(args[i]);
  for (EventIndex read : carried.reads)
    event.valueFrom.push_back(read);
  event.valueParameters.assign(carried.parameters.begin(),
                               carried.parameters.end());
  return finishEvent(std::move(event), at, "", operation->second.result);
}

} // namespace racelint::ts
