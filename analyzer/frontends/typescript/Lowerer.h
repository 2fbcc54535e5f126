#pragma once

// The walk that lowers a function body to program events, shared by the
// files that implement it: Lowering.cpp (statements, expressions, calls),
// ObjectArguments.cpp (where and data objects), TypeOrmCalls.cpp,
// PrismaCalls.cpp and RawSqlCalls.cpp.

#include "TsInternal.h"
#include "frontends/lowering/LoweringCore.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace racelint::ts {

using lowering::addUnique;
using lowering::lower;
using lowering::memberOrigin;
using lowering::namedVariable;
using lowering::placeholdersToVariables;
using lowering::positionalVariable;

/// Walks TypeScript syntax; the bookkeeping of names, guards, transactions
/// and events is LoweringCore's.
class Lowerer : public lowering::LoweringCore {
public:
  Lowerer(const FileContext &context, const ClassContext *owner, Unit &unit)
      : LoweringCore(context.source, context.models, unit), context_(context),
        owner_(owner) {
    reportTo(context.diagnostics);
  }
  /// The value of an expression outside any function (module level).
  Value evaluate(Node node);
  void run(Node function, std::map<std::string, Value> parameters);
  const Returned &returned() const { return returned_; }

private:
  // ---- names ---------------------------------------------------------------
  /// Binds a pattern (identifier, or object/array destructuring) to a value.
  void bind(Node pattern, const Value &value);
  bool bindEach(Node pattern, Node valueNode);
  /// Binds a function's parameters; `numbered` records each one's position,
  /// so that writes can say which parameters they store (see CallArgument).
  void bindParameters(Node parameters, const Value &value, bool keepBound,
                      bool numbered = false);

  /// A member of a supabase-js result envelope: `data` is the rows (or the
  /// write's outcome), `count` carries the count, the rest nothing of either.
  Value unwrapEnvelope(const Value &envelope, const std::string &member);

  // ---- statements ----------------------------------------------------------
  /// Returns true when the statement always leaves the function.
  bool statement(Node node);
  bool block(Node node);
  bool ifStatement(Node node);
  bool tryStatement(Node node);

  // ---- expressions ---------------------------------------------------------
  Value expression(Node node) override;
  Value member(Node node);
  Value subscript(Node node);
  Value headerRead(const std::string &name, Node at);
  Value unboundName(const std::string &name);
  std::optional<std::string>
  idempotencyHeaderFor(const std::string &field) const;
  Value newExpression(Node node);
  Value argumentsOf(Node arguments);
  /// `x = v`, `x.prop = v`, `x.prop += v`, `x.prop++` (update_expression
  /// goes through the generic path).
  Value assignment(Node node);
  /// `x.prop++`, `--x.prop`: the property is rewritten from its own value.
  Value increment(Node node);
  Value binary(Node node);

  // ---- calls ---------------------------------------------------------------
  Value call(Node node);
  Value dispatch(const Value &receiver, const std::string &method,
                 const std::vector<Node> &args, Node node, Node arguments);
  Value argumentsOfList(const std::vector<Node> &args);
  /// A call to a unit of the scanned code, spliced in after every file is
  /// read; each argument says what it carries into the callee's parameter.
  Value callUnit(const std::string &callee, Node at,
                 const std::vector<Node> &args);
  Value objectAssign(const std::vector<Node> &args, Node);
  /// `transaction(cb)`, `$transaction(cb)`: the callback runs in one
  /// transaction, its parameter holding `parameterRole`.
  Value transactionCallback(const std::vector<Node> &args, Node at,
                            Role parameterRole);

  // ---- TypeORM -------------------------------------------------------------
  /// A method of TypeORM's Repository this lowering models (the others of a
  /// custom repository class are the class's own).
  bool modelsRepositoryMethod(const std::string &method) const;
  Value repositoryCall(const std::string &entity, const std::string &method,
                       std::vector<Node> args, Node at);
  Value managerCall(const Value &receiver, const std::string &method,
                    std::vector<Node> args, Node at);
  /// A member of an object literal as (key, value): `a: v`, `'a': v` and
  /// shorthand `a`; a null value for spreads and computed keys.
  std::pair<std::string, Node> objectMember(Node member);
  /// Reads a find-options object ({ where, select, lock }) into `event`.
  /// TypeORM 0.2 also took the conditions themselves (`findOne({ slug })`,
  /// `findOne(id)`): an object naming no find option is read as those.
  void findOptions(Node options, Event &event);
  bool namesFindOption(Node options);
  void selectColumns(Node value, Event &event);
  /// A predicate: an object of property -> value (an array is an OR of
  /// them), or a bare id. Equality with a value makes a key column; an
  /// operator (`In(...)`, `{ gte: 1 }`) only a tested one.
  void whereArgument(Node where, Event &event, bool prisma,
                     const std::string &prefix = "");
  /// Property values to write; returns what they carry.
  Value dataObject(Node data, Event &event, bool prisma);
  Value typeormOperation(const std::string &entity,
                         const OperationModel &operation,
                         const std::vector<Node> &args, Node at);
  void conflictTarget(Node node, Event &event);
  /// `save(entity)`: an update of the row it was loaded from, with the
  /// properties assigned since; or an insert of a new entity.
  Value saveEntity(std::string entity, const std::vector<Node> &args, Node at,
                   bool remove);
  Value queryBuilderCall(const Value &receiver, const std::string &method,
                         const std::vector<Node> &args, Node at);
  /// Builds the SQL statement a query-builder chain runs and reads it with
  /// the SQL front-end, so that `where('a.version = :version')` is parsed by
  /// PostgreSQL's grammar, not by us.
  Value runQueryBuilder(const QueryBuilderState &state, Node at,
                        const std::string &resultKind);
  /// Raw SQL: `query('...', [params])`, `$queryRaw` templates.
  Value rawSql(const std::vector<Node> &args, Node at);
  /// A template literal as SQL: each `${value}` becomes a variable.
  std::string templateSql(Node templateNode, std::set<std::string> &variables,
                          std::map<std::string, Value> &parameterValues);

  // ---- effects outside the database -----------------------------------------
  Value paymentCall(const Value &client, const std::string &method,
                    const std::vector<Node> &args, Node at);
  Value emailCall(const Value &client, const std::string &method,
                  const std::vector<Node> &args, Node at);
  Value httpClientCall(const std::string &method, const std::vector<Node> &args,
                       Node at);
  Value fetchCall(const std::vector<Node> &args, Node at);
  /// Reads an options object for one of `keys` (a request option, or a
  /// header name): given, and given a value made fresh per call?
  void idempotencyOption(Node options, const NameSet &keys, Event &effect);

  // ---- supabase-js ---------------------------------------------------------
  Value supabaseClientCall(const std::string &method,
                           const std::vector<Node> &args, Node at);
  Value supabaseQueryCall(const Value &receiver, const std::string &method,
                          const std::vector<Node> &args);
  /// Emits the event of a query being awaited (PostgREST runs it then).
  Value runSupabaseQuery(const SupabaseQueryState &query, Node at);

  // ---- Prisma --------------------------------------------------------------
  Isolation prismaIsolation(Node options);
  Value prismaClientCall(const std::string &method,
                         const std::vector<Node> &args, Node at,
                         Node arguments);
  Value prismaCall(const std::string &delegate, const std::string &method,
                   const std::vector<Node> &args, Node at);
  /// `return value` (or an arrow function's body): what the unit returns.
  void noteResult(const Value &value, Node returned);

  const FileContext &context_;
  const ClassContext *owner_;
  Returned returned_;
};

} // namespace racelint::ts
