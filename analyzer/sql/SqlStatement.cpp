#include "SqlStatement.h"

#include <algorithm>
#include <pg_query.h>

namespace racelint::sql {
namespace {

using pg::asNode;
using pg::Json;
using pg::member;
using pg::nodeBody;
using pg::nodeType;
using pg::stringMember;

void addUnique(std::vector<std::string> &names, const std::string &name) {
  if (!name.empty() &&
      std::find(names.begin(), names.end(), name) == names.end())
    names.push_back(name);
}

std::size_t locationOf(const Json &body) {
  int location = pg::intMember(body, "location", 0);
  return location > 0 ? static_cast<std::size_t>(location) : 0;
}

/// The relations a statement reads or writes, to tell its columns from the
/// variables it mentions.
struct Scope {
  std::string mainTable;
  std::set<std::string> mainNames;  // the main table's name and alias
  std::set<std::string> otherNames; // names and aliases of joined relations
  const SqlContext *context = nullptr;

  void addRelation(const Json &rangeVar, bool main) {
    std::string table = pg::relationName(rangeVar);
    std::string alias = stringMember(member(rangeVar, "alias"), "aliasname");
    auto &names = main ? mainNames : otherNames;
    names.insert(table);
    names.insert(stringMember(rangeVar, "relname")); // `users.id` in auth.users
    if (!alias.empty())
      names.insert(alias);
    if (main)
      mainTable = table;
  }

  void addFromList(const Json &list) {
    if (!list.is_array())
      return;
    for (const Json &item : list)
      addFromItem(item);
  }

  void addFromItem(const Json &item) {
    if (const Json *range = asNode(item, "RangeVar")) {
      addRelation(*range, mainTable.empty());
    } else if (const Json *join = asNode(item, "JoinExpr")) {
      addFromItem(member(*join, "larg"));
      addFromItem(member(*join, "rarg"));
    }
  }

  enum class RefKind { MainColumn, OtherColumn, Variable };
  struct Ref {
    RefKind kind;
    std::string name; // the column, or the variable
  };

