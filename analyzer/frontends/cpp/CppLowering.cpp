// Lowers a type-checked Clang AST to program units. Library calls are
// recognised by the qualified names of their declarations (cpp.yaml), never
// by spelling: an alias, a `using` or a macro changes nothing.

#include "CppLowering.h"

#include "CppAst.h"

#include "frontends/FrameworkModels.h"
#include "frontends/lowering/LoweringCore.h"
#include "sql/SqliteDialect.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/AST/StmtCXX.h>
#include <clang/Lex/Lexer.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>

namespace racelint {
namespace {

using namespace cpp;
using lowering::EventBuilder;
using lowering::Role;
using lowering::Value;

/// Finds what the translation unit registers and prepares, before any
/// function is lowered: a handler may be registered after its definition.
class Registrations : public clang::RecursiveASTVisitor<Registrations> {
public:
  explicit Registrations(TranslationUnit &unit) : unit_(unit) {}

  bool VisitCallExpr(clang::CallExpr *call) {
    CallParts parts = callParts(call);
    if (!parts.callee || !unit_.inProject(call->getBeginLoc()))
      return true;
    std::vector<std::string> names = calleeNames(parts.callee);
    if (const auto *prepare = findCallee(unit_.model.prepare, names)) {
      auto [nameArgument, sqlArgument] = *prepare;
      if (nameArgument < int(parts.arguments.size()) &&
          sqlArgument < int(parts.arguments.size())) {
        auto name = unit_.text(parts.arguments[nameArgument]);
        auto sql = unit_.text(parts.arguments[sqlArgument]);
        if (name && sql)
          unit_.prepared[*name] = *sql;
      }
    }
    if (const auto *route = findCallee(unit_.model.routes, names))
      registerRoute(*route, parts);
    return true;
  }

  /// `const std::string Accounts::tableName = "accounts";`: the table of a
  /// model, for every file that uses the model without seeing this.
  bool VisitVarDecl(clang::VarDecl *variable) {
    const CppMapperApi &api = unit_.model.mappers;
    if (!variable->isStaticDataMember() ||
        variable->getName() != api.tableMember || !variable->getInit())
      return true;
    auto *record =
        llvm::dyn_cast<clang::CXXRecordDecl>(variable->getDeclContext());
    if (auto table = unit_.text(variable->getInit()); table && record)
      unit_.analysis.tableNames["cpp:" + record->getQualifiedNameAsString()] =
          *table;
    return true;
  }

private:
  /// `HttpSimpleController<Ctrl>::registerSelf__`: Ctrl's method `name`.
  static const clang::FunctionDecl *
  templateArgumentMethod(const clang::FunctionDecl *callee,
                         const std::string &name) {
    auto *method = llvm::dyn_cast<clang::CXXMethodDecl>(callee);
    auto *owner = method
                      ? llvm::dyn_cast<clang::ClassTemplateSpecializationDecl>(
                            method->getParent())
                      : nullptr;
    if (!owner || owner->getTemplateArgs().size() == 0 ||
        owner->getTemplateArgs()[0].getKind() != clang::TemplateArgument::Type)
      return nullptr;
    const clang::CXXRecordDecl *controller =
        owner->getTemplateArgs()[0].getAsType()->getAsCXXRecordDecl();
    if (!controller || !controller->hasDefinition())
      return nullptr;
    for (const clang::CXXMethodDecl *each : controller->methods())
      if (each->getNameAsString() == name)
        return each;
    return nullptr;
  }

  bool namesIdempotencyFilter(const clang::Stmt *node) {
    if (!node)
      return false;
    if (auto *literal = llvm::dyn_cast<clang::StringLiteral>(node))
      return literal->getCharByteWidth() == 1 &&
             builtinModels().http.isIdempotencyMarker(
                 literal->getString().str());
    for (const clang::Stmt *child : node->children())
      if (namesIdempotencyFilter(child))
        return true;
    return false;
  }

  void registerRoute(const CppRoute &route, const CallParts &parts) {
    HttpFacts facts;
    facts.method = route.method;
    if (route.path >= 0 && route.path < int(parts.arguments.size()))
      facts.route = unit_.text(parts.arguments[route.path]).value_or("");
    // A chain: `app.route("/x").methods("POST"_method)(handler)`.
    std::vector<std::string> methods;
    for (const clang::Expr *object = parts.object; object;) {
      auto *call = llvm::dyn_cast<clang::CallExpr>(strip(object));
      if (!call)
        break;
      CallParts link = callParts(call);
      if (!link.callee)
        break;
      std::vector<std::string> names = calleeNames(link.callee);
      if (anyCallee(route.methodsFrom, names))
        for (const clang::Expr *argument : link.arguments)
          if (auto method = unit_.httpMethod(argument))
            methods.push_back(*method);
      if (!route.pathFrom.empty() &&
          std::find(names.begin(), names.end(), route.pathFrom) !=
              names.end() &&
          !link.arguments.empty())
        facts.route = unit_.text(link.arguments[0]).value_or("");
      object = link.object;
    }
    if (route.methods >= 0 && route.methods < int(parts.arguments.size())) {
      collectEnumerators(parts.arguments[route.methods], methods);
      // Filters are named beside the methods: `{Post, "IdempotencyFilter"}`.
      facts.idempotencyMiddleware =
          namesIdempotencyFilter(parts.arguments[route.methods]);
    }
    const clang::Expr *handler = nullptr;
    const clang::ValueDecl *named = nullptr;
    if (!route.handlerMethod.empty())
      named = templateArgumentMethod(parts.callee, route.handlerMethod);
    else if (route.handler >= 0 && route.handler < int(parts.arguments.size()))
      // A lambda, a variable holding one, or a function (`&Ctrl::method`).
      handler = strip(parts.arguments[route.handler]);
    if (handler)
      named = variableOf(handler);
    if (auto *variable = llvm::dyn_cast_or_null<clang::VarDecl>(named);
        variable && variable->getInit())
      handler = strip(variable->getInit());
    auto add = [&](const std::string &method) {
      HttpFacts each = facts;
      each.method = method;
      if (auto *lambda = llvm::dyn_cast_or_null<clang::LambdaExpr>(handler))
        unit_.handlerLambdas.emplace(lambda, each);
      else if (auto *function =
                   llvm::dyn_cast_or_null<clang::FunctionDecl>(named))
        unit_.handlerFunctions.emplace(function->getCanonicalDecl(), each);
    };
    // One handler for several methods is lowered once, as the method the
    // rules about requests judge most strictly.
    static const std::vector<std::string> strictest = {"POST", "PUT", "PATCH",
                                                       "DELETE"};
    for (const std::string &method : strictest)
      if (std::find(methods.begin(), methods.end(), method) != methods.end()) {
        add(method);
        return;
      }
    add(methods.empty() ? facts.method : methods.front());
  }

