// RL101: a read guards an insert of the row it looked for. Under READ
// COMMITTED two requests both see "absent" and both insert, unless a unique
// key rejects the second, a lock serialises them, or the insert is an upsert.

#include "RuleSupport.h"

namespace racelint {
namespace {

class CheckThenInsert : public Rule {
public:
  using Rule::Rule;

  void check(const RuleInput &input,
             std::vector<Finding> &findings) const override {
    rules::forEachUnit(input, findings, [&](const Unit &unit) {
      for (const Event &insert : unit.events) {
        if (insert.kind != EventKind::Insert)
          continue;
        for (EventIndex guard : insert.guardedBy)
          if (checkPair(input.schema, unit, guard, insert, findings))
            break; // one finding per insert
      }
    });
  }

private:
  bool checkPair(const Schema &schema, const Unit &unit, EventIndex guard,
                 const Event &insert, std::vector<Finding> &findings) const {
    const Event &read = unit.events[guard];
    if (read.kind != EventKind::Read || read.table != insert.table ||
        read.keyColumns.empty())
      return false;
    // The key the check looked up, as far as the insert writes it.
    std::vector<std::string> key;
    for (const std::string &column : read.keyColumns)
      if (insert.setColumns.empty() ||
          std::any_of(
              insert.setColumns.begin(), insert.setColumns.end(),
              [&](const SetColumn &set) { return set.column == column; }))
        key.push_back(column);
    if (key.empty())
      return false;
    if (rules::isolationOf(unit, insert) == Isolation::Serializable ||
        rules::serialisedBefore(unit, guard, insert, /*parentRowsCount=*/true))
      return false;

    std::string target = rules::columnList(insert.table, key);
    const Table *table = schema.findTable(insert.table);
    const UniqueKey *unique = table ? table->uniqueKeyWithin(key) : nullptr;
    Finding finding = makeFinding(insert.where, "");
    if (unique) {
      if (insert.uniqueViolationHandled)
        return false;
      finding.level = Level::Note;
      finding.message = "Insert into " + insert.table + " after " +
                        rules::link("a check", 1) + " on " + target +
                        " relies on " + (unique->partial ? "partial " : "") +
                        "unique key " + unique->name +
                        ", but the unique violation a concurrent insert raises "
                        "is not handled.";
    } else {
      finding.message =
          "Insert into " + insert.table + " after " +
          rules::link("a check", 1) + " for an existing row on " + target +
          " can duplicate the row: no unique key covers " + target +
          (read.lock != RowLock::None
               ? ", and the check's row lock cannot lock a row that is absent."
               : ".");
    }
    finding.related.push_back({read.where, "the check for an existing row"});
    finding.flow = {
        {read.where, "checks for an existing " + insert.table + " row"},
        {insert.where, "inserts when none was seen"}};
    if (unique)
      finding.related.push_back({unique->declared, "the unique key"});
    findings.push_back(std::move(finding));
    return true;
  }
};

} // namespace

std::unique_ptr<Rule> createRL101(RuleMetadata metadata) {
  return std::make_unique<CheckThenInsert>(std::move(metadata));
}

} // namespace racelint