  /// Resolves a ColumnRef as PostgreSQL does, preferring columns over
  /// PL/pgSQL variables only where the qualifier names a relation.
  std::optional<Ref> resolve(const Json &columnRef) const {
    const Json &fields = member(columnRef, "fields");
    std::vector<std::string> parts = pg::stringList(fields);
    if (parts.empty() || parts.size() != fields.size())
      return std::nullopt; // `t.*`
    if (parts.size() == 1) {
      if (context && context->variables.count(parts[0]))
        return Ref{RefKind::Variable, parts[0]};
      return Ref{RefKind::MainColumn, parts[0]};
    }
    const std::string &qualifier = parts[parts.size() - 2];
    if (mainNames.count(qualifier))
      return Ref{RefKind::MainColumn, parts.back()};
    if (otherNames.count(qualifier))
      return Ref{RefKind::OtherColumn, parts.back()};
    if (context && context->variables.count(parts[0]))
      return Ref{RefKind::Variable, parts[0]};
    return Ref{RefKind::OtherColumn, parts.back()};
  }
};

/// Walks an expression without descending into subqueries.
template <typename Visit> void walkExpression(const Json &node, Visit &&visit) {
  if (node.is_object()) {
    if (nodeType(node) == "SubLink")
      return;
    visit(node);
    for (const auto &item : node.items())
      walkExpression(item.value(), visit);
  } else if (node.is_array()) {
    for (const Json &item : node)
      walkExpression(item, visit);
  }
}

/// Calls `visit` on each outermost SubLink below `node`.
template <typename Visit>
void walkToSubqueries(const Json &node, Visit &&visit) {
  if (node.is_object()) {
    if (const Json *link = asNode(node, "SubLink")) {
      visit(*link);
      return;
    }
    for (const auto &item : node.items())
      walkToSubqueries(item.value(), visit);
  } else if (node.is_array()) {
    for (const Json &item : node)
      walkToSubqueries(item, visit);
  }
}

std::vector<std::string> mainColumnsIn(const Json &expression,
                                       const Scope &scope) {
  std::vector<std::string> columns;
  walkExpression(expression, [&](const Json &node) {
    if (const Json *ref = asNode(node, "ColumnRef"))
      if (auto resolved = scope.resolve(*ref);
          resolved && resolved->kind == Scope::RefKind::MainColumn)
        addUnique(columns, resolved->name);
  });
  return columns;
}

std::set<std::string> variablesIn(const Json &expression, const Scope &scope) {
  std::set<std::string> variables;
  pg::walk(expression, [&](const Json &node) {
    if (const Json *ref = asNode(node, "ColumnRef")) {
      if (auto resolved = scope.resolve(*ref);
          resolved && resolved->kind == Scope::RefKind::Variable)
        variables.insert(resolved->name);
    } else if (const Json *param = asNode(node, "ParamRef")) {
      variables.insert("$" +
                       std::to_string(pg::intMember(*param, "number", 0)));
    }
  });
  return variables;
}

bool isMainColumn(const Json &node, const Scope &scope) {
  const Json *ref = asNode(node, "ColumnRef");
  if (!ref)
    return false;
  auto resolved = scope.resolve(*ref);
  return resolved && resolved->kind == Scope::RefKind::MainColumn;
}

/// Equality conjuncts `column = value` (and `column IN (...)`, `= ANY(...)`)
/// that pin the rows a predicate selects, with the variables each is
/// compared with.
void collectKeyColumns(const Json &predicate, const Scope &scope,
                       StatementEvent &into) {
  if (const Json *boolean = asNode(predicate, "BoolExpr")) {
    if (stringMember(*boolean, "boolop") == "AND_EXPR")
      for (const Json &argument : member(*boolean, "args"))
        collectKeyColumns(argument, scope, into);
    return;
  }
  const Json *expression = asNode(predicate, "A_Expr");
  if (!expression)
    return;
  std::string kind = stringMember(*expression, "kind");
  bool equality =
      pg::lastName(member(*expression, "name")) == "=" &&
      (kind == "AEXPR_OP" || kind == "AEXPR_IN" || kind == "AEXPR_OP_ANY");
  if (!equality)
    return;
  const Json &left = member(*expression, "lexpr");
  const Json &right = member(*expression, "rexpr");
  bool leftColumn = isMainColumn(left, scope);
  bool rightColumn = isMainColumn(right, scope);
  if (leftColumn == rightColumn)
    return;
  const Json &column = leftColumn ? left : right;
  std::string name = scope.resolve(nodeBody(column))->name;
  addUnique(into.event.keyColumns, name);
  into.event.keyMatchesMany |= kind != "AEXPR_OP";
  for (const std::string &variable :
       variablesIn(leftColumn ? right : left, scope))
    into.keyVariables.emplace_back(name, variable);
}

RowLock lockStrength(const std::string &strength) {
  if (strength == "LCS_FORUPDATE")
    return RowLock::Update;
  if (strength == "LCS_FORNOKEYUPDATE")
    return RowLock::NoKeyUpdate;
  if (strength == "LCS_FORSHARE")
    return RowLock::Share;
  if (strength == "LCS_FORKEYSHARE")
    return RowLock::KeyShare;
  return RowLock::None;
}

Isolation isolationFromName(const std::string &name) {
  if (name == "serializable")
    return Isolation::Serializable;
  if (name == "repeatable read")
    return Isolation::RepeatableRead;
  if (name == "read committed")
    return Isolation::ReadCommitted;
  if (name == "read uncommitted")
    return Isolation::ReadUncommitted;
  return Isolation::Unspecified;
}

std::optional<Isolation> isolationOption(const Json &options) {
  if (!options.is_array())
    return std::nullopt;
  for (const Json &option : options) {
    const Json *definition = asNode(option, "DefElem");
    if (!definition ||
        stringMember(*definition, "defname") != "transaction_isolation")
      continue;
    const Json *constant = asNode(member(*definition, "arg"), "A_Const");
    if (constant)
      return isolationFromName(stringMember(member(*constant, "sval"), "sval"));
  }
  return std::nullopt;
}

class Analyzer {
public:
  explicit Analyzer(const SqlContext &context) : context_(context) {}

  StatementFacts run(const Json &statement) {
    visitStatement(statement);
    return std::move(facts_);
  }

