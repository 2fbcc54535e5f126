// RL201: a write stores a value computed from an earlier read of the same row
// (read-modify-write) with no lock, no compare-and-set and no atomic update:
// two requests read the same value and the second write loses the first.

#include "RuleSupport.h"

namespace racelint {
namespace {

class LostUpdate : public Rule {
public:
  using Rule::Rule;

  void check(const RuleInput &input,
             std::vector<Finding> &findings) const override {
    rules::forEachUnit(input, findings, [&](const Unit &unit) {
      for (const Event &write : unit.events) {
        if (write.kind != EventKind::Update && write.kind != EventKind::Upsert)
          continue;
        for (EventIndex source : write.valueFrom)
          if (checkPair(input.schema, unit, source, write, findings))
            break;
      }
    });
  }

private:
  bool checkPair(const Schema &schema, const Unit &unit, EventIndex source,
                 const Event &write, std::vector<Finding> &findings) const {
    const Event &read = unit.events[source];
    if (read.kind != EventKind::Read || !rules::sameRow(read, write))
      return false;
    std::vector<std::string> overwritten;
    for (const SetColumn &set : write.setColumns)
      if (!set.atomic && (read.readsAllColumns ||
                          rules::contains(read.readColumns, set.column)))
        overwritten.push_back(set.column);
    if (rules::rowLockOutsideTransaction(read))
      return false; // RL501: the lock is released before the write
    if (overwritten.empty() ||
        rules::versionRuleCovers(schema, unit, rules::indexOf(unit, write)))
      return false; // RL202 reports a versioned table's unchecked write
    if (rules::readLocksUntil(read, write) ||
        rules::isolationOf(unit, write) >= Isolation::RepeatableRead ||
        rules::serialisedBefore(unit, source, write, /*parentRowsCount=*/false))
      return false;
    // Compare-and-set: the write re-tests the value it read, or the version.
    if (rules::intersects(write.predicateColumns, overwritten))
      return false;
    if (rules::testsVersion(schema, write))
      return false;

    std::string columns = rules::columnList(write.table, overwritten);
    Finding finding = makeFinding(
        write.where, "Update of " + columns + " writes a value computed from " +
                         rules::link("an earlier read", 1) +
                         " of the same row without a lock, a version check or "
                         "an atomic update, so a concurrent update is lost.");
    finding.related.push_back(
        {read.where, "the read the new value derives from"});
    finding.flow = {{read.where, "reads the current value"},
                    {write.where, "writes a value computed from it"}};
    findings.push_back(std::move(finding));
    return true;
  }
};

} // namespace

std::unique_ptr<Rule> createRL201(RuleMetadata metadata) {
  return std::make_unique<LostUpdate>(std::move(metadata));
}

} // namespace racelint
