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
  return read.table == write.table &&
         intersects(read.keyColumns, write.keyColumns);
}

std::string link(const std::string &text, std::size_t number) {
  return "[" + text + "](" + std::to_string(number) + ")";
}

} // namespace racelint::rules