  void visitStatement(const Json &statement) {
    std::string_view type = nodeType(statement);
    const Json &body = pg::nodeBody(statement);
    if (type == "SelectStmt")
      visitSelect(body);
    else if (type == "InsertStmt")
      visitInsert(body);
    else if (type == "UpdateStmt")
      visitUpdate(body);
    else if (type == "DeleteStmt")
      visitDelete(body);
    else if (type == "TransactionStmt")
      visitTransaction(body);
    else if (type == "VariableSetStmt")
      visitVariableSet(body);
    else if (type == "LockStmt")
      visitLockTable(body);
  }

  /// For a bare expression wrapped as `SELECT <expr>`.
  void visitExpression(const Json &expression) {
    Scope scope;
    scope.context = &context_;
    visitSubqueries(expression);
    visitAdvisoryLocks(expression);
    merge(facts_.variablesUsed, variablesIn(expression, scope));
  }

private:
  static void merge(std::set<std::string> &into,
                    const std::set<std::string> &from) {
    into.insert(from.begin(), from.end());
  }

  Scope scopeFor(const Json &relation, const Json &fromList) {
    Scope scope;
    scope.context = &context_;
    if (relation.is_object())
      scope.addRelation(relation, true);
    scope.addFromList(fromList);
    return scope;
  }

  void visitWith(const Json &body) {
    for (const Json &cte : member(member(body, "withClause"), "ctes"))
      if (const Json *common = asNode(cte, "CommonTableExpr"))
        visitStatement(member(*common, "ctequery"));
  }

  /// Reads in EXISTS/IN/scalar subqueries run before the statement's own act.
  /// Each subquery visits the ones nested in it, so the walk stops at the
  /// first level: descending further would visit a subquery once per level
  /// above it, in time exponential in the nesting.
  void visitSubqueries(const Json &node) {
    walkToSubqueries(node, [&](const Json &link) {
      visitStatement(member(link, "subselect"));
      // `x IN (SELECT ...)`: the tested expression is outside the subquery.
      visitSubqueries(member(link, "testexpr"));
    });
  }

  void visitAdvisoryLocks(const Json &node) {
    walkExpression(node, [&](const Json &candidate) {
      const Json *call = asNode(candidate, "FuncCall");
      if (!call)
        return;
      std::string name = pg::lastName(member(*call, "funcname"));
      if (!name.starts_with("pg_advisory") &&
          !name.starts_with("pg_try_advisory"))
        return;
      if (name.find("unlock") != std::string::npos)
        return;
      StatementEvent lock;
      lock.event.kind = EventKind::Lock;
      lock.event.advisory = true;
      lock.event.transactionScoped = name.find("xact") != std::string::npos;
      lock.event.detail = name;
      lock.offset = locationOf(*call);
      facts_.events.push_back(std::move(lock));
    });
  }

  void visitSelect(const Json &select) {
    visitWith(select);
    if (stringMember(select, "op") != "" &&
        stringMember(select, "op") != "SETOP_NONE") {
      visitStatement(Json{{"SelectStmt", member(select, "larg")}});
      visitStatement(Json{{"SelectStmt", member(select, "rarg")}});
      return;
    }
    Scope scope = scopeFor(Json(), member(select, "fromClause"));
    merge(facts_.variablesUsed, variablesIn(select, scope));
    visitSubqueries(member(select, "whereClause"));
    visitSubqueries(member(select, "targetList"));
    if (scope.mainTable.empty()) {
      visitAdvisoryLocks(member(select, "targetList"));
      return;
    }
    StatementEvent read;
    Event &event = read.event;
    event.kind = EventKind::Read;
    event.table = scope.mainTable;
    for (const Json &target : member(select, "targetList")) {
      const Json &value = member(member(target, "ResTarget"), "val");
      if (const Json *ref = asNode(value, "ColumnRef")) {
        const Json &fields = member(*ref, "fields");
        if (fields.is_array() && !fields.empty() &&
            nodeType(fields.back()) == "A_Star") {
          event.readsAllColumns = true;
          continue;
        }
      }
      for (const std::string &column : mainColumnsIn(value, scope))
        addUnique(event.readColumns, column);
    }
    const Json &where = member(select, "whereClause");
    collectKeyColumns(where, scope, read);
    event.predicateColumns = mainColumnsIn(where, scope);
    for (const Json &clause : member(select, "lockingClause")) {
      const Json *locking = asNode(clause, "LockingClause");
      if (!locking)
        continue;
      RowLock strength = lockStrength(stringMember(*locking, "strength"));
      if (strength > event.lock)
        event.lock = strength;
      if (stringMember(*locking, "waitPolicy") != "LockWaitBlock")
        event.lockWaits = false;
    }
    read.offset =
        locationOf(member(member(select, "fromClause")[0], "RangeVar"));
    facts_.events.push_back(std::move(read));
  }

