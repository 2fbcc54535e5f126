#pragma once

// The language-neutral half of lowering a function body to program events:
// what each local name holds, which reads guard the code being walked, which
// transaction it runs in, the edits made to loaded rows, and how events are
// emitted and linked. A front-end derives from it and walks its own syntax.

#include "Syntax.h"
#include "Value.h"
#include "frontends/FrameworkModels.h"
#include "model/Diagnostics.h"
#include "model/Program.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace racelint::lowering {

std::string lower(std::string text);
void addUnique(std::vector<std::string> &names, const std::string &name);
/// The variables placeholdersToVariables makes of `$n` (or a value bound
/// by position) and of `:name` (or a value bound by name).
std::string positionalVariable(std::string_view digits);
std::string positionalVariable(std::size_t position);
std::string namedVariable(std::string_view name);
/// Rewrites the value placeholders of a SQL string (`$1`, `:name`,
/// `:...names`, `%s`, `%(name)s`) to identifiers the SQL front-end treats as
/// variables, so that it can tell which values land in SET and VALUES.
std::string placeholdersToVariables(const std::string &sql,
                                    std::set<std::string> &variables);

/// The conventional table name of a model class: snake_case (TypeORM's and
/// Flask-SQLAlchemy's default).
std::string snakeCase(const std::string &name);

/// An HTTP handler's header read for a parameter (`@Headers('x') key`,
/// `key: str = Header(alias="x")`).
EventIndex addHeaderRead(Unit &unit, const std::string &header,
                         const SourceLocation &where);

/// Lists in an HTTP handler's facts the headers its events read.
void collectHeadersRead(Unit &unit);

/// Records the value a key column is compared with, when the code names it
/// (Event::keyValues).
void addKeyValue(Event &event, const std::string &column, const Value &value);

/// The origin of a path into `value` (`.name`), or none when `value` has none;
/// a loaded row's is its read's.
std::string memberOrigin(const Value &value, std::string_view member);

/// The half of lowering that needs no syntax tree: emitting and linking
/// events, guards, the transaction in force. The Clang front-end builds on it
/// directly; the tree-sitter front-ends through LoweringCore.
class EventBuilder {
public:
  EventBuilder(const FrameworkModels &models, Unit &unit)
      : models_(models), unit_(unit) {}
  virtual ~EventBuilder() = default;

  /// Where to report what cannot be analysed (SQL nested too deeply).
  void reportTo(std::vector<Diagnostic> *diagnostics) {
    diagnostics_ = diagnostics;
  }

protected:
  /// Adds the event with the guards and the transaction in force.
  EventIndex emit(Event event, const SourceLocation &where);
  /// A header value reaches something that can recognise a replay with it: a
  /// database write or query, a call into the scanned code, an idempotency
  /// option. Testing it, logging it or returning it is no use of it.
  void markUsed(const Value &value);
  /// What a condition's value means: writes whose result it inspects are
  /// checked, and reads whose result it tests learn which columns (none:
  /// existence).
  void tested(const Value &value);
  /// Evaluates a condition with `evaluate`, the walk inside it knowing it
  /// is in one (`conditionDepth_`), then applies `tested`.
  template <typename Evaluate> Value evaluateCondition(Evaluate evaluate) {
    ++conditionDepth_;
    Value value = evaluate();
    --conditionDepth_;
    tested(value);
    return value;
  }
  void addTestedColumn(EventIndex read, const std::string &column);
  /// Makes the reads (or calls) of `reads` guard what is walked next.
  void pushGuards(const std::set<EventIndex> &reads);
  /// The unit throws unless these reads pass, before it returns
  /// (Unit::exitGuards).
  void addExitGuards(const std::set<EventIndex> &reads);
  /// Emits a data event and returns the value its result carries: for a
  /// read, one row, the rows, or a value (see OperationModel::result).
  Value finishEvent(Event event, const SourceLocation &where,
                    const std::string &entity,
                    const std::string &resultKind = "row");
  /// The events of a SQL string whose placeholders are `variables` holding
  /// `parameterValues`; `__entity` in it stands for `table` (`tableRef`).
  Value sqlEvents(const std::string &sql,
                  const std::set<std::string> &variables,
                  const std::map<std::string, Value> &parameterValues,
                  const Value &setValues, const SourceLocation &where,
                  const std::string &table = "",
                  const std::string &tableRef = "");
  /// A call to a unit of the scanned code, spliced in after every file is
  /// read; each argument says what it carries into the callee's parameter.
  Value callUnitWith(const std::string &callee, const SourceLocation &where,
                     const std::vector<Value> &arguments,
                     const std::vector<std::string> &keywords = {});
  /// What an argument that is an entity class names (its table), in the
  /// front-end's terms.
  virtual void describeEntityClass(const Value &, CallArgument &) const {}

