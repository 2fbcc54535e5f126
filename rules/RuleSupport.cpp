#include "RuleSupport.h"

#include <algorithm>

namespace racelint::rules {

bool contains(const std::vector<std::string> &names, const std::string &name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool intersects(const std::vector<std::string> &a,
                const std::vector<std::string> &b) {
  return std::any_of(a.begin(), a.end(), [&](const std::string &name) {
    return contains(b, name);
  });
}

std::string columnList(const std::string &table,
                       const std::vector<std::string> &columns) {
  std::string text = table + "(";
  for (std::size_t i = 0; i < columns.size(); ++i)
    text += (i ? ", " : "") + columns[i];
  return text + ")";
}

void forEachUnit(const RuleInput &input,
                 const std::function<void(const Unit &)> &visit) {
  for (const FileAnalysis &file : input.files)
    for (const Unit &unit : file.units)
      visit(unit);
}

void forEachUnit(const RuleInput &input, std::vector<Finding> &findings,
                 const std::function<void(const Unit &)> &visit) {
  forEachUnit(input, [&](const Unit &unit) {
    std::size_t before = findings.size();
    visit(unit);
    for (std::size_t i = before; i < findings.size(); ++i)
      findings[i].unit = {unit.name, unit.declared};
  });
}

bool sameTransaction(const Event &a, const Event &b) {
  return a.inTx && b.inTx && *a.inTx == *b.inTx;
}

Isolation isolationOf(const Unit &unit, const Event &event) {
  if (!event.inTx || *event.inTx >= unit.events.size())
    return Isolation::Unspecified;
  return unit.events[*event.inTx].isolation;
}

bool readLocksUntil(const Event &read, const Event &write) {
  return read.lock != RowLock::None && sameTransaction(read, write);
}

bool serialisedBefore(const Unit &unit, EventIndex read, const Event &write,
                      bool parentRowsCount) {
  const Event &check = unit.events[read];
  for (EventIndex i = 0; i < read; ++i) {
    const Event &earlier = unit.events[i];
    bool heldAtWrite = sameTransaction(earlier, write) ||
                       (earlier.kind == EventKind::Lock && earlier.advisory &&
                        !earlier.transactionScoped);
    if (!heldAtWrite)
      continue;
    if (earlier.kind == EventKind::Lock &&
        (earlier.advisory || earlier.table == check.table))
      return true;
    if (earlier.kind == EventKind::Read && earlier.lock != RowLock::None &&
        (earlier.table == check.table ? sameRow(earlier, check)
                                      : parentRowsCount))
      return true;
  }
  return false;
}

std::vector<std::string> rowIdentity(const Schema &schema, const Event &write) {
  if (const Table *table = schema.findTable(write.table))
    if (const UniqueKey *key = table->uniqueKeyWithin(write.keyColumns);
        key && !key->partial)
      return key->columns;
  if (contains(write.keyColumns, "id"))
    return {"id"};
  return write.keyColumns;
}

bool sameRow(const Event &read, const Event &write) {
  if (read.table != write.table ||
      !intersects(read.keyColumns, write.keyColumns))
    return false;
  // A shared key column compared with two different values the code names
  // (two parameters, two request fields) is about two rows; where either
  // value is not known, the shared key name is all there is to go on. A
  // value can have several names (a parameter, and what a call passed in
  // it): one name in common makes it the same value.
  for (const std::string &column : read.keyColumns) {
    bool same = false, different = false;
    for (const auto &[readColumn, readValue] : read.keyValues)
      for (const auto &[writeColumn, writeValue] : write.keyValues)
        if (readColumn == column && writeColumn == column) {
          same |= readValue == writeValue;
          different |= differentValues(readValue, writeValue);
        }
    if (different && !same)
      return false;
  }
  return true;
}

ChangedColumns changedColumns(const RuleInput &input) {
  ChangedColumns changed;
  forEachUnit(input, [&](const Unit &unit) {
    for (const Event &event : unit.events)
      if (event.kind == EventKind::Update || event.kind == EventKind::Upsert)
        for (const SetColumn &set : event.setColumns)
          if (!set.column.empty())
            changed.emplace(event.table, set.column);
  });
  return changed;
}

std::vector<std::string>
checkedIdentity(const Schema &schema, const Event &read, const Event &write) {
  std::vector<std::string> identity = rowIdentity(schema, write);
  // A read by another unique key names the row too: not state.
  if (const Table *table = schema.findTable(read.table))
    if (const UniqueKey *key = table->uniqueKeyWithin(read.keyColumns);
        key && !key->partial)
      for (const std::string &column : key->columns)
        if (!contains(identity, column))
          identity.push_back(column);
  return identity;
}

std::vector<std::string> checkedState(const Schema &schema, const Event &read,
                                      const Event &write,
                                      const ChangedColumns &changed) {
  std::vector<std::string> identity = checkedIdentity(schema, read, write);
  std::vector<std::string> state;
  for (const std::string &column : read.predicateColumns)
    if (!contains(identity, column))
      state.push_back(column);
  const std::vector<std::string> &tested =
      read.testedColumns ? *read.testedColumns : read.readColumns;
  for (const std::string &column : tested)
    if (!contains(identity, column) && !contains(state, column))
      state.push_back(column);
  if (read.testedColumns)
    std::erase_if(state, [&](const std::string &column) {
      return !changed.count({read.table, column});
    });
  return state;
}

const Column *versionColumnOf(const Schema &schema, const std::string &table) {
  const Table *found = schema.findTable(table);
  return found ? found->versionColumn() : nullptr;
}

bool testsVersion(const Schema &schema, const Event &write) {
  const Column *version = versionColumnOf(schema, write.table);
  if (!version)
    return false;
  const Table *table = schema.findTable(write.table);
  return contains(write.predicateColumns, version->name) ||
         (write.testsDeclaredVersion &&
          table->declaredVersionColumn == version->name);
}

std::optional<EventIndex>
versionFromOwnRead(const Schema &schema, const Unit &unit, const Event &write) {
  const Column *version = versionColumnOf(schema, write.table);
  if (!version)
    return std::nullopt;
  for (const auto &[column, index] : write.predicateValueFrom) {
    const Event &read = unit.events[index];
    // An empty column: the ORM's declared version check (version_id_col).
    bool declared =
        column.empty() && write.testsDeclaredVersion &&
        schema.findTable(write.table)->declaredVersionColumn == version->name;
    if ((column != version->name && !declared) ||
        read.kind != EventKind::Read || read.table != write.table)
      continue;
    if (declared && read.testedColumns &&
        contains(*read.testedColumns, version->name))
      continue;
    return index;
  }
  return std::nullopt;
}

bool rowLockOutsideTransaction(const Event &event) {
  return event.kind == EventKind::Read && event.lock != RowLock::None &&
         !event.inTx;
}

bool protectedByLockOrIsolation(const Unit &unit, EventIndex write) {
  const Event &act = unit.events[write];
  if (isolationOf(unit, act) >= Isolation::RepeatableRead)
    return true;
  for (EventIndex i = 0; i < write; ++i) {
    const Event &earlier = unit.events[i];
    bool held = sameTransaction(earlier, act) ||
                (earlier.kind == EventKind::Lock && earlier.advisory &&
                 !earlier.transactionScoped);
    if (!held)
      continue;
    if (earlier.kind == EventKind::Lock &&
        (earlier.advisory || earlier.table == act.table))
      return true;
    if (earlier.kind == EventKind::Read && earlier.lock != RowLock::None &&
        earlier.table == act.table &&
        (sameRow(earlier, act) || earlier.keyColumns.empty()))
      return true;
  }
  return false;
}

bool isCompareAndSet(const Schema &schema, const Event &write) {
  if (write.keyMatchesMany)
    return false; // many rows: the count is no yes-or-no answer
  if (testsVersion(schema, write))
    return true;
  const Table *table = schema.findTable(write.table);
  const UniqueKey *key =
      table ? table->uniqueKeyWithin(write.keyColumns) : nullptr;
  if (!(key && !key->partial) && !contains(write.keyColumns, "id"))
    return false; // not one row: a bulk update, not a compare-and-set
  std::vector<std::string> identity = rowIdentity(schema, write);
  return std::any_of(
      write.predicateColumns.begin(), write.predicateColumns.end(),
      [&](const std::string &column) { return !contains(identity, column); });
}

bool rechecksDependedState(const Schema &schema, const Unit &unit,
                           const Event &write) {
  std::vector<std::string> identity = rowIdentity(schema, write);
  const Column *version = versionColumnOf(schema, write.table);
  std::vector<std::string> state;
  for (const std::string &column : write.predicateColumns)
    if (!contains(identity, column) && (!version || column != version->name))
      state.push_back(column);
  if (state.empty() || !isCompareAndSet(schema, write))
    return false;
  bool dependsOnRead = false;
  for (const auto *links : {&write.guardedBy, &write.valueFrom})
    for (EventIndex index : *links) {
      const Event &read = unit.events[index];
      if (read.kind != EventKind::Read || read.table != write.table)
        continue;
      dependsOnRead = true;
      if (read.readsAllColumns || intersects(read.readColumns, state) ||
          intersects(read.predicateColumns, state))
        return true;
    }
  return !dependsOnRead; // a blind compare-and-set depends on what it tests
}

bool versionRuleCovers(const Schema &schema, const Unit &unit,
                       EventIndex write) {
  const Event &act = unit.events[write];
  if (act.kind != EventKind::Update || unit.kind == Unit::Kind::SqlScript ||
      !versionColumnOf(schema, act.table) || testsVersion(schema, act))
    return false;
  for (EventIndex i = 0; i < write; ++i)
    if (rowLockOutsideTransaction(unit.events[i]) &&
        sameRow(unit.events[i], act))
      return false; // RL501: the lock meant to protect it is already gone
  bool onlyAtomic =
      !act.setColumns.empty() &&
      std::all_of(act.setColumns.begin(), act.setColumns.end(),
                  [](const SetColumn &set) { return set.atomic; });
  return !onlyAtomic && !protectedByLockOrIsolation(unit, write) &&
         !rechecksDependedState(schema, unit, act);
}

std::optional<std::string> replayEffect(const Schema &schema, const Unit &unit,
                                        const Event &event) {
  if (event.kind == EventKind::ExternalEffect && !event.idempotencyKeyPassed)
    return event.detail;
  if (event.kind == EventKind::Insert) {
    const Table *table = schema.findTable(event.table);
    std::vector<std::string> set;
    for (const SetColumn &column : event.setColumns)
      set.push_back(column.column);
    if (table && !set.empty())
      for (const UniqueKey &key : table->uniqueKeys)
        if (!key.partial &&
            std::all_of(key.columns.begin(), key.columns.end(),
                        [&](const std::string &c) { return contains(set, c); }))
          return std::nullopt; // a replay hits the unique key
    return "insert into " + event.table;
  }
  if (event.kind != EventKind::Update && event.kind != EventKind::Upsert)
    return std::nullopt;
  // The client's version: a replay no longer matches it and changes nothing.
  if (testsVersion(schema, event) && !versionFromOwnRead(schema, unit, event))
    return std::nullopt;
  const Column *version = versionColumnOf(schema, event.table);
  for (const SetColumn &set : event.setColumns) {
    // Moving the version on is bookkeeping: a replay changes no data by it.
    if (version && set.column == version->name)
      continue;
    // `version = version + 1 WHERE version = :v`: a replay matches nothing.
    if (set.atomic && !contains(event.keyColumns, set.column))
      return "increment of " + event.table + "." + set.column;
    // `sold_count: lead.sold_count + 1`: an increment computed in code,
    // from a read of the same column.
    if (!set.fromCurrentValue)
      continue;
    for (EventIndex index : event.valueFrom) {
      const Event &read = unit.events[index];
      if (read.kind == EventKind::Read && read.table == event.table &&
          (read.readsAllColumns || contains(read.readColumns, set.column)))
        return "update of " + event.table + "." + set.column +
               " from its current value";
    }
  }
  return std::nullopt;
}

bool isWebhook(const Unit &unit,
               const std::vector<std::string> &signatureHeaders) {
  if (unit.http && unit.http->webhook)
    return true;
  return std::any_of(unit.events.begin(), unit.events.end(),
                     [&](const Event &event) {
                       return event.kind == EventKind::HeaderRead &&
                              contains(signatureHeaders, event.detail);
                     });
}

EventIndex indexOf(const Unit &unit, const Event &event) {
  return static_cast<EventIndex>(&event - unit.events.data());
}

std::string link(const std::string &text, std::size_t number) {
  return "[" + text + "](" + std::to_string(number) + ")";
}

} // namespace racelint::rules