  void visitInsert(const Json &insert) {
    visitWith(insert);
    const Json &relation = member(insert, "relation");
    Scope scope = scopeFor(relation, Json());
    merge(facts_.variablesUsed, variablesIn(insert, scope));

    const Json &source = member(member(insert, "selectStmt"), "SelectStmt");
    if (member(source, "fromClause").is_array())
      visitSelect(source); // INSERT ... SELECT reads first
    else
      visitSubqueries(source);

    StatementEvent write;
    Event &event = write.event;
    event.table = scope.mainTable;
    event.kind = EventKind::Insert;
    for (const Json &column : member(insert, "cols"))
      event.setColumns.push_back(
          {stringMember(member(column, "ResTarget"), "name"), false});
    write.valueVariables = variablesIn(source, scope);

    const Json &conflict = member(insert, "onConflictClause");
    if (conflict.is_object()) {
      event.kind = EventKind::Upsert;
      const Json &infer = member(conflict, "infer");
      for (const Json &element : member(infer, "indexElems")) {
        const Json &index = member(element, "IndexElem");
        addUnique(event.keyColumns, stringMember(index, "name"));
        for (const std::string &column :
             mainColumnsIn(member(index, "expr"), scope))
          addUnique(event.keyColumns, column);
      }
      event.detail = stringMember(infer, "conname");
      for (const Json &target : member(conflict, "targetList")) {
        const Json &result = member(target, "ResTarget");
        std::string column = stringMember(result, "name");
        bool atomic = !mainColumnsIn(member(result, "val"), scope).empty();
        auto existing = std::find_if(
            event.setColumns.begin(), event.setColumns.end(),
            [&](const SetColumn &set) { return set.column == column; });
        if (existing != event.setColumns.end())
          existing->atomic = atomic;
        else
          event.setColumns.push_back({column, atomic});
        merge(write.valueVariables, variablesIn(member(result, "val"), scope));
      }
    }
    write.offset = locationOf(relation);
    event.resultChecked = member(insert, "returningList").is_array();
    facts_.events.push_back(std::move(write));
  }

  void visitUpdate(const Json &update) {
    visitWith(update);
    const Json &relation = member(update, "relation");
    Scope scope = scopeFor(relation, member(update, "fromClause"));
    merge(facts_.variablesUsed, variablesIn(update, scope));
    const Json &where = member(update, "whereClause");
    visitSubqueries(where);

    StatementEvent write;
    Event &event = write.event;
    event.kind = EventKind::Update;
    event.table = scope.mainTable;
    for (const Json &target : member(update, "targetList")) {
      const Json &result = member(target, "ResTarget");
      std::string column = stringMember(result, "name");
      const Json &value = member(result, "val");
      visitSubqueries(value);
      std::vector<std::string> columns = mainColumnsIn(value, scope);
      bool atomic =
          std::find(columns.begin(), columns.end(), column) != columns.end();
      event.setColumns.push_back({column, atomic});
      merge(write.valueVariables, variablesIn(value, scope));
      merge(write.columnVariables[column], variablesIn(value, scope));
    }
    collectKeyColumns(where, scope, write);
    event.predicateColumns = mainColumnsIn(where, scope);
    event.resultChecked = member(update, "returningList").is_array();
    write.offset = locationOf(relation);
    facts_.events.push_back(std::move(write));
  }

  void visitDelete(const Json &deletion) {
    visitWith(deletion);
    const Json &relation = member(deletion, "relation");
    Scope scope = scopeFor(relation, member(deletion, "usingClause"));
    merge(facts_.variablesUsed, variablesIn(deletion, scope));
    const Json &where = member(deletion, "whereClause");
    visitSubqueries(where);
    StatementEvent write;
    write.event.kind = EventKind::Delete;
    write.event.table = scope.mainTable;
    collectKeyColumns(where, scope, write);
    write.event.predicateColumns = mainColumnsIn(where, scope);
    write.event.resultChecked = member(deletion, "returningList").is_array();
    write.offset = locationOf(relation);
    facts_.events.push_back(std::move(write));
  }

