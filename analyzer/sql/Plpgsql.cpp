// PL/pgSQL function bodies -> units.

#include "SqlInternal.h"
#include "SqlStatement.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <pg_query.h>

namespace racelint::sql {
namespace {

using pg::asNode;
using pg::Json;
using pg::member;
using pg::stringMember;

/// RAISE at ERROR level or above (EXCEPTION) leaves the function.
constexpr int kErrorLevel = 21;

class UnitBuilder {
public:
  UnitBuilder(const StatementSource &source, std::size_t bodyBegin,
              std::vector<Diagnostic> &diagnostics)
      : source_(source), diagnostics_(diagnostics) {
    bodyLine_ = source.file.position(bodyBegin).first;
  }

  Unit build(const Json &function, std::string name, SourceLocation declared,
             std::vector<std::string> parameterNames) {
    for (unsigned i = 0; i < parameterNames.size(); ++i)
      parameters_.emplace(parameterNames[i], i);
    unit_.parameterNames = std::move(parameterNames);
    for (const Json &datum : member(function, "datums")) {
      std::string variable = stringMember(pg::nodeBody(datum), "refname");
      datumNames_.push_back(variable);
      if (!variable.empty() && variable.front() != '(')
        context_.variables.insert(variable);
    }
    unit_.kind = Unit::Kind::SqlFunction;
    unit_.name = std::move(name);
    unit_.qualifiedName = unit_.name; // how rpc('name') calls it
    unit_.declared = declared;
    // Every statement of a function call runs in the caller's transaction.
    Event begin;
    begin.kind = EventKind::TxBegin;
    begin.implicit = true;
    begin.where = declared;
    unit_.events.push_back(begin);
    walkList(member(member(member(function, "action"), "PLpgSQL_stmt_block"),
                    "body"));
    return std::move(unit_);
  }

private:
  using Reads = std::set<EventIndex>;

  SourceLocation lineLocation(int bodyLineNumber) const {
    unsigned line =
        bodyLine_ + static_cast<unsigned>(std::max(bodyLineNumber, 1)) - 1;
    std::string_view text = source_.file.line(line);
    std::size_t first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos)
      first = 0;
    std::size_t start = source_.file.lineStart(line);
    return source_.file.span(start + first, start + text.size());
  }

  std::string variableName(int varno) const {
    return varno >= 0 && static_cast<std::size_t>(varno) < datumNames_.size()
               ? datumNames_[varno]
               : std::string();
  }

  Reads flowOf(const std::set<std::string> &variables) const {
    Reads events;
    for (const std::string &variable : variables)
      if (auto it = derived_.find(variable); it != derived_.end())
        events.insert(it->second.begin(), it->second.end());
    return events;
  }

  /// Adds a statement's events; returns the indices of the events added.
  std::vector<EventIndex> addEvents(StatementFacts facts, int lineno,
                                    const std::vector<std::string> &into) {
    std::vector<EventIndex> added;
    for (StatementEvent &statementEvent : facts.events) {
      Event event = std::move(statementEvent.event);
      event.where = lineLocation(lineno);
      event.inTx = 0;
      event.guardedBy = activeGuards();
      // A key compared with a parameter the body has not reassigned: the
      // value the caller passed (`rpc('f', { p_id })` binds it by name).
      for (const auto &[column, variable] : statementEvent.keyVariables)
        if (auto parameter = parameters_.find(variable);
            parameter != parameters_.end())
          event.keyValues.emplace_back(column,
                                       parameterOrigin(parameter->second));
      for (EventIndex source : flowOf(statementEvent.valueVariables))
        if (unit_.events[source].kind == EventKind::Read)
          event.valueFrom.push_back(source);
      unit_.events.push_back(std::move(event));
      added.push_back(unit_.events.size() - 1);
    }
    if (!added.empty()) {
      EventIndex last = added.back();
      derived_["found"] = {last};
      for (const std::string &target : into) {
        derived_[target] = {last};
        parameters_.erase(target);
      }
    }
    return added;
  }

