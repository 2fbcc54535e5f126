// supabase-js (analyzer/models/supabase.yaml): `from(table)` query builders,
// run when awaited, and `rpc(name)` calls into the PL/pgSQL function of that
// name. PostgREST runs every call in a transaction of its own, so nothing
// here opens one.

#include "Lowerer.h"

namespace racelint::ts {
namespace {

/// `select('id, status, lead:leads(*)')`: the plain column names; a star
/// selects every column. Embedded relations are other tables: skipped.
void selectedColumns(const std::string &list, SupabaseQueryState &query) {
  std::size_t at = 0;
  int depth = 0;
  std::string item;
  auto flush = [&] {
    std::size_t begin = item.find_first_not_of(" \t\n");
    std::size_t end = item.find_last_not_of(" \t\n");
    std::string name =
        begin == std::string::npos ? "" : item.substr(begin, end - begin + 1);
    if (name == "*")
      query.selectsAll = true;
    else if (!name.empty() && name.find_first_of(":(.!") == std::string::npos)
      addUnique(query.selected, name);
    item.clear();
  };
  for (; at < list.size(); ++at) {
    char c = list[at];
    if (c == '(') {
      ++depth;
      item += c;
    } else if (c == ')') {
      --depth;
      item += c;
    } else if (c == ',' && depth == 0) {
      flush();
    } else {
      item += c;
    }
  }
  flush();
}

} // namespace

Value Lowerer::supabaseClientCall(const std::string &method,
                                  const std::vector<Node> &args, Node at) {
  if (method == "from" && !args.empty()) {
    Value query;
    query.role = Role::SupabaseQuery;
    query.query = std::make_shared<SupabaseQueryState>();
    query.query->table = source_.stringValue(args.front()).value_or("");
    return query;
  }
  if (method == "rpc" && !args.empty()) {
    // The function's events are spliced in from the migrations' unit of that
    // name; what the call passes is taken by name there, not by position.
    std::string name = source_.stringValue(args.front()).value_or("");
    // `rpc('f', { p_id: id })`: each member is the argument of the
    // parameter it names.
    std::vector<Value> arguments;
    std::vector<std::string> keywords;
    Value passed;
    for (std::size_t i = 1; i < args.size(); ++i) {
      Node argument = unwrap(args[i]);
      if (i > 1 || !is(argument, "object")) {
        passed.absorb(expression(argument));
        continue;
      }
      for (Node member : namedChildren(argument)) {
        auto [key, valueNode] = objectMember(member);
        Value value = expression(isNull(valueNode) ? member : valueNode);
        passed.absorb(value);
        if (!key.empty()) {
          arguments.push_back(std::move(value));
          keywords.push_back(key);
        }
      }
    }
    markUsed(passed); // the function may store it
    Value result = callUnitWith(name, at, arguments, keywords);
    unit_.events[*result.loadedBy].callsDatabaseFunction = true;
    result.absorb(passed);
    result.envelope = true;
    return result;
  }
  Value client = argumentsOfList(args);
  if (method == "schema") { // supabase.schema('x').from(...)
    client.role = Role::SupabaseClient;
  }
  return client;
}

Value Lowerer::supabaseQueryCall(const Value &receiver,
                                 const std::string &method,
                                 const std::vector<Node> &args) {
  using Operation = SupabaseQueryState::Operation;
  Value next = receiver;
  next.query = std::make_shared<SupabaseQueryState>(*receiver.query);
  SupabaseQueryState &query = *next.query;
  auto option = [&](std::size_t index, const std::string &name) -> Node {
    if (index >= args.size() || !is(unwrap(args[index]), "object"))
      return Node{};
    for (Node member : namedChildren(unwrap(args[index]))) {
      auto [key, value] = objectMember(member);
      if (key == name)
        return value;
    }
    return Node{};
  };
  auto column = [&](std::size_t index) {
    return index < args.size() ? source_.stringValue(args[index]).value_or("")
                               : std::string();
  };
  bool write = query.operation != Operation::Select;
  if (method == "select") {
    if (write)
      query.returning = true;
    else if (auto list = args.empty() ? std::optional<std::string>("*")
                                      : source_.stringValue(args.front()))
      selectedColumns(*list, query);
  } else if (method == "insert" || method == "update" || method == "upsert") {
    query.operation = method == "insert"   ? Operation::Insert
                      : method == "update" ? Operation::Update
                                           : Operation::Upsert;
    if (!args.empty())
      query.values = args.front();
    if (Node conflict = option(1, "onConflict"); !isNull(conflict))
      if (auto list = source_.stringValue(conflict)) {
        SupabaseQueryState columns;
        selectedColumns(*list, columns);
        query.onConflict = columns.selected;
      }
    query.ignoreDuplicates = is(option(1, "ignoreDuplicates"), "true");
    query.returning |= !isNull(option(1, "count"));
  } else if (method == "delete") {
    query.operation = Operation::Delete;
    query.returning |= !isNull(option(0, "count"));
  } else if (models_.supabase.equalityFilters.count(method) ||
             models_.supabase.listFilters.count(method)) {
    if (args.size() > 1 && !column(0).empty())
      query.equal.emplace_back(column(0), args[1]);
    query.many |= models_.supabase.listFilters.count(method) > 0;
  } else if (method == "match" && !args.empty()) {
    for (Node member : namedChildren(unwrap(args.front()))) {
      auto [key, value] = objectMember(member);
      if (!isNull(value))
        query.equal.emplace_back(key, value);
    }
  } else if (models_.supabase.otherFilters.count(method)) {
    if (!column(0).empty())
      addUnique(query.tested, column(0));
    for (std::size_t i = 1; i < args.size(); ++i)
      expression(args[i]);
  } else if (models_.supabase.singleRow.count(method)) {
    query.single = true;
  } else {
    for (Node argument : args)
      expression(argument);
  }
  return next;
}

Value Lowerer::runSupabaseQuery(const SupabaseQueryState &query, Node at) {
  using Operation = SupabaseQueryState::Operation;
  Event event;
  event.table = query.table;
  event.kind = query.operation == Operation::Select   ? EventKind::Read
               : query.operation == Operation::Insert ? EventKind::Insert
               : query.operation == Operation::Update ? EventKind::Update
               : query.operation == Operation::Upsert ? EventKind::Upsert
                                                      : EventKind::Delete;
  addEqualities(query.equal, event);
  event.keyMatchesMany = query.many;
  for (const std::string &column : query.tested)
    addUnique(event.predicateColumns, column);
  if (event.kind == EventKind::Read) {
    event.readColumns = query.selected;
    event.readsAllColumns = query.selectsAll || query.selected.empty();
  }
  if (event.kind == EventKind::Upsert)
    event.keyColumns = query.onConflict.empty() ? std::vector<std::string>{"id"}
                                                : query.onConflict;
  if (!isNull(query.values)) {
    Value carried = dataObject(query.values, event, false);
    for (EventIndex read : carried.reads)
      event.valueFrom.push_back(read);
    event.valueParameters.assign(carried.parameters.begin(),
                                 carried.parameters.end());
  }
  Value result = finishEvent(std::move(event), at, query.table,
                             query.single ? "row" : "rows");
  result.envelope = true;
  return result;
}

} // namespace racelint::ts
