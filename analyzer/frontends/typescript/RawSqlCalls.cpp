// Raw SQL in code: `query(sql, params)`, Prisma's tagged templates, and the
// statements query builders run, all read by the SQL front-end.

#include "Lowerer.h"
#include "sql/SqlStatement.h"

#include <cctype>

namespace racelint::ts {

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
        parameterValues[positionalVariable(i + 1)] = expression(params[i]);
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
      std::string name = positionalVariable(++count);
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

} // namespace racelint::ts