  TranslationUnit &unit_;
};

/// Lowers one function body: events in program order, def-use of results,
/// guards, and transactions by RAII scope.
class Lowerer : public EventBuilder {
public:
  Lowerer(TranslationUnit &tu, Unit &unit)
      : EventBuilder(builtinModels(), unit), tu_(tu) {
    reportTo(&tu.analysis.diagnostics);
  }

  void lower(llvm::ArrayRef<clang::ParmVarDecl *> parameters,
             const clang::Stmt *body) {
    for (unsigned i = 0; i < parameters.size(); ++i)
      parameter(parameters[i], i);
    statement(body);
    if (tooDeep_) {
      // What lies below the limit is unknown, and a guard or a transaction
      // among it could decide a finding: no events from half a function.
      unit_.events.clear();
      Diagnostic diagnostic;
      diagnostic.level = Level::Warning;
      diagnostic.code = "too-deeply-nested";
      diagnostic.message = unit_.name + " not analysed: its code nests over " +
                           std::to_string(kMaxDepth) +
                           " statements or expressions deep";
      diagnostic.where = *tooDeep_;
      tu_.analysis.diagnostics.push_back(std::move(diagnostic));
      return;
    }
    lowering::collectHeadersRead(unit_);
  }

private:
  /// The walks below recurse: Clang accepts an `else if` chain or an `a + a
  /// + ...` thousands long, which would overflow the stack.
  static constexpr unsigned kMaxDepth = 800;

  /// Counts one level of the walk; false past the limit.
  class Nesting {
  public:
    Nesting(Lowerer &lowerer, const clang::Stmt *node) : lowerer_(lowerer) {
      if (++lowerer_.depth_ > kMaxDepth && !lowerer_.tooDeep_)
        lowerer_.tooDeep_ = lowerer_.where(node);
    }
    ~Nesting() { --lowerer_.depth_; }
    explicit operator bool() const { return !lowerer_.tooDeep_; }

  private:
    Lowerer &lowerer_;
  };
  unsigned depth_ = 0;
  std::optional<racelint::SourceLocation> tooDeep_;

  /// A statement prepared from SQL, the values bound to it, and what its
  /// first run returned.
  struct PreparedStatement {
    std::string sql;
    std::map<std::string, Value> values;
    std::optional<Value> result;
  };

  struct OpenTransaction {
    const clang::ValueDecl *variable;
    EventIndex begin;
    std::optional<EventIndex> outer;
  };

  racelint::SourceLocation where(const clang::Stmt *node) {
    return tu_.location(node->getSourceRange());
  }

  const CppTransactionType *transactionType(clang::QualType type,
                                            const clang::CXXRecordDecl **at) {
    const CppTransactionType *found = nullptr;
    anyClass(recordOf(type), [&](const clang::CXXRecordDecl *each) {
      auto it = tu_.model.transactions.find(each->getQualifiedNameAsString());
      if (it == tu_.model.transactions.end())
        return false;
      found = &it->second;
      *at = each;
      return true;
    });
    return found;
  }

  /// The level a transaction type names in its template argument
  /// (`pqxx::transaction<pqxx::serializable>`).
  Isolation isolationOf(const clang::CXXRecordDecl *record,
                        const CppTransactionType &type) {
    auto *specialization =
        llvm::dyn_cast<clang::ClassTemplateSpecializationDecl>(record);
    if (!specialization || type.isolationArgument < 0 ||
        type.isolationArgument >= int(specialization->getTemplateArgs().size()))
      return Isolation::Unspecified;
    const clang::TemplateArgument &argument =
        specialization->getTemplateArgs()[type.isolationArgument];
    if (argument.getKind() != clang::TemplateArgument::Integral)
      return Isolation::Unspecified;
    const auto *enumType = argument.getIntegralType()->getAs<clang::EnumType>();
    if (!enumType)
      return Isolation::Unspecified;
    for (const clang::EnumConstantDecl *constant :
         enumType->getDecl()->enumerators())
      if (llvm::APSInt::isSameValue(constant->getInitVal(),
                                    argument.getAsIntegral()))
        return isolationFromName(constant->getNameAsString())
            .value_or(Isolation::Unspecified);
    return Isolation::Unspecified;
  }

  static std::optional<std::string> enumeratorName(const clang::Expr *expr) {
    auto *reference = llvm::dyn_cast_or_null<clang::DeclRefExpr>(strip(expr));
    if (reference && llvm::isa<clang::EnumConstantDecl>(reference->getDecl()))
      return reference->getDecl()->getNameAsString();
    return std::nullopt;
  }

  template <typename Map>
  static const typename Map::mapped_type *
  findClass(const Map &map, const clang::CXXRecordDecl *record) {
    const typename Map::mapped_type *found = nullptr;
    anyClass(record, [&](const clang::CXXRecordDecl *each) {
      auto it = map.find(each->getQualifiedNameAsString());
      if (it != map.end())
        found = &it->second;
      return found != nullptr;
    });
    return found;
  }

  void parameter(const clang::ParmVarDecl *parameter, unsigned index) {
    const clang::CXXRecordDecl *record = recordOf(parameter->getType());
    if (classIs(record, tu_.model.requestTypes)) {
      Value request;
      request.role = Role::Request;
      values_[parameter] = request;
    } else if (classIs(record, tu_.model.autocommitTypes)) {
      transactions_[parameter] = std::nullopt;
    } else if (classIs(record, tu_.model.transactionParameters)) {
      // The caller's transaction: the body runs inside it.
      if (!tx_) {
        Event begin;
        begin.kind = EventKind::TxBegin;
        begin.implicit = true;
        tx_ = emit(std::move(begin), tu_.location(parameter->getSourceRange()));
      }
      transactions_[parameter] = tx_;
    } else {
      Value value;
      value.parameters.insert(index);
      values_[parameter] = value;
    }
  }

  /// The transaction a statement runs in when it goes through `object`:
  /// unset when `object` is no transaction variable of this unit.
  std::optional<std::optional<EventIndex>>
  transactionOf(const clang::Expr *object) {
    auto *reference = llvm::dyn_cast_or_null<clang::DeclRefExpr>(strip(object));
    if (!reference)
      return std::nullopt;
    auto found = transactions_.find(reference->getDecl());
    if (found == transactions_.end())
      return std::nullopt;
    return found->second;
  }