  std::vector<EventIndex> activeGuards() const {
    std::vector<EventIndex> guards(guards_.begin(), guards_.end());
    std::sort(guards.begin(), guards.end());
    guards.erase(std::unique(guards.begin(), guards.end()), guards.end());
    return guards;
  }

  std::optional<StatementFacts> analyze(const Json &expression, int lineno,
                                        bool isCondition) {
    std::string query =
        stringMember(member(expression, "PLpgSQL_expr"), "query");
    if (query.empty())
      return std::nullopt;
    std::optional<StatementFacts> facts =
        isCondition ? analyzeExpression(query, context_)
                    : analyzeSql(query, context_);
    if (!facts) {
      Diagnostic diagnostic;
      diagnostic.level = Level::Warning;
      diagnostic.code = "parse-error";
      diagnostic.message = "statement in function " + unit_.name +
                           " not analysed: libpg_query could not parse it";
      diagnostic.where = lineLocation(lineno);
      diagnostics_.push_back(std::move(diagnostic));
    }
    return facts;
  }

  /// The events a condition depends on: reads it performs itself, reads whose
  /// results its variables hold. Writes it tests (FOUND, ROW_COUNT) are
  /// marked as checked.
  Reads conditionDependencies(const Json &expression, int lineno) {
    Reads reads;
    std::optional<StatementFacts> facts = analyze(expression, lineno, true);
    if (!facts)
      return reads;
    Reads flow = flowOf(facts->variablesUsed);
    for (EventIndex added : addEvents(std::move(*facts), lineno, {}))
      if (unit_.events[added].kind == EventKind::Read)
        flow.insert(added);
    for (EventIndex event : flow) {
      if (unit_.events[event].kind == EventKind::Read)
        reads.insert(event);
      else if (isWrite(unit_.events[event].kind))
        unit_.events[event].resultChecked = true;
    }
    return reads;
  }

  std::vector<std::string> intoTargets(const Json &statement) const {
    std::vector<std::string> targets;
    const Json &target = pg::nodeBody(member(statement, "target"));
    for (const Json &field : member(target, "fields"))
      targets.push_back(stringMember(field, "name"));
    if (std::string name = stringMember(target, "refname");
        !name.empty() && name.front() != '(')
      targets.push_back(name);
    return targets;
  }

  /// Walks a statement list; returns true when control never falls through
  /// its end (it always returns or raises).
  bool walkList(const Json &list) {
    std::size_t guardDepth = guards_.size();
    bool exits = false;
    for (const Json &statement : list)
      if (walkStatement(statement)) {
        exits = true;
        break;
      }
    guards_.resize(guardDepth);
    return exits;
  }

  /// Walks a branch guarded by `reads`.
  bool walkGuarded(const Json &list, const Reads &reads) {
    std::size_t depth = guards_.size();
    guards_.insert(guards_.end(), reads.begin(), reads.end());
    bool exits = walkList(list);
    guards_.resize(depth);
    return exits;
  }

