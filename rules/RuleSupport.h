#pragma once

// Questions the race rules ask of the program model, shared between rules.

#include "engine/Rule.h"
#include "model/Program.h"
#include "model/Schema.h"

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace racelint::rules {

bool contains(const std::vector<std::string> &names, const std::string &name);
bool intersects(const std::vector<std::string> &a,
                const std::vector<std::string> &b);
/// `table(a, b)`, for messages.
std::string columnList(const std::string &table,
                       const std::vector<std::string> &columns);

/// Calls `visit` for every unit of every file.
void forEachUnit(const RuleInput &input,
                 const std::function<void(const Unit &)> &visit);
/// The same, for a rule's pass that reports: each finding `visit` adds is
/// marked as the unit's (Finding::unit), so that its code flow follows the
/// calls of that unit.
void forEachUnit(const RuleInput &input, std::vector<Finding> &findings,
                 const std::function<void(const Unit &)> &visit);

/// Both events run in one and the same transaction.
bool sameTransaction(const Event &a, const Event &b);
/// The isolation level `event` runs under (Unspecified outside transactions).
Isolation isolationOf(const Unit &unit, const Event &event);

/// A row lock taken by `read` itself that still holds when `write` runs.
bool readLocksUntil(const Event &read, const Event &write);

/// An earlier lock in the same transaction that serialises every request
/// reaching `read`: an advisory lock, a table lock on `table`, or (with
/// `parentRowsCount`) a row lock on another table's row taken before it.
bool serialisedBefore(const Unit &unit, EventIndex read, const Event &write,
                      bool parentRowsCount);

/// The columns that name the row a write targets: a unique key within its
/// equality columns when the schema knows one, else `id`, else all of them.
std::vector<std::string> rowIdentity(const Schema &schema, const Event &write);

/// The read and the write name the same row(s): same table, a shared
/// equality column, compared with the same value where the code names both
/// (Event::keyValues).
bool sameRow(const Event &read, const Event &write);

/// (table, column) pairs some update of the project sets by name: the row
/// state that can change. A column no write changes (an owner, a parent's
/// key, a role's type) picks the row; testing it checks no state.
using ChangedColumns = std::set<std::pair<std::string, std::string>>;
ChangedColumns changedColumns(const RuleInput &input);

/// The columns that name the row `read` checked and `write` writes: the
/// write's identity, and the read's unique key.
std::vector<std::string> checkedIdentity(const Schema &schema,
                                         const Event &read, const Event &write);

/// The state of the row that `read` checked before `write`: its predicate's
/// and its tested columns (every column it returned when the front-end does
/// not know what was tested) that neither name the row nor, when known to
/// be tested, stay as every write leaves them. Empty: the read only asked
/// whether the row exists.
std::vector<std::string> checkedState(const Schema &schema, const Event &read,
                                      const Event &write,
                                      const ChangedColumns &changed);

/// The table's version column, if it has one.
const Column *versionColumnOf(const Schema &schema, const std::string &table);
/// The write's predicate tests the table's version column.
bool testsVersion(const Schema &schema, const Event &write);

/// The read, by the same request, that the version the write tests comes
/// from: that version is always current, so the test proves nothing about
/// the client's copy. Nothing when the code compared the loaded version with
/// the client's before the ORM's own check.
std::optional<EventIndex>
versionFromOwnRead(const Schema &schema, const Unit &unit, const Event &write);

/// A row lock taken outside any transaction: released when its statement
/// ends, so it protects nothing after (RL501 reports it; the races it fails
/// to prevent are left to RL501).
bool rowLockOutsideTransaction(const Event &event);

/// A row lock on the written row, an advisory or table lock, taken earlier
/// in the transaction the write runs in; or an isolation level at which
/// PostgreSQL rejects a concurrent update of the row (REPEATABLE READ and up).
bool protectedByLockOrIsolation(const Unit &unit, EventIndex write);

/// Compare-and-set: the predicate tests a column beyond the row's identity
/// (a state or version column), so a concurrent change makes it match nothing.
bool isCompareAndSet(const Schema &schema, const Event &write);

/// RL202 reports this write: an update of a versioned table, in request code
/// (not a SQL script), that does not test the version, is not purely atomic,
/// runs under no lock (nor under one taken outside a transaction: RL501's),
/// and is no compare-and-set re-checking the state it depends on. Other rules
/// leave such a write to RL202: one bug, one finding.
bool versionRuleCovers(const Schema &schema, const Unit &unit,
                       EventIndex write);

/// What `event` does that a replayed request (or a redelivered webhook)
/// repeats, for messages: an external effect without an idempotency key, an
/// increment, an insert that no unique key covers. Nothing for effects that
/// converge (absolute updates, upserts, inserts a unique key rejects twice,
/// version increments) or that a replay cannot repeat (a write testing the
/// client's version).
std::optional<std::string> replayEffect(const Schema &schema, const Unit &unit,
                                        const Event &event);

/// A webhook handler: its route says so, or it checks a provider's
/// signature header (one of `signatureHeaders`).
bool isWebhook(const Unit &unit,
               const std::vector<std::string> &signatureHeaders);

/// The index of `event` within `unit` (events are stored in order).
EventIndex indexOf(const Unit &unit, const Event &event);

/// A "[text](N)" link to the Nth related location, for messages.
std::string link(const std::string &text, std::size_t number);

} // namespace racelint::rules