  void declare(const clang::VarDecl *variable) {
    clang::QualType type = variable->getType();
    const clang::CXXRecordDecl *record = nullptr;
    const CppTransactionType *transaction = transactionType(type, &record);
    if (transaction && !type->isReferenceType()) {
      const clang::CXXConstructExpr *construct = constructionOf(variable);
      if (transaction->nested) { // a savepoint: still the outer transaction
        auto outer = construct && construct->getNumArgs() > 0
                         ? transactionOf(construct->getArg(0))
                         : std::nullopt;
        transactions_[variable] = outer.value_or(tx_);
        return;
      }
      Isolation isolation = isolationOf(record, *transaction);
      if (construct && transaction->behaviorArgument >= 0 &&
          transaction->behaviorArgument < int(construct->getNumArgs()))
        if (auto behavior = enumeratorName(
                construct->getArg(transaction->behaviorArgument));
            behavior && transaction->serializableBehaviors.count(*behavior))
          isolation = Isolation::Serializable;
      beginTransaction(variable, isolation);
      return;
    }
    if (classIs(recordOf(type), tu_.model.autocommitTypes) &&
        !type->isReferenceType()) {
      transactions_[variable] = std::nullopt;
      return;
    }
    if (!variable->getInit())
      return;
    if (declarePreparedStream(variable))
      return;
    const CppStatementApi &api = tu_.model.statements;
    if (const int *sqlArgument = findClass(api.types, recordOf(type))) {
      const clang::CXXConstructExpr *construct = constructionOf(variable);
      if (construct && *sqlArgument < int(construct->getNumArgs()))
        if (auto sql = tu_.text(construct->getArg(*sqlArgument)))
          statements_[variable] = PreparedStatement{*sql, {}, std::nullopt};
      return;
    }
    if (auto *call =
            llvm::dyn_cast_or_null<clang::CallExpr>(strip(variable->getInit())))
      if (call->getDirectCallee() &&
          anyCallee(tu_.model.transactionFactories,
                    calleeNames(call->getDirectCallee()))) {
        expression(call);
        beginTransaction(variable, Isolation::Unspecified);
        return;
      }
    if (auto alias = transactionOf(variable->getInit())) {
      transactions_[variable] = *alias;
      return;
    }
    values_[variable] = expression(variable->getInit());
  }

  /// A transaction `variable` holds from here to its commit or the end of
  /// its scope (RAII); what runs meanwhile runs in it.
  void beginTransaction(const clang::VarDecl *variable, Isolation isolation) {
    Event begin;
    begin.kind = EventKind::TxBegin;
    begin.isolation = isolation;
    EventIndex index =
        emit(std::move(begin), tu_.location(variable->getSourceRange()));
    transactions_[variable] = index;
    open_.back().push_back({variable, index, tx_});
    tx_ = index;
  }

  /// Ends the transaction `variable` holds, at `at` (commit, or the end of
  /// its scope).
  void endTransaction(const clang::ValueDecl *variable,
                      const racelint::SourceLocation &at) {
    for (auto &scope : open_)
      for (auto it = scope.begin(); it != scope.end(); ++it)
        if (it->variable == variable) {
          Event end;
          end.kind = EventKind::TxEnd;
          end.inTx = it->begin;
          emit(std::move(end), at);
          tx_ = it->outer;
          scope.erase(it);
          return;
        }
  }

  // ---- statements
  // ------------------------------------------------------------

  /// Returns true when the statement always leaves the function.
  bool statement(const clang::Stmt *node) {
    if (!node)
      return false;
    Nesting nesting(*this, node);
    if (!nesting)
      return false;
    if (auto *block = llvm::dyn_cast<clang::CompoundStmt>(node))
      return compound(block);
    if (auto *declarations = llvm::dyn_cast<clang::DeclStmt>(node)) {
      for (const clang::Decl *declaration : declarations->decls())
        if (auto *variable = llvm::dyn_cast<clang::VarDecl>(declaration))
          declare(variable);
      return false;
    }
    if (auto *result = llvm::dyn_cast<clang::ReturnStmt>(node)) {
      // A write's outcome returned (`return sqlite3_changes(db) == 1;`) is
      // the caller's to check, as C code reports success.
      if (result->getRetValue())
        for (EventIndex write : expression(result->getRetValue()).writeResults)
          unit_.events[write].resultChecked = true;
      return true;
    }
    if (auto *result = llvm::dyn_cast<clang::CoreturnStmt>(node)) {
      if (result->getOperand())
        for (EventIndex write : expression(result->getOperand()).writeResults)
          unit_.events[write].resultChecked = true;
      return true;
    }
    if (llvm::isa<clang::BreakStmt>(node) ||
        llvm::isa<clang::ContinueStmt>(node))
      return true; // the rest of the block does not run either
    if (auto *branch = llvm::dyn_cast<clang::IfStmt>(node))
      return ifStatement(branch);
    if (auto *attempt = llvm::dyn_cast<clang::CXXTryStmt>(node))
      return tryStatement(attempt);
    if (auto *loop = llvm::dyn_cast<clang::CXXForRangeStmt>(node)) {
      Value rows = expression(loop->getRangeInit());
      values_[loop->getLoopVariable()] = rows;
      std::size_t saved = guards_.size();
      pushGuards(rows.reads);
      statement(loop->getBody());
      guards_.resize(saved);
      return false;
    }
    if (llvm::isa<clang::ForStmt>(node) || llvm::isa<clang::WhileStmt>(node) ||
        llvm::isa<clang::DoStmt>(node) || llvm::isa<clang::SwitchStmt>(node)) {
      std::size_t saved = guards_.size();
      for (const clang::Stmt *child : node->children()) {
        if (auto *test = llvm::dyn_cast_or_null<clang::Expr>(child))
          pushGuards(condition(test).reads);
        else
          statement(child);
      }
      guards_.resize(saved);
      return false;
    }
    if (auto *expr = llvm::dyn_cast<clang::Expr>(node)) {
      auto *inner = strip(expr);
      if (auto *thrown = llvm::dyn_cast<clang::CXXThrowExpr>(inner)) {
        if (thrown->getSubExpr())
          expression(thrown->getSubExpr());
        return true;
      }
      expression(expr);
      return false;
    }
    for (const clang::Stmt *child : node->children())
      statement(child);
    return false;
  }