  bool walkStatement(const Json &node) {
    std::string_view type = pg::nodeType(node);
    const Json &statement = pg::nodeBody(node);
    int lineno = pg::intMember(statement, "lineno", 1);
    if (type == "PLpgSQL_stmt_execsql") {
      if (auto facts = analyze(member(statement, "sqlstmt"), lineno, false))
        addEvents(std::move(*facts), lineno, intoTargets(statement));
    } else if (type == "PLpgSQL_stmt_perform") {
      if (auto facts = analyze(member(statement, "expr"), lineno, false))
        addEvents(std::move(*facts), lineno, {});
    } else if (type == "PLpgSQL_stmt_assign") {
      walkAssignment(statement, lineno);
    } else if (type == "PLpgSQL_stmt_getdiag") {
      for (const Json &item : member(statement, "diag_items")) {
        const Json &diagnostic = member(item, "PLpgSQL_diag_item");
        if (stringMember(diagnostic, "kind") == "ROW_COUNT")
          derived_[variableName(pg::intMember(diagnostic, "target"))] =
              derived_["found"];
      }
    } else if (type == "PLpgSQL_stmt_if") {
      return walkIf(statement, lineno);
    } else if (type == "PLpgSQL_stmt_case") {
      return walkCase(statement, lineno);
    } else if (type == "PLpgSQL_stmt_block") {
      return walkBlock(statement);
    } else if (type == "PLpgSQL_stmt_while") {
      walkGuarded(member(statement, "body"),
                  conditionDependencies(member(statement, "cond"), lineno));
    } else if (type == "PLpgSQL_stmt_fors") {
      Reads rows;
      if (auto facts = analyze(member(statement, "query"), lineno, false))
        for (EventIndex added :
             addEvents(std::move(*facts), lineno,
                       intoTargets(Json{{"target", member(statement, "var")}})))
          rows.insert(added);
      walkGuarded(member(statement, "body"), rows);
    } else if (type == "PLpgSQL_stmt_loop" || type == "PLpgSQL_stmt_fori" ||
               type == "PLpgSQL_stmt_foreach_a") {
      walkList(member(statement, "body"));
    } else if (type == "PLpgSQL_stmt_return" ||
               type == "PLpgSQL_stmt_return_query") {
      // `RETURN FOUND`: the outcome of a write goes to the caller to test.
      if (const Json &expr = member(statement, "expr"); expr.is_object())
        conditionDependencies(expr, lineno);
      return true;
    } else if (type == "PLpgSQL_stmt_raise") {
      return pg::intMember(statement, "elog_level", 0) >= kErrorLevel;
    }
    return false;
  }

  void walkAssignment(const Json &statement, int lineno) {
    std::string target = variableName(pg::intMember(statement, "varno"));
    std::string query = stringMember(
        member(member(statement, "expr"), "PLpgSQL_expr"), "query");
    // PostgreSQL 14+ keeps the whole `target := value`; analyse the value.
    std::size_t assign = query.find(":=");
    std::size_t valueStart =
        assign != std::string::npos ? assign + 2 : query.find('=') + 1;
    if (assign == std::string::npos && query.find('=') == std::string::npos)
      valueStart = 0;
    Json value = {{"PLpgSQL_expr", {{"query", query.substr(valueStart)}}}};
    std::optional<StatementFacts> facts = analyze(value, lineno, true);
    if (!facts)
      return;
    Reads flow = flowOf(facts->variablesUsed);
    for (EventIndex added : addEvents(std::move(*facts), lineno, {}))
      flow.insert(added);
    derived_[target] = flow;
    parameters_.erase(target);
  }

  bool walkIf(const Json &statement, int lineno) {
    Reads condition = conditionDependencies(member(statement, "cond"), lineno);
    bool anyExits = walkGuarded(member(statement, "then_body"), condition);
    bool allExit = anyExits;
    Reads all = condition;
    for (const Json &item : member(statement, "elsif_list")) {
      const Json &elsif = member(item, "PLpgSQL_if_elsif");
      Reads more = conditionDependencies(
          member(elsif, "cond"), pg::intMember(elsif, "lineno", lineno));
      all.insert(more.begin(), more.end());
      bool exits = walkGuarded(member(elsif, "stmts"), all);
      anyExits |= exits;
      allExit &= exits;
    }
    const Json &otherwise = member(statement, "else_body");
    bool elseExits = otherwise.is_array() && walkGuarded(otherwise, all);
    anyExits |= elseExits;
    allExit &= elseExits;
    // `IF found THEN RAISE ...; END IF; INSERT ...`: what follows an early
    // exit runs only on the other outcome, so the checks guard it too.
    if (anyExits)
      guards_.insert(guards_.end(), all.begin(), all.end());
    return allExit;
  }

  bool walkCase(const Json &statement, int lineno) {
    Reads all;
    if (member(statement, "t_expr").is_object())
      all = conditionDependencies(member(statement, "t_expr"), lineno);
    bool anyExits = false;
    bool allExit = true;
    for (const Json &item : member(statement, "case_when_list")) {
      const Json &when = member(item, "PLpgSQL_case_when");
      Reads more = conditionDependencies(member(when, "expr"),
                                         pg::intMember(when, "lineno", lineno));
      all.insert(more.begin(), more.end());
      bool exits = walkGuarded(member(when, "stmts"), all);
      anyExits |= exits;
      allExit &= exits;
    }
    bool elseExits = pg::boolMember(statement, "have_else") &&
                     walkGuarded(member(statement, "else_stmts"), all);
    anyExits |= elseExits;
    allExit &= elseExits;
    if (anyExits)
      guards_.insert(guards_.end(), all.begin(), all.end());
    return allExit;
  }

