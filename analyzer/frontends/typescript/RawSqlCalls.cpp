// Raw SQL in code: `query(sql, params)`, Prisma's tagged templates, and the
// statements query builders run, all read by the SQL front-end.

#include "Lowerer.h"
#include "sql/SqlStatement.h"

#include <cctype>

namespace racelint::ts {

namespace {

bool isIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

} // namespace

/// Rewrites the value placeholders of a SQL string (`$1`, `:name`,
/// `:...names`) to identifiers the SQL front-end treats as variables, so that
/// it can tell which values land in SET and VALUES. Quoted text is kept.
std::string placeholdersToVariables(const std::string &sql,
                                    std::set<std::string> &variables) {
  std::string result;
  std::size_t at = 0;
  while (at < sql.size()) {
    char c = sql[at];
    if (c == '\'' || c == '"') {
      std::size_t close = sql.find(c, at + 1);
      close = close == std::string::npos ? sql.size() : close + 1;
      result += sql.substr(at, close - at);
      at = close;
    } else if (c == '$' && at + 1 < sql.size() &&
               std::isdigit(static_cast<unsigned char>(sql[at + 1]))) {
      std::size_t end = at + 1;
      while (end < sql.size() &&
             std::isdigit(static_cast<unsigned char>(sql[end])))
        ++end;
      std::string name = "__p" + sql.substr(at + 1, end - at - 1);
      variables.insert(name);
      result += name;
      at = end;
    } else if (c == ':' && at + 1 < sql.size() && sql[at + 1] != ':' &&
               (at == 0 || sql[at - 1] != ':')) {
      std::size_t begin = at + 1;
      if (sql.compare(begin, 3, "...") == 0)
        begin += 3;
      std::size_t end = begin;
      while (end < sql.size() && isIdentifierChar(sql[end]))
        ++end;
      if (end == begin) {
        result += c;
        ++at;
        continue;
      }
      std::string name = "__" + sql.substr(begin, end - begin);
      variables.insert(name);
      result += name;
      at = end;
    } else {
      result += c;
      ++at;
    }
  }
  return result;
}

/// Raw SQL: `query('...', [params])`, `$queryRaw` templates.
Value Lowerer::rawSql(const std::vector<Node> &args, Node at) {
  std::map<std::string, Value> parameterValues;
  std::set<std::string> variables;
  std::string sql;
  Node text = unwrap(args.front());
  if (auto plain = source_.stringValue(text)) {
    sql = placeholdersToVariables(*plain, variables);
    if (args.size() > 1) {
      std::vector<Node> params = namedChildren(unwrap(args[1]));
      for (std::size_t i = 0; i < params.size(); ++i)
        parameterValues["__p" + std::to_string(i + 1)] = expression(params[i]);
    }
  } else if (is(text, "template_string")) {
    sql = templateSql(text, variables, parameterValues);
  } else if (is(text, "call_expression") &&
             is(field(text, "arguments"), "template_string")) {
    sql = templateSql(field(text, "arguments"), variables, parameterValues);
  } else {
    return argumentsOfList(args); // SQL built at run time: not analysed
  }
  for (std::size_t i = 1; i < args.size() && is(text, "template_string"); ++i)
    expression(args[i]);
  return sqlEvents(sql, variables, parameterValues, {}, at, "");
}

/// A template literal as SQL: each `${value}` becomes a variable.
std::string
Lowerer::templateSql(Node templateNode, std::set<std::string> &variables,
                     std::map<std::string, Value> &parameterValues) {
  std::string sql;
  int count = 0;
  for (Node part : namedChildren(templateNode)) {
    if (is(part, "template_substitution")) {
      std::string name = "__p" + std::to_string(++count);
      variables.insert(name);
      Value value;
      for (Node inner : namedChildren(part))
        value.absorb(expression(inner));
      parameterValues[name] = value;
      sql += name;
    } else {
      sql += source_.text(part);
    }
  }
  return sql;
}

Value Lowerer::sqlEvents(const std::string &sql,
                         const std::set<std::string> &variables,
                         const std::map<std::string, Value> &parameterValues,
                         const Value &setValues, Node at,
                         const std::string &entity) {
  sql::SqlContext sqlContext;
  sqlContext.variables = variables;
  auto facts = sql::analyzeSql(sql, sqlContext);
  Value result;
  if (!facts)
    return result; // not PostgreSQL we can read: no events from a guess
  if (facts->setIsolation && tx_)
    unit_.events[*tx_].isolation = *facts->setIsolation;
  for (sql::StatementEvent &statementEvent : facts->events) {
    Event event = std::move(statementEvent.event);
    if (event.table == "__entity") {
      event.table = snakeCase(entity);
      event.tableRef = "typeorm:" + entity;
    }
    for (const auto &[variable, value] : parameterValues)
      markUsed(value);
    Value carried = setValues;
    for (const std::string &variable : statementEvent.valueVariables) {
      if (auto it = parameterValues.find(variable); it != parameterValues.end())
        carried.absorb(it->second);
    }
    for (const auto &[column, variable] : statementEvent.keyVariables)
      if (auto it = parameterValues.find(variable); it != parameterValues.end())
        for (EventIndex read : it->second.reads)
          event.predicateValueFrom.emplace_back(column, read);
    for (EventIndex read : carried.reads)
      event.valueFrom.push_back(read);
    event.valueParameters.assign(carried.parameters.begin(),
                                 carried.parameters.end());
    event.valuesFromRequest |= carried.fromRequest;
    if (event.kind == EventKind::TxBegin) {
      tx_ = emit(std::move(event), at);
      continue;
    }
    if (event.kind == EventKind::TxEnd) {
      emit(std::move(event), at);
      tx_.reset();
      continue;
    }
    bool read = event.kind == EventKind::Read;
    EventIndex index = emit(std::move(event), at);
    if (read)
      result.reads.insert(index);
    else if (isWrite(unit_.events[index].kind))
      result.writeResults.insert(index);
  }
  if (result.reads.size() == 1) // the rows of one SELECT
    result.loadedBy = *result.reads.begin();
  return result;
}

} // namespace racelint::ts