  bool compound(const clang::CompoundStmt *block) {
    open_.emplace_back();
    std::size_t savedGuards = guards_.size();
    bool exits = false;
    for (const clang::Stmt *child : block->body())
      if (statement(child)) {
        exits = true;
        break; // what follows is unreachable
      }
    // Leaving the scope destroys its transactions: uncommitted ones roll
    // back.
    racelint::SourceLocation end =
        tu_.location(clang::SourceRange(block->getRBracLoc()));
    while (!open_.back().empty())
      endTransaction(open_.back().back().variable, end);
    open_.pop_back();
    guards_.resize(savedGuards);
    return exits;
  }

  bool ifStatement(const clang::IfStmt *node) {
    if (node->getInit())
      statement(node->getInit());
    if (node->getConditionVariable())
      declare(node->getConditionVariable());
    Value test = condition(node->getCond());
    std::size_t saved = guards_.size();
    pushGuards(test.reads);
    bool thenExits = statement(node->getThen());
    guards_.resize(saved);
    bool elseExits = false;
    if (node->getElse()) {
      pushGuards(test.reads);
      elseExits = statement(node->getElse());
      guards_.resize(saved);
    }
    // An early exit: everything after the if runs on one outcome of the test.
    if (thenExits || elseExits)
      pushGuards(test.reads);
    return thenExits && elseExits;
  }

  bool tryStatement(const clang::CXXTryStmt *node) {
    bool handles = false;
    for (unsigned i = 0; i < node->getNumHandlers(); ++i) {
      const clang::CXXRecordDecl *caught =
          recordOf(node->getHandler(i)->getCaughtType());
      handles |= caught && tu_.model.uniqueViolationErrors.count(
                               caught->getQualifiedNameAsString()) > 0;
    }
    bool saved = uniqueHandled_;
    uniqueHandled_ |= handles;
    bool exits = statement(node->getTryBlock());
    uniqueHandled_ = saved;
    for (unsigned i = 0; i < node->getNumHandlers(); ++i)
      statement(node->getHandler(i)->getHandlerBlock());
    return exits && node->getNumHandlers() == 0;
  }

  // ---- expressions
  // -----------------------------------------------------------

  Value condition(const clang::Expr *expr) {
    return evaluateCondition([&] { return expression(expr); });
  }

  /// A column of a loaded row, tested by a condition.
  void noteColumn(const Value &value) {
    if (conditionDepth_ > 0 && value.sourceColumn)
      addTestedColumn(value.sourceColumn->first, value.sourceColumn->second);
  }

  Value expression(const clang::Expr *expr) {
    expr = strip(expr);
    if (!expr)
      return {};
    Nesting nesting(*this, expr);
    if (!nesting)
      return {};
    if (auto *reference = llvm::dyn_cast<clang::DeclRefExpr>(expr)) {
      auto found = values_.find(reference->getDecl());
      if (found == values_.end())
        return {};
      noteColumn(found->second);
      return found->second;
    }
    if (auto *call = llvm::dyn_cast<clang::CallExpr>(expr))
      return this->call(call);
    if (auto *await = llvm::dyn_cast<clang::CoawaitExpr>(expr))
      return expression(await->getOperand());
    if (auto *choice = llvm::dyn_cast<clang::ConditionalOperator>(expr)) {
      Value value = condition(choice->getCond());
      value.absorb(expression(choice->getTrueExpr()));
      value.absorb(expression(choice->getFalseExpr()));
      return value;
    }
    if (auto *member = llvm::dyn_cast<clang::MemberExpr>(expr))
      return partOf(expression(member->getBase()));
    if (auto *binary = llvm::dyn_cast<clang::BinaryOperator>(expr))
      return binaryOperator(binary);
    if (auto *lambda = llvm::dyn_cast<clang::LambdaExpr>(expr)) {
      // A handler is a unit of its own. Any other lambda is taken to run
      // where it is written (`std::for_each`, a transactor, a local helper):
      // its captures are this unit's variables.
      if (!tu_.handlerLambdas.count(lambda))
        statement(lambda->getBody());
      return {};
    }
    if (auto *thrown = llvm::dyn_cast<clang::CXXThrowExpr>(expr)) {
      if (thrown->getSubExpr())
        expression(thrown->getSubExpr());
      return {};
    }
    Value value;
    for (const clang::Stmt *child : expr->children())
      if (auto *part = llvm::dyn_cast_or_null<clang::Expr>(child)) {
        Value each = expression(part);
        value.absorb(each);
        value.arithmetic |= each.arithmetic;
        if (!value.sourceColumn)
          value.sourceColumn = each.sourceColumn;
      }
    return value;
  }

  Value binaryOperator(const clang::BinaryOperator *binary) {
    if (binary->isAssignmentOp()) {
      Value value = expression(binary->getRHS());
      if (binary->isCompoundAssignmentOp()) {
        Value current = expression(binary->getLHS());
        value.absorb(current);
        value.arithmetic |= !current.reads.empty();
      }
      if (auto *target = llvm::dyn_cast<clang::DeclRefExpr>(
              binary->getLHS()->IgnoreParenImpCasts()))
        values_[target->getDecl()] = value;
      return value;
    }
    Value left = expression(binary->getLHS());
    Value right = expression(binary->getRHS());
    Value value;
    value.absorb(left);
    value.absorb(right);
    // `current == NULL`: a test of that column, wherever it is kept.
    value.sourceColumn =
        left.sourceColumn ? left.sourceColumn : right.sourceColumn;
    if (binary->isAdditiveOp() || binary->isMultiplicativeOp())
      value.arithmetic = !value.reads.empty();
    return value;
  }