  bool walkBlock(const Json &block) {
    std::size_t firstEvent = unit_.events.size();
    bool exits = walkList(member(block, "body"));
    const Json &handlers =
        member(member(member(block, "exceptions"), "PLpgSQL_exception_block"),
               "exc_list");
    bool catchesUniqueViolation = false;
    for (const Json &handler : handlers)
      for (const Json &condition :
           member(member(handler, "PLpgSQL_exception"), "conditions")) {
        std::string name =
            stringMember(member(condition, "PLpgSQL_condition"), "condname");
        catchesUniqueViolation |=
            name == "unique_violation" || name == "others";
      }
    if (catchesUniqueViolation)
      for (EventIndex i = firstEvent; i < unit_.events.size(); ++i)
        if (isWrite(unit_.events[i].kind))
          unit_.events[i].uniqueViolationHandled = true;
    for (const Json &handler : handlers)
      walkList(member(member(handler, "PLpgSQL_exception"), "action"));
    return exits;
  }

  const StatementSource &source_;
  std::vector<Diagnostic> &diagnostics_;
  unsigned bodyLine_ = 1;
  Unit unit_;
  SqlContext context_;
  std::vector<std::string> datumNames_;
  std::map<std::string, Reads> derived_;
  /// The function's input parameters by name, while the body keeps the
  /// value the caller passed.
  std::map<std::string, unsigned> parameters_;
  std::vector<EventIndex> guards_;
};

std::string languageOf(const Json &createFunction) {
  for (const Json &option : member(createFunction, "options")) {
    const Json *definition = asNode(option, "DefElem");
    if (definition && stringMember(*definition, "defname") == "language")
      return stringMember(member(member(*definition, "arg"), "String"), "sval");
  }
  return {};
}

bool isIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

/// The first occurrence of `word` in `text` not inside a longer identifier.
std::size_t findWord(const std::string &text, const std::string &word) {
  for (std::size_t at = text.find(word); at != std::string::npos;
       at = text.find(word, at + 1)) {
    bool startsWord = at == 0 || !isIdentifierChar(text[at - 1]);
    std::size_t end = at + word.size();
    bool endsWord = end >= text.size() || !isIdentifierChar(text[end]);
    if (startsWord && endsWord)
      return at;
  }
  return std::string::npos;
}

/// The body text and its offset in the file, located from the parse tree.
std::pair<std::string, std::size_t> bodyOf(const Json &createFunction,
                                           const StatementSource &source) {
  for (const Json &option : member(createFunction, "options")) {
    const Json *definition = asNode(option, "DefElem");
    if (!definition || stringMember(*definition, "defname") != "as")
      continue;
    std::vector<std::string> items = pg::stringList(
        member(member(member(*definition, "arg"), "List"), "items"));
    if (items.empty())
      continue;
    std::size_t from = static_cast<std::size_t>(
        std::max(0, pg::intMember(*definition, "location", 0)));
    std::size_t at = source.text.find(items.front(), from);
    // A single-quoted body with doubled quotes is not verbatim in the text:
    // line numbers then count from the AS keyword.
    return {items.front(),
            source.begin + (at == std::string::npos ? from : at)};
  }
  return {};
}

/// The field of a row-typed variable libpg_query could not resolve: without
/// the database's catalog it knows no column of one, so `v_row.total := 0`
/// is "\"v_row.total\" is not a known variable".
std::optional<std::string> unknownRowField(const std::string &error) {
  constexpr std::string_view suffix = "\" is not a known variable";
  if (error.size() < suffix.size() + 2 || error.front() != '"' ||
      !error.ends_with(suffix))
    return std::nullopt;
  std::string name = error.substr(1, error.size() - 1 - suffix.size());
  std::size_t dot = name.find('.');
  if (dot == std::string::npos || dot == 0)
    return std::nullopt;
  return name;
}

/// The names of the parameters a call passes (not OUT or TABLE columns), in
/// order.
std::vector<std::string> inputParameterNames(const Json &createFunction) {
  std::vector<std::string> names;
  for (const Json &item : member(createFunction, "parameters"))
    if (const Json *parameter = asNode(item, "FunctionParameter")) {
      std::string mode = stringMember(*parameter, "mode");
      if (mode != "FUNC_PARAM_OUT" && mode != "FUNC_PARAM_TABLE")
        names.push_back(stringMember(*parameter, "name"));
    }
  return names;
}

} // namespace

