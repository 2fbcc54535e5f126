// RL102: a read of a row's state decides an update or delete of that row,
// but the write neither re-checks the state in its predicate nor runs under a
// lock taken by the read: a concurrent request can change the state between.

#include "RuleSupport.h"

namespace racelint {
namespace {

class CheckThenUpdate : public Rule {
public:
  using Rule::Rule;

  void check(const RuleInput &input,
             std::vector<Finding> &findings) const override {
    rules::ChangedColumns changed = rules::changedColumns(input);
    rules::forEachUnit(input, findings, [&](const Unit &unit) {
      for (const Event &write : unit.events) {
        if (write.kind != EventKind::Update && write.kind != EventKind::Delete)
          continue;
        for (EventIndex guard : write.guardedBy)
          if (checkPair(input.schema, unit, guard, write, changed, findings))
            break;
      }
    });
  }

private:
  /// The write is decided again, later, by a locked read of its row (a
  /// database function called after the check: `SELECT ... FOR UPDATE`, test,
  /// write): that locked check is what counts, not the earlier one.
  static bool relockedBeforeWrite(const Unit &unit, EventIndex check,
                                  const Event &write) {
    return std::any_of(write.guardedBy.begin(), write.guardedBy.end(),
                       [&](EventIndex index) {
                         const Event &read = unit.events[index];
                         return index > check && read.kind == EventKind::Read &&
                                rules::sameRow(read, write) &&
                                rules::readLocksUntil(read, write);
                       });
  }

  bool checkPair(const Schema &schema, const Unit &unit, EventIndex guard,
                 const Event &write, const rules::ChangedColumns &changed,
                 std::vector<Finding> &findings) const {
    const Event &read = unit.events[guard];
    if (read.kind != EventKind::Read || !rules::sameRow(read, write))
      return false;
    // A write that also derives its values from this read is a lost update
    // (RL201), reported there.
    if (std::find(write.valueFrom.begin(), write.valueFrom.end(), guard) !=
        write.valueFrom.end())
      return false;
    if (rules::rowLockOutsideTransaction(read))
      return false; // RL501: the lock is released before the write
    if (rules::versionRuleCovers(schema, unit, rules::indexOf(unit, write)))
      return false; // RL202: the version check is the fix
    if (rules::readLocksUntil(read, write) ||
        rules::isolationOf(unit, write) >= Isolation::RepeatableRead ||
        rules::serialisedBefore(unit, guard, write,
                                /*parentRowsCount=*/false) ||
        relockedBeforeWrite(unit, guard, write))
      return false;

    std::vector<std::string> identity =
        rules::checkedIdentity(schema, read, write);
    std::vector<std::string> state =
        rules::checkedState(schema, read, write, changed);
    if (read.testedColumns && state.empty())
      return false; // only "does the row exist?": a vanished row is not
                    // written, so nothing is overwritten
    for (const std::string &column : write.predicateColumns)
      if (!rules::contains(identity, column) &&
          ((read.readsAllColumns && !read.testedColumns) ||
           rules::contains(state, column)))
        return false; // the predicate re-checks what was read
    // A write the schema's version column guards is a compare-and-set.
    if (rules::testsVersion(schema, write))
      return false;

    std::string verb =
        write.kind == EventKind::Delete ? "Delete from " : "Update of ";
    std::string what = state.empty() ? std::string("the row")
                                     : rules::columnList(write.table, state);
    Finding finding = makeFinding(
        write.where,
        verb + write.table + " depends on " + rules::link("a check", 1) +
            " of " + what +
            ", but its WHERE clause does not re-check it and the check "
            "took no row lock.");
    finding.related.push_back({read.where, "the check of the row's state"});
    finding.flow = {{read.where, "reads the row's state"},
                    {write.where, "writes without re-checking it"}};
    findings.push_back(std::move(finding));
    return true;
  }
};

} // namespace

std::unique_ptr<Rule> createRL102(RuleMetadata metadata) {
  return std::make_unique<CheckThenUpdate>(std::move(metadata));
}

} // namespace racelint