  Value call(const clang::CallExpr *callExpr) {
    CallParts parts = callParts(callExpr);
    if (!parts.callee)
      return absorbAll(parts);
    std::vector<std::string> names = calleeNames(parts.callee);
    const CppModel &model = tu_.model;
    if (anyCallee(model.headerGetters, names) && !parts.arguments.empty()) {
      Event read;
      read.kind = EventKind::HeaderRead;
      // Header names are case-insensitive; rules compare them in lower case.
      read.detail = lowering::lower(tu_.text(parts.arguments[0]).value_or(""));
      Value value;
      value.headers.insert(emit(std::move(read), where(callExpr)));
      return value;
    }
    if (const CppSqlCall *sql = findCallee(model.execute, names))
      return runSql(*sql, parts, callExpr);
    if (const std::string *method = findCallee(model.httpClients, names))
      return outboundRequest(*method, parts, callExpr);
    if (anyCallee(model.commit, names) || anyCallee(model.abort, names)) {
      if (auto *reference =
              llvm::dyn_cast_or_null<clang::DeclRefExpr>(strip(parts.object)))
        endTransaction(reference->getDecl(), where(callExpr));
      return {};
    }
    if (findCallee(model.prepare, names))
      return {}; // read before lowering
    if (auto statement = statementCall(parts, names, callExpr))
      return *statement;
    if (anyCallee(model.streams.execute, names)) {
      auto found = streams_.find(variableOf(parts.object));
      if (found != streams_.end()) {
        Value result = runStream(found->second, where(callExpr));
        streams_.erase(found); // later executes repeat it: one event is enough
        return result;
      }
    }
    if (auto mapped = mapperCall(parts, callExpr))
      return *mapped;
    if (anyCallee(model.streams.chain, names) ||
        anyCallee(model.streams.append, names) ||
        anyCallee(model.streams.start, names) ||
        anyCallee(model.streams.preparedStart, names))
      return streamedSql(callExpr);
    if (auto *op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(callExpr)) {
      if ((op->getOperator() == clang::OO_Arrow ||
           op->getOperator() == clang::OO_Star) &&
          parts.object)
        return expression(parts.object); // `req->...`: the object itself
      if (op->getOperator() == clang::OO_Subscript && parts.object)
        return subscript(parts);
    }
    if (isProjectFunction(parts.callee)) {
      std::vector<Value> arguments;
      for (const clang::Expr *argument : parts.arguments)
        arguments.push_back(expression(argument));
      std::optional<EventIndex> saved = tx_;
      for (const clang::Expr *argument : parts.arguments)
        if (auto transaction = transactionOf(argument))
          tx_ = *transaction; // the callee runs in the transaction passed
      Value result =
          callUnitWith(unitName(parts.callee), where(callExpr), arguments);
      tx_ = saved;
      return result;
    }
    return absorbAll(parts);
  }

  /// An outbound request: an effect, keyed when an idempotency header goes
  /// with it.
  Value outboundRequest(const std::string &method, const CallParts &parts,
                        const clang::CallExpr *callExpr) {
    Event effect;
    effect.kind = EventKind::ExternalEffect;
    effect.effectKind = "http";
    effect.detail = "HTTP " + method;
    for (const clang::Expr *argument : parts.arguments) {
      expression(argument);
      if (const clang::Expr *key = idempotencyKey(argument)) {
        markUsed(expression(key));
        effect.idempotencyKeyPassed = true;
      }
    }
    emit(std::move(effect), where(callExpr));
    return {};
  }

  /// The value an idempotency header is given in `node` (`{"Idempotency-Key",
  /// key}`), looking into the initialisers of the variables it names.
  const clang::Expr *idempotencyKey(const clang::Stmt *node, int depth = 0) {
    if (!node || depth > 12)
      return nullptr;
    auto keyed = [&](const clang::Expr *name,
                     const clang::Expr *value) -> const clang::Expr * {
      auto header = tu_.text(name);
      return header && builtinModels().effects.httpIdempotencyHeaders.count(
                           lowering::lower(*header))
                 ? value
                 : nullptr;
    };
    if (auto *pair = llvm::dyn_cast<clang::CXXConstructExpr>(node);
        pair && pair->getNumArgs() == 2)
      if (const clang::Expr *value = keyed(pair->getArg(0), pair->getArg(1)))
        return value;
    if (auto *list = llvm::dyn_cast<clang::InitListExpr>(node);
        list && list->getNumInits() == 2)
      if (const clang::Expr *value = keyed(list->getInit(0), list->getInit(1)))
        return value;
    if (auto *reference = llvm::dyn_cast<clang::DeclRefExpr>(node))
      if (auto *variable = llvm::dyn_cast<clang::VarDecl>(reference->getDecl()))
        return idempotencyKey(variable->getInit(), depth + 1);
    for (const clang::Stmt *child : node->children())
      if (const clang::Expr *value = idempotencyKey(child, depth + 1))
        return value;
    return nullptr;
  }

  /// What a member, element or call result of `object` carries: its taint,
  /// and request data when `object` is the request (`req.body`).
  static Value partOf(const Value &object) {
    Value part;
    part.absorb(object);
    part.fromRequest |= object.role == Role::Request;
    return part;
  }

  /// A call we know nothing about: its result derives from what it is given
  /// (`r[0]["balance"].as<int>()`, `std::stoi(req.body)`).
  Value absorbAll(const CallParts &parts) {
    Value value;
    if (parts.object) {
      Value object = expression(parts.object);
      value = partOf(object);
      value.sourceColumn = object.sourceColumn;
      value.arithmetic = object.arithmetic;
    }
    for (const clang::Expr *argument : parts.arguments)
      value.absorb(expression(argument));
    return value;
  }

  /// `row["balance"]`: the column of the rows a read loaded.
  Value subscript(const CallParts &parts) {
    Value value = expression(parts.object);
    Value result = partOf(value);
    if (!parts.arguments.empty()) {
      auto column = tu_.text(parts.arguments[0]);
      if (column && value.reads.size() == 1) {
        result.sourceColumn.emplace(*value.reads.begin(), *column);
        noteColumn(result);
      } else {
        result.absorb(expression(parts.arguments[0]));
        result.sourceColumn = value.sourceColumn;
      }
    }
    return result;
  }

  Value runSql(const CppSqlCall &spec, const CallParts &parts,
               const clang::CallExpr *callExpr) {
    const std::vector<const clang::Expr *> &arguments = parts.arguments;
    std::optional<std::string> sql;
    if (spec.sql >= 0 && spec.sql < int(arguments.size()))
      sql = tu_.text(arguments[spec.sql]);
    else if (spec.statement >= 0 && spec.statement < int(arguments.size()))
      if (auto name = tu_.text(arguments[spec.statement]))
        if (auto found = tu_.prepared.find(*name); found != tu_.prepared.end())
          sql = found->second;
    if (!sql)
      return absorbAll(parts); // SQL built at run time: no events from a guess
    std::map<std::string, Value> values;
    if (spec.values >= 0)
      for (int i = spec.values; i < int(arguments.size()); ++i)
        values[lowering::positionalVariable(std::size_t(i - spec.values + 1))] =
            expression(arguments[i]);
    Value result =
        runText(*sql, spec.dialect, values, parts.object, where(callExpr));
    if (spec.rowsChecked)
      for (EventIndex write : result.writeResults)
        unit_.events[write].resultChecked = true;
    if (spec.resultCallback >= 0 && spec.resultCallback < int(arguments.size()))
      if (auto *callback = llvm::dyn_cast<clang::LambdaExpr>(
              strip(arguments[spec.resultCallback]))) {
        // The callback's body runs after the query, with its result.
        auto parameters = callback->getCallOperator()->parameters();
        if (!parameters.empty())
          values_[parameters[0]] = result;
        statement(callback->getBody());
      }
    return result;
  }