  void visitTransaction(const Json &transaction) {
    std::string kind = stringMember(transaction, "kind");
    StatementEvent event;
    if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
      event.event.kind = EventKind::TxBegin;
      event.event.isolation = isolationOption(member(transaction, "options"))
                                  .value_or(Isolation::Unspecified);
    } else if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK" ||
               kind == "TRANS_STMT_PREPARE") {
      event.event.kind = EventKind::TxEnd;
    } else {
      return; // savepoints stay inside the transaction
    }
    facts_.events.push_back(std::move(event));
  }

  void visitVariableSet(const Json &set) {
    if (stringMember(set, "name") == "TRANSACTION")
      facts_.setIsolation = isolationOption(member(set, "args"));
  }

  void visitLockTable(const Json &lock) {
    for (const Json &relation : member(lock, "relations")) {
      StatementEvent event;
      event.event.kind = EventKind::Lock;
      event.event.table = pg::relationName(member(relation, "RangeVar"));
      event.event.detail = "LOCK TABLE";
      event.offset = locationOf(member(relation, "RangeVar"));
      facts_.events.push_back(std::move(event));
    }
  }

  const SqlContext &context_;
  StatementFacts facts_;
};

} // namespace

static std::string tooDeep(std::size_t depth) {
  return "its parse tree nests " + std::to_string(depth) +
         " levels deep, over racelint's limit of " +
         std::to_string(pg::kMaxTreeDepth);
}

ParseOutcome parseSql(const std::string &text) {
  ParseOutcome outcome;
  PgQueryParseResult result = pg_query_parse(text.c_str());
  if (result.error) {
    outcome.error = result.error->message;
    int cursor = result.error->cursorpos;
    outcome.errorOffset = cursor > 0 ? static_cast<std::size_t>(cursor - 1) : 0;
  } else {
    outcome.tree = Json::parse(result.parse_tree, nullptr, false);
    if (outcome.tree.is_discarded())
      outcome.error = "libpg_query returned an unreadable parse tree";
    else if (std::size_t depth = pg::depthOf(outcome.tree);
             depth > pg::kMaxTreeDepth) {
      outcome.error = tooDeep(depth);
      outcome.tooDeep = true;
    }
  }
  pg_query_free_parse_result(result);
  return outcome;
}

StatementFacts analyzeStatement(const Json &statement,
                                const SqlContext &context) {
  return Analyzer(context).run(statement);
}

std::optional<StatementFacts> analyzeSql(const std::string &sql,
                                         const SqlContext &context,
                                         std::string *error, bool *tooDeep) {
  ParseOutcome parsed = parseSql(sql);
  if (parsed.error) {
    if (error)
      *error = *parsed.error;
    if (tooDeep)
      *tooDeep = parsed.tooDeep;
    return std::nullopt;
  }
  StatementFacts all;
  for (const Json &statement : member(parsed.tree, "stmts")) {
    StatementFacts facts = analyzeStatement(member(statement, "stmt"), context);
    for (StatementEvent &event : facts.events)
      all.events.push_back(std::move(event));
    all.variablesUsed.insert(facts.variablesUsed.begin(),
                             facts.variablesUsed.end());
    if (facts.setIsolation)
      all.setIsolation = facts.setIsolation;
  }
  return all;
}

std::optional<StatementFacts> analyzeExpression(const std::string &expression,
                                                const SqlContext &context) {
  ParseOutcome parsed = parseSql("SELECT " + expression);
  if (parsed.error)
    return std::nullopt;
  const Json &statements = member(parsed.tree, "stmts");
  if (!statements.is_array() || statements.empty())
    return std::nullopt;
  const Json *select = asNode(member(statements[0], "stmt"), "SelectStmt");
  if (!select)
    return std::nullopt;
  Analyzer analyzer(context);
  analyzer.visitExpression(member(*select, "targetList"));
  return analyzer.run(Json());
}

} // namespace racelint::sql
