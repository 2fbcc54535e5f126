#pragma once

#include "SourceLocation.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace racelint {

enum class EventKind {
  Read,
  Insert,
  Update,
  Delete,
  Upsert,
  TxBegin,
  TxEnd,
  Lock,
  ExternalEffect,
  HeaderRead,
  /// A call to code of the project (`detail` names the callee as written:
  /// "function", "module.function", "Class.method", "name.method" for a
  /// module-level instance, "self.method", "self.attribute.method"). The
  /// engine resolves it through the declarations and imports of the files
  /// (ModuleFacts) and splices the callee's events in; a call it cannot
  /// resolve stays a Call.
  Call,
};

enum class RowLock { None, KeyShare, Share, NoKeyUpdate, Update };

enum class Isolation {
  Unspecified, // the server default: READ COMMITTED on PostgreSQL and MySQL
  ReadUncommitted,
  ReadCommitted,
  RepeatableRead,
  Serializable,
};

/// A column a write sets. `atomic` means the new value is computed by the
/// database from the row's current value (`x = x - 1`), so no read races it.
struct SetColumn {
  std::string column;
  bool atomic = false;
  /// The new value is computed in code from the value read, by arithmetic
  /// (`count + 1`): an increment done by the application.
  bool fromCurrentValue = false;
};

using EventIndex = std::size_t;

/// What a call passes in one argument.
struct CallArgument {
  /// `name=value`: the parameter it binds by name; empty when positional.
  std::string keyword;
  /// The object a method is called on (`row.method()`): it binds the
  /// callee's first parameter (`self`).
  bool receiver = false;
  /// The value comes from the HTTP request (a body, a query).
  bool fromRequest = false;
  /// An object the caller built, not loaded: a callee's save inserts it.
  bool fresh = false;
  /// The caller's own parameters (by position) the value derives from.
  std::vector<unsigned> parameters;
  /// The value is a row this read of the caller loaded (an entity instance).
  std::optional<EventIndex> row;
  /// The value is an entity class (`Portfolio` passed to a generic helper):
  /// its table, as an Event's `table` and `tableRef` name one.
  std::string entityTable, entityTableRef;
  /// The value is the caller's receiver attribute (`self.model`), passed on.
  std::string receiverAttribute;
  /// Which value it is, in the caller's terms (see Event::keyValues).
  std::string origin;
};

/// One step of a unit, in program order. Links refer to other events of the
/// same unit by index.
struct Event {
  EventKind kind = EventKind::Read;
  SourceLocation where;
  std::string table;
  /// Set by front-ends that name the table through the code (a TypeORM entity
  /// class "typeorm:Band", a Prisma delegate "prisma:invoice"); the engine
  /// resolves it with the names every file declared, and keeps `table` (the
  /// framework's default naming) when nothing declares it.
  std::string tableRef;

  /// Columns compared by equality with a value in the predicate (WHERE, or the
  /// conflict target of an upsert): the key that names the row.
  std::vector<std::string> keyColumns;
  /// Every column the predicate mentions, equality or not: what it re-checks.
  std::vector<std::string> predicateColumns;
  /// A key column is compared with a list (`id = ANY($1)`, `IN (...)`): the
  /// predicate names many rows.
  bool keyMatchesMany = false;
  /// For a read, when the front-end knows: the columns of its result that
  /// the conditions guarding later code test. Empty means the code only asks
  /// whether a row came back; unset means unknown (every column read).
  std::optional<std::vector<std::string>> testedColumns;
  /// Columns a read returns (empty with `*`: see `readsAllColumns`).
  std::vector<std::string> readColumns;
  bool readsAllColumns = false;
  /// Columns an insert, update or upsert sets.
  std::vector<SetColumn> setColumns;
  /// The ORM increments the table's declared version column on this write
  /// itself (TypeORM does on update() and save() of a @VersionColumn entity).
  bool incrementsDeclaredVersion = false;
  /// The ORM tests the table's declared version column on this write itself
  /// (SQLAlchemy's flush with `version_id_col`).
  bool testsDeclaredVersion = false;
  /// A written value comes straight from the request (an HTTP body or query).
  bool valuesFromRequest = false;
  /// The unit's parameters (by position) whose values a write stores; linking
  /// calls turns them into the caller's values.
  std::vector<unsigned> valueParameters;
  /// The table is the entity class that the caller passes in this parameter
  /// (`db.query(model)` in a generic helper), or that the receiver holds in
  /// this attribute (`db.query(self.model)`): linking a call names it.
  std::optional<unsigned> tableParameter;
  std::string tableAttribute;
  /// The write saves the row that the caller passes in this parameter (an
  /// entity edited by a helper, then added or committed): linking a call
  /// makes it an update of the row the caller's read loaded. kUnboundRow:
  /// a caller passed something that is no row. An upsert (TypeORM's save()
  /// of an entity from elsewhere) becomes an update of a loaded row, an
  /// insert of an object the caller built, and stays an upsert otherwise.
  std::optional<unsigned> rowParameter;
  static constexpr unsigned kUnboundRow = ~0u;
  /// For Call events: what each argument carries; and whether the callee is
  /// a database function (`rpc('name')`), which the database resolves by
  /// name rather than the caller's imports.
  std::vector<CallArgument> arguments;
  bool callsDatabaseFunction = false;
  /// A call made on every path through the caller up to what follows it (in
  /// its top-level statements, not under a branch, loop or callback): a
  /// callee that throws when a row is missing guards what follows.
  bool onEveryPath = false;
  /// For each predicate column whose compared value derives from a read of
  /// this unit: the column and that read. An empty column stands for the
  /// declared version column the ORM tests itself (`testsDeclaredVersion`).
  std::vector<std::pair<std::string, EventIndex>> predicateValueFrom;
  /// For key columns whose compared value the code names: the column and
  /// that value, as `$N` (the unit's parameter N), a path into one
  /// (`$0.params.id`, `$1.json().userId`), a request global (`^request`), a
  /// literal (`='pending'`), or what a call passed that its caller does not
  /// name (`@file:line:col|$N`). Linking a call restates a parameter as the
  /// caller's argument and as what that call passed: a column may have
  /// several names of one value. Two events whose key compares a shared
  /// column with different values (differentValues), and no name in common,
  /// are about different rows.
  std::vector<std::pair<std::string, std::string>> keyValues;