  /// The events of SQL text run through `object` (a transaction variable,
  /// or none: the statement runs in the transaction in force, and its own
  /// BEGIN and COMMIT change that).
  Value runText(std::string sql, const std::string &dialect,
                const std::map<std::string, Value> &values,
                const clang::Expr *object, const racelint::SourceLocation &at) {
    if (dialect == "sqlite")
      sql = sql::sqliteToPostgres(sql);
    std::set<std::string> variables;
    std::string statement = lowering::placeholdersToVariables(sql, variables);
    Value result;
    if (auto transaction = transactionOf(object)) {
      std::optional<EventIndex> saved = tx_;
      tx_ = *transaction;
      result = sqlEvents(statement, variables, values, {}, at);
      tx_ = saved;
    } else {
      result = sqlEvents(statement, variables, values, {}, at);
    }
    if (!result.writeResults.empty())
      lastWrites_ = result.writeResults;
    return result;
  }

  /// A call of a prepared-statement API (SQLite's): preparing, binding,
  /// running, reading columns, counting changes.
  std::optional<Value> statementCall(const CallParts &parts,
                                     const std::vector<std::string> &names,
                                     const clang::CallExpr *callExpr) {
    const CppStatementApi &api = tu_.model.statements;
    const std::vector<const clang::Expr *> &arguments = parts.arguments;
    auto argument = [&](int index) -> const clang::Expr * {
      return index >= 0 && index < int(arguments.size()) ? arguments[index]
                                                         : nullptr;
    };
    if (const auto *prepare = findCallee(api.prepare, names)) {
      const clang::ValueDecl *out = variableOf(argument(prepare->second));
      auto sql = argument(prepare->first) ? tu_.text(argument(prepare->first))
                                          : std::nullopt;
      if (out && sql)
        statements_[out] = PreparedStatement{*sql, {}, std::nullopt};
      return Value{};
    }
    if (anyCallee(api.changes, names)) {
      Value changes;
      changes.writeResults = lastWrites_;
      return changes;
    }
    // The rest act on a statement: the object, or the first argument.
    bool method = parts.object != nullptr;
    const clang::ValueDecl *target =
        variableOf(method ? parts.object : argument(0));
    auto found = target ? statements_.find(target) : statements_.end();
    int shift = method ? 0 : 1; // positions below count after the statement
    if (const auto *bind = findCallee(api.bind, names)) {
      if (found != statements_.end() && argument(bind->first) &&
          argument(bind->second))
        if (auto key = placeholderKey(argument(bind->first)))
          found->second.values[*key] = expression(argument(bind->second));
      return Value{};
    }
    if (anyCallee(api.run, names)) {
      if (found == statements_.end())
        return Value{};
      PreparedStatement &statement = found->second;
      if (!statement.result)
        statement.result = runText(statement.sql, api.dialect, statement.values,
                                   nullptr, where(callExpr));
      return *statement.result;
    }
    if (anyCallee(api.columns, names)) {
      if (found == statements_.end() || !found->second.result)
        return Value{};
      return column(*found->second.result, argument(shift));
    }
    return std::nullopt;
  }

  /// Calls on an ORM mapper (`Mapper<Accounts>::findOne`), and on the model
  /// objects it loads (`setBalance`, `getValueOfBalance`).
  std::optional<Value> mapperCall(const CallParts &parts,
                                  const clang::CallExpr *callExpr) {
    const CppMapperApi &api = tu_.model.mappers;
    if (!parts.object)
      return std::nullopt;
    const clang::CXXRecordDecl *record = recordOf(parts.object->getType());
    std::string method = parts.callee->getNameAsString();
    if (isModel(record, api)) {
      if (auto column = accessorColumn(method, api.setterPrefixes);
          column && !parts.arguments.empty()) {
        edits_[variableOf(parts.object)].emplace_back(
            *column, expression(parts.arguments[0]));
        return Value{};
      }
      if (auto column = accessorColumn(method, api.getterPrefixes)) {
        Value object = expression(parts.object);
        Value value;
        value.absorb(object);
        if (object.loadedBy) {
          value.sourceColumn.emplace(*object.loadedBy, *column);
          noteColumn(value);
        }
        return value;
      }
      return std::nullopt;
    }
    auto *mapper =
        llvm::dyn_cast_or_null<clang::ClassTemplateSpecializationDecl>(record);
    if (!mapper || !api.types.count(mapper->getQualifiedNameAsString()) ||
        mapper->getTemplateArgs().size() == 0 ||
        mapper->getTemplateArgs()[0].getKind() != clang::TemplateArgument::Type)
      return std::nullopt;
    auto operation = api.operations.find(method);
    if (operation == api.operations.end())
      return std::nullopt;
    const clang::CXXRecordDecl *model =
        mapper->getTemplateArgs()[0].getAsType()->getAsCXXRecordDecl();
    if (!model)
      return std::nullopt;
    Event event;
    const std::string entity = "cpp:" + model->getQualifiedNameAsString();
    event.tableRef = entity;
    event.table = lowering::snakeCase(model->getNameAsString());
    const clang::Expr *argument =
        parts.arguments.empty() ? nullptr : parts.arguments[0];
    const std::string &kind = operation->second;
    auto byKey = [&](const Value &key) {
      lowering::addUnique(event.keyColumns, api.primaryKey);
      lowering::addUnique(event.predicateColumns, api.primaryKey);
      for (EventIndex read : key.reads)
        event.predicateValueFrom.emplace_back(api.primaryKey, read);
    };
    if (kind == "read" || kind == "read_by_key") {
      event.kind = EventKind::Read;
      event.readsAllColumns = true;
      if (argument && kind == "read")
        criteria(argument, event);
      else if (argument)
        byKey(expression(argument));
      return finishEvent(std::move(event), where(callExpr), entity);
    }
    if (kind != "insert" && kind != "update" && kind != "delete")
      return std::nullopt;
    event.kind = kind == "insert"   ? EventKind::Insert
                 : kind == "update" ? EventKind::Update
                                    : EventKind::Delete;
    const clang::ValueDecl *object = argument ? variableOf(argument) : nullptr;
    if (kind == "delete" && argument &&
        classIs(recordOf(argument->getType()), api.criteria))
      criteria(argument, event);
    else if (kind != "insert")
      byKey(object && values_.count(object) ? values_[object] : Value{});
    if (kind != "delete" && object) {
      Value carried;
      for (const auto &[column, value] : edits_[object]) {
        SetColumn set;
        set.column = column;
        set.fromCurrentValue = value.arithmetic;
        event.setColumns.push_back(set);
        carried.absorb(value);
      }
      edits_.erase(object);
      for (EventIndex read : carried.reads)
        event.valueFrom.push_back(read);
      event.valuesFromRequest = carried.fromRequest;
      event.valueParameters.assign(carried.parameters.begin(),
                                   carried.parameters.end());
      markUsed(carried);
    }
    return finishEvent(std::move(event), where(callExpr), entity);
  }