  const FrameworkModels &models_;
  Unit &unit_;
  std::vector<EventIndex> guards_;
  std::optional<EventIndex> tx_;
  bool uniqueHandled_ = false;
  int conditionDepth_ = 0;
  /// Blocks the walk is in (1 in the function's own body), and of those,
  /// the ones that run their statements once and in order whenever their
  /// statement runs (`try` and `with` bodies): a call in the function's own
  /// statements, or in such a block among them, is made on every path to
  /// what follows it (Event::onEveryPath).
  int blockDepth_ = 0;
  int sequentialBlocks_ = 0;
  std::vector<Diagnostic> *diagnostics_ = nullptr;
};

class LoweringCore : public EventBuilder {
public:
  LoweringCore(const ts::Source &source, const FrameworkModels &models,
               Unit &unit)
      : EventBuilder(models, unit), source_(source) {}

protected:
  /// The language's expression walk: what `node` holds, emitting the events
  /// it performs on the way.
  virtual Value expression(Node node) = 0;

  // ---- names ---------------------------------------------------------------
  Value *lookup(const std::string &name);
  /// Which entity object a variable holds, for the edits made to it: the read
  /// that loaded it (shared by aliases), or the variable itself for a new one.
  std::string entityKey(const std::string &name);

  // ---- events, located at syntax nodes
  // ---------------------------------------
  using EventBuilder::callUnitWith;
  using EventBuilder::emit;
  using EventBuilder::finishEvent;
  using EventBuilder::sqlEvents;
  EventIndex emit(Event event, Node at) {
    return emit(std::move(event), source_.where(at));
  }
  /// Evaluates a condition (see EventBuilder::tested).
  Value condition(Node node);
  void noteTestedColumn(const Value &object, const std::string &property);
  Value finishEvent(Event event, Node at, const std::string &entity,
                    const std::string &resultKind = "row") {
    return finishEvent(std::move(event), source_.where(at), entity, resultKind);
  }
  Value sqlEvents(const std::string &sql,
                  const std::set<std::string> &variables,
                  const std::map<std::string, Value> &parameterValues,
                  const Value &setValues, Node at,
                  const std::string &table = "",
                  const std::string &tableRef = "") {
    return sqlEvents(sql, variables, parameterValues, setValues,
                     source_.where(at), table, tableRef);
  }
  Value callUnitWith(const std::string &callee, Node at,
                     const std::vector<Value> &arguments,
                     const std::vector<std::string> &keywords = {}) {
    return callUnitWith(callee, source_.where(at), arguments, keywords);
  }
  /// `column == value` pairs as the event's key and predicate columns, with
  /// the reads their values come from.
  void addEqualities(const std::vector<std::pair<std::string, Node>> &equal,
                     Event &event);
  /// `return value`: the unit's result derives from these reads.
  void noteReturned(const Value &value) {
    for (EventIndex read : value.reads)
      if (std::find(unit_.returnedReads.begin(), unit_.returnedReads.end(),
                    read) == unit_.returnedReads.end())
        unit_.returnedReads.push_back(read);
  }
  /// A provider's webhook signature check: it reads the signature header,
  /// and returns the verified event.
  Value verifiedWebhookEvent(const PaymentProvider &provider, Node at);

  struct EntityEdit {
    std::string property; // empty: unknown properties (Object.assign)
    Value value;
  };

  const ts::Source &source_;
  std::vector<std::map<std::string, Value>> scopes_;
  std::map<std::string, std::vector<EntityEdit>> edits_;
};

} // namespace racelint::lowering