  RowLock lock = RowLock::None;
  bool lockWaits = true; // false with NOWAIT or SKIP LOCKED
  /// For Lock events: an advisory lock rather than a row lock.
  bool advisory = false;
  /// For Lock events: held to the end of the transaction (vs. the session).
  bool transactionScoped = true;

  /// The affected-row count or returned rows of a write are inspected; for a
  /// HeaderRead, the header's value is used afterwards.
  bool resultChecked = false;
  /// A unique violation raised by this write is caught and handled.
  bool uniqueViolationHandled = false;

  /// For TxBegin: the isolation level; `implicit` when the unit's body always
  /// runs inside one transaction (a SQL function, a framework wrapper).
  Isolation isolation = Isolation::Unspecified;
  bool implicit = false;

  /// For ExternalEffect and HeaderRead: what it is (e.g.
  /// "stripe.charges.create" or a header name), and for effects whether an
  /// idempotency key was passed.
  std::string detail;
  bool idempotencyKeyPassed = false;
  /// For ExternalEffect: "payment", "http" or "email"; and whether the key
  /// passed is made fresh for the call (`randomUUID()`), so that a retried
  /// request passes a different one.
  std::string effectKind;
  bool idempotencyKeyRandom = false;
  /// Columns an insert or upsert sets to a provider's event id (a webhook's
  /// `event.id`).
  std::vector<std::string> eventIdColumns;

  /// The reads whose outcome decides whether this event runs.
  std::vector<EventIndex> guardedBy;
  /// The reads whose results flow into the values this event writes.
  std::vector<EventIndex> valueFrom;
  /// The TxBegin event of the transaction this event runs in, if any.
  std::optional<EventIndex> inTx;
  /// The call sites through which this event was spliced into its unit,
  /// outermost first (the unit's own call, then the callee's, ...); empty
  /// for the unit's own events.
  std::vector<SourceLocation> callPath;
};

struct HttpFacts {
  std::string method;
  std::string route;
  std::vector<std::string> headersRead;
  bool webhook = false;
  /// An idempotency middleware, interceptor, guard or decorator wraps it.
  bool idempotencyMiddleware = false;
};

struct Unit {
  enum class Kind { Function, Method, RouteHandler, SqlFunction, SqlScript };
  Kind kind = Kind::Function;
  std::string name;
  /// How calls name it: "Class.method" for methods, the name for functions.
  std::string qualifiedName;
  /// The parameters' names in order, for arguments passed by name; and
  /// whether a call through an instance or class binds the first one
  /// (`self`, `cls`), so that its first argument is the second parameter.
  std::vector<std::string> parameterNames;
  bool bindsFirstParameter = false;
  /// The reads (or calls) whose rows or values its return statements return;
  /// empty when it returns none, or nothing known.
  std::vector<EventIndex> returnedReads;
  /// Reads whose outcome the unit throws on before it returns
  /// (`if (!row) throw new NotFoundException()` at its top level): a caller's
  /// code after the call runs only if they passed, so they guard it too.
  std::vector<EventIndex> exitGuards;
  /// Where the unit is declared (its name), for findings about the whole unit.
  SourceLocation declared;
  std::optional<HttpFacts> http;
  std::vector<Event> events;
};

/// Key values (Event::keyValues): of the unit's parameter `position`, and of
/// a literal.
std::string parameterOrigin(unsigned position);
std::string literalOrigin(std::string_view text);
/// Of a request a handler reads through a global (Flask's `request`).
std::string requestOrigin(std::string_view name);
/// The parameter a `$N...` key value names, and the path below it.
struct ParameterPath {
  unsigned parameter = 0;
  std::string path;
};
std::optional<ParameterPath> parameterOfOrigin(const std::string &origin);
/// Of the row the read at `read` loaded (`#N`, its columns `#N.column`):
/// linking renumbers it with the unit's events.
std::string readOrigin(EventIndex read);
/// The read a `#N...` key value names, if it is one.
std::optional<EventIndex> readOfOrigin(const std::string &origin);
/// `origin` with its read `#N` renumbered as `read`.
std::string withRead(const std::string &origin, EventIndex read);
/// The value a call at `site` passed in its callee's `origin` (`$N...`),
/// where the caller's code does not name it.
std::string passedOrigin(const SourceLocation &site, const std::string &origin);
/// Whether two key values are known to be different values: both the
/// program's inputs (parameters, the request) or literals, or both what one
/// call passed, or columns of one read's row; a literal and an input may
/// well be equal.
bool differentValues(const std::string &a, const std::string &b);

bool isWrite(EventKind kind);
bool isDataEvent(EventKind kind);
const char *toString(EventKind kind);

} // namespace racelint