  /// `Criteria(Accounts::Cols::_email, CompareOperator::EQ, email)`, and
  /// `a && b`: the columns compared, equalities as the key.
  void criteria(const clang::Expr *expr, Event &event) {
    expr = strip(expr);
    if (auto *both = llvm::dyn_cast_or_null<clang::CXXOperatorCallExpr>(expr);
        both && both->getOperator() == clang::OO_AmpAmp &&
        both->getNumArgs() == 2) {
      criteria(both->getArg(0), event);
      criteria(both->getArg(1), event);
      return;
    }
    auto *construct = llvm::dyn_cast_or_null<clang::CXXConstructExpr>(expr);
    if (!construct || construct->getNumArgs() < 2)
      return;
    const CppMapperApi &api = tu_.model.mappers;
    std::string column = tu_.text(construct->getArg(0)).value_or("");
    if (column.empty())
      if (const clang::ValueDecl *member = variableOf(construct->getArg(0))) {
        column = member->getNameAsString();
        if (column.starts_with(api.columnPrefix))
          column = column.substr(api.columnPrefix.size());
      }
    bool equal = true;
    const clang::Expr *compared = construct->getArg(1);
    if (construct->getNumArgs() >= 3) {
      auto op = enumeratorName(construct->getArg(1));
      equal = op && api.equalOperators.count(*op);
      compared = construct->getArg(2);
    }
    Value value = expression(compared);
    markUsed(value);
    if (column.empty())
      return;
    lowering::addUnique(event.predicateColumns, column);
    if (!equal)
      return;
    lowering::addUnique(event.keyColumns, column);
    for (EventIndex read : value.reads)
      event.predicateValueFrom.emplace_back(column, read);
  }

  /// SQL streamed into a session with its bound values and the variables
  /// receiving its columns.
  struct Stream {
    std::string sql;
    std::map<std::string, Value> values;
    std::vector<const clang::ValueDecl *> targets;
    const clang::Expr *session = nullptr;
    bool prepared = false; // runs later (a statement), or now
  };

  /// `session << "SQL" << more, use(a), into(b)` (or `session.prepare <<
  /// ...`): the chain is walked from its last link back to the session.
  /// Nothing when it is not one, or builds its SQL at run time.
  std::optional<Stream> parseStream(const clang::Expr *last) {
    const CppStreamApi &api = tu_.model.streams;
    std::vector<const clang::Expr *> links; // use() and into(), last first
    std::vector<const clang::Expr *> texts; // the SQL parts, last first
    Stream stream;
    for (const clang::Expr *at = last;;) {
      auto *call = llvm::dyn_cast_or_null<clang::CallExpr>(strip(at));
      CallParts parts = call ? callParts(call) : CallParts{};
      if (!parts.callee || parts.arguments.empty())
        return std::nullopt;
      std::vector<std::string> names = calleeNames(parts.callee);
      bool start = anyCallee(api.start, names);
      stream.prepared = anyCallee(api.preparedStart, names);
      if (anyCallee(api.chain, names))
        links.push_back(parts.arguments[0]);
      else if (start || stream.prepared || anyCallee(api.append, names))
        texts.push_back(parts.arguments[0]);
      else
        return std::nullopt;
      if (start || stream.prepared) {
        stream.session = parts.object;
        break;
      }
      at = parts.object;
    }
    for (auto text = texts.rbegin(); text != texts.rend(); ++text) {
      auto part = tu_.text(*text);
      if (!part)
        return std::nullopt;
      stream.sql += *part;
    }
    std::vector<Value> used;
    for (auto link = links.rbegin(); link != links.rend(); ++link) {
      auto *call = llvm::dyn_cast<clang::CallExpr>(strip(*link));
      CallParts parts = call ? callParts(call) : CallParts{};
      if (!parts.callee || parts.arguments.empty())
        continue;
      std::vector<std::string> names = calleeNames(parts.callee);
      if (anyCallee(api.use, names))
        used.push_back(expression(parts.arguments[0]));
      else if (anyCallee(api.into, names))
        stream.targets.push_back(variableOf(parts.arguments[0]));
    }
    // use() values bind the placeholders in the order the SQL names them.
    std::set<std::string> variables;
    std::string rewritten =
        lowering::placeholdersToVariables(stream.sql, variables);
    std::vector<std::pair<std::size_t, std::string>> order;
    for (const std::string &variable : variables)
      order.emplace_back(rewritten.find(variable), variable);
    std::sort(order.begin(), order.end());
    for (std::size_t i = 0; i < order.size() && i < used.size(); ++i)
      stream.values[order[i].second] = used[i];
    return stream;
  }

  /// Runs a stream's SQL; its into() variables receive the columns.
  Value runStream(const Stream &stream, const racelint::SourceLocation &at) {
    Value result = runText(stream.sql, "", stream.values, stream.session, at);
    for (std::size_t i = 0; i < stream.targets.size(); ++i)
      if (stream.targets[i])
        values_[stream.targets[i]] = column(result, i);
    return result;
  }

  /// A stream written as a statement runs at its end; a prepared one only
  /// when a statement built from it is executed.
  Value streamedSql(const clang::CallExpr *last) {
    std::optional<Stream> stream = parseStream(last);
    if (!stream)
      return absorbAll(callParts(last));
    if (stream->prepared)
      return Value{};
    return runStream(*stream, where(last));
  }

  /// `soci::statement st = (sql.prepare << ...)` waits for `st.execute()`;
  /// `soci::rowset<row> rows = (sql.prepare << ...)` runs now. True when
  /// `variable` is one of them.
  bool declarePreparedStream(const clang::VarDecl *variable) {
    const CppStreamApi &api = tu_.model.streams;
    const clang::CXXRecordDecl *record = recordOf(variable->getType());
    bool statement = classIs(record, api.statementTypes);
    if (!statement && !classIs(record, api.rowsetTypes))
      return false;
    const clang::CXXConstructExpr *construct = constructionOf(variable);
    std::optional<Stream> stream = construct && construct->getNumArgs() > 0
                                       ? parseStream(construct->getArg(0))
                                       : std::nullopt;
    if (!stream)
      return true;
    if (statement)
      streams_[variable] = *stream;
    else
      values_[variable] = runStream(*stream, where(construct));
    return true;
  }