std::optional<Unit> plpgsqlUnitOf(const Json &createFunction,
                                  const StatementSource &source,
                                  std::vector<Diagnostic> &diagnostics) {
  if (languageOf(createFunction) != "plpgsql")
    return std::nullopt;
  // libpg_query's PL/pgSQL parser asserts that the function has an `AS`
  // body; a statement without one (or with the SQL-standard `BEGIN ATOMIC`
  // body) must not reach it.
  bool hasBody = false;
  for (const Json &option : member(createFunction, "options"))
    if (const Json *definition = asNode(option, "DefElem"))
      hasBody |= stringMember(*definition, "defname") == "as" &&
                 !member(member(*definition, "arg"), "List").is_null();
  std::string name = pg::lastName(member(createFunction, "funcname"));
  std::size_t nameAt = findWord(source.text, name);
  SourceLocation declared =
      nameAt == std::string::npos
          ? source.file.span(source.begin, source.begin + 1)
          : source.file.span(source.begin + nameAt,
                             source.begin + nameAt + name.size());

  if (!hasBody) {
    Diagnostic diagnostic;
    diagnostic.level = Level::Warning;
    diagnostic.code = "parse-error";
    diagnostic.message = "PL/pgSQL function " + name +
                         " has no AS body; the function was skipped";
    diagnostic.where = declared;
    diagnostics.push_back(std::move(diagnostic));
    return std::nullopt;
  }
  PgQueryPlpgsqlParseResult result =
      pg_query_parse_plpgsql(source.text.c_str());
  std::optional<Unit> unit;
  if (result.error) {
    Diagnostic diagnostic;
    diagnostic.level = Level::Warning;
    diagnostic.code = "parse-error";
    diagnostic.message = "function " + name +
                         " not analysed: its PL/pgSQL body does not parse: " +
                         result.error->message;
    if (std::optional<std::string> field =
            unknownRowField(result.error->message)) {
      // Valid code: PostgreSQL resolves the field from its catalog.
      diagnostic.level = Level::Note;
      diagnostic.code = "unsupported-plpgsql";
      diagnostic.message =
          "function " + name +
          " not analysed: racelint's PL/pgSQL parser cannot resolve " + *field +
          " without the database's catalog (a limit of racelint, not an "
          "error in the code)";
    }
    diagnostic.where = declared;
    diagnostics.push_back(std::move(diagnostic));
  } else {
    Json functions = Json::parse(result.plpgsql_funcs, nullptr, false);
    if (std::size_t depth = pg::depthOf(functions); depth > pg::kMaxTreeDepth) {
      Diagnostic diagnostic;
      diagnostic.level = Level::Warning;
      diagnostic.code = "too-deeply-nested";
      diagnostic.message =
          "function " + name + " not analysed: its PL/pgSQL body nests " +
          std::to_string(depth) + " levels deep, over racelint's limit of " +
          std::to_string(pg::kMaxTreeDepth);
      diagnostic.where = declared;
      diagnostics.push_back(std::move(diagnostic));
    } else if (functions.is_array() && !functions.empty()) {
      auto [body, bodyBegin] = bodyOf(createFunction, source);
      UnitBuilder builder(source, bodyBegin, diagnostics);
      unit = builder.build(member(functions[0], "PLpgSQL_function"), name,
                           declared, inputParameterNames(createFunction));
    }
  }
  pg_query_free_plpgsql_parse_result(result);
  return unit;
}

} // namespace racelint::sql