  /// The variable a placeholder becomes (see placeholdersToVariables):
  /// position 2 is `__p2`, `:name` is `__name`.
  std::optional<std::string> placeholderKey(const clang::Expr *expr) {
    clang::Expr::EvalResult position;
    if (expr->EvaluateAsInt(position, tu_.context))
      return lowering::positionalVariable(
          std::size_t(position.Val.getInt().getExtValue()));
    if (auto name = tu_.text(expr); name && !name->empty())
      return lowering::namedVariable(name->front() == ':' ? name->substr(1)
                                                          : *name);
    return std::nullopt;
  }

  /// The rows a read returned, as column `name` of them.
  Value columnValue(const Value &rows, const std::string &name) {
    Value value;
    value.absorb(rows);
    if (rows.reads.size() == 1 && !name.empty())
      value.sourceColumn.emplace(*rows.reads.begin(), name);
    return value;
  }

  /// The name of column `index` of a read's result, when the read says.
  std::string columnName(const Value &rows, std::int64_t index) {
    if (rows.reads.size() != 1)
      return "";
    const std::vector<std::string> &columns =
        unit_.events[*rows.reads.begin()].readColumns;
    return index >= 0 && index < std::int64_t(columns.size()) ? columns[index]
                                                              : "";
  }

  /// Column `index` of the rows a read returned.
  Value column(const Value &rows, std::size_t index) {
    return columnValue(rows, columnName(rows, std::int64_t(index)));
  }

  /// A column of the current row of a statement's read, by index or name.
  Value column(const Value &rows, const clang::Expr *index) {
    std::string name;
    clang::Expr::EvalResult position;
    if (index) {
      name = tu_.text(index).value_or("");
      if (name.empty() && index->EvaluateAsInt(position, tu_.context))
        name = columnName(rows, position.Val.getInt().getExtValue());
    }
    Value value = columnValue(rows, name);
    noteColumn(value);
    return value;
  }

  bool isProjectFunction(const clang::FunctionDecl *function) const {
    if (!function->getIdentifier() ||
        llvm::isa<clang::CXXConstructorDecl>(function) ||
        llvm::isa<clang::CXXDestructorDecl>(function))
      return false;
    if (auto *method = llvm::dyn_cast<clang::CXXMethodDecl>(function);
        method && method->getParent()->isLambda())
      return false;
    return tu_.inProject(function->getCanonicalDecl()->getLocation());
  }

public:
  /// How calls name a function: "Class.method" or "function".
  static std::string unitName(const clang::FunctionDecl *function) {
    if (auto *method = llvm::dyn_cast<clang::CXXMethodDecl>(function))
      return method->getParent()->getNameAsString() + "." +
             method->getNameAsString();
    return function->getNameAsString();
  }

private:
  TranslationUnit &tu_;
  std::map<const clang::ValueDecl *, Value> values_;
  /// Transaction variables: their TxBegin, or none for autocommit ones.
  std::map<const clang::ValueDecl *, std::optional<EventIndex>> transactions_;
  std::vector<std::vector<OpenTransaction>> open_{{}};
  std::map<const clang::ValueDecl *, PreparedStatement> statements_;
  /// Prepared streams waiting for their statement's execute().
  std::map<const clang::ValueDecl *, Stream> streams_;
  /// Columns set on model objects (`account.setBalance(v)`) not yet saved.
  std::map<const clang::ValueDecl *, std::vector<std::pair<std::string, Value>>>
      edits_;
  /// The writes of the last statement that wrote: what "changes" reports.
  std::set<EventIndex> lastWrites_;
};

/// Finds the units: functions and methods defined in the project, and
/// lambdas registered as HTTP handlers.
class UnitFinder : public clang::RecursiveASTVisitor<UnitFinder> {
public:
  UnitFinder(TranslationUnit &tu, FileAnalysis &analysis)
      : tu_(tu), analysis_(analysis) {}

  bool VisitFunctionDecl(clang::FunctionDecl *function) {
    if (!function->doesThisDeclarationHaveABody() ||
        function->isDependentContext() || function->isTemplateInstantiation() ||
        !function->getIdentifier() || !tu_.inProject(function->getLocation()))
      return true;
    if (auto *method = llvm::dyn_cast<clang::CXXMethodDecl>(function);
        method && method->getParent()->isLambda())
      return true;
    Unit unit;
    unit.kind = llvm::isa<clang::CXXMethodDecl>(function)
                    ? Unit::Kind::Method
                    : Unit::Kind::Function;
    unit.name = Lowerer::unitName(function);
    unit.qualifiedName = unit.name;
    unit.declared = tu_.location(function->getLocation());
    auto handler = tu_.handlerFunctions.find(function->getCanonicalDecl());
    if (handler != tu_.handlerFunctions.end()) {
      unit.kind = Unit::Kind::RouteHandler;
      unit.http = handler->second;
    }
    lowerInto(std::move(unit), function->parameters(), function->getBody());
    return true;
  }

  bool VisitLambdaExpr(clang::LambdaExpr *lambda) {
    auto handler = tu_.handlerLambdas.find(lambda);
    if (handler == tu_.handlerLambdas.end())
      return true;
    Unit unit;
    unit.kind = Unit::Kind::RouteHandler;
    unit.http = handler->second;
    unit.name = unit.http->method + " " + unit.http->route;
    unit.declared = tu_.location(
        clang::SourceRange(lambda->getIntroducerRange().getBegin()));
    lowerInto(std::move(unit), lambda->getCallOperator()->parameters(),
              lambda->getBody());
    return true;
  }

private:
  void lowerInto(Unit unit, llvm::ArrayRef<clang::ParmVarDecl *> parameters,
                 const clang::Stmt *body) {
    analysis_.units.push_back(std::move(unit));
    Lowerer lowerer(tu_, analysis_.units.back());
    lowerer.lower(parameters, body);
  }

  TranslationUnit &tu_;
  FileAnalysis &analysis_;
};

} // namespace

void lowerTranslationUnit(clang::ASTContext &context, const CppModel &model,
                          const PathNames &names, FileAnalysis &analysis) {
  TranslationUnit tu(context, model, names, analysis);
  Registrations(tu).TraverseAST(context);
  UnitFinder(tu, analysis).TraverseAST(context);
}

} // namespace racelint
