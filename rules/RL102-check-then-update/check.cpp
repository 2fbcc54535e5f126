// RL102: a read of a row's state decides an update or delete of that row,
// but the write neither re-checks the state in its predicate nor runs under a
// lock taken by the read: a concurrent request can change the state between.

#include "RuleSupport.h"

#include <set>

namespace racelint {
namespace {

class CheckThenUpdate : public Rule {
public:
  using Rule::Rule;

  void check(const RuleInput &input,
             std::vector<Finding> &findings) const override {
    // Columns some update of the project sets by name: the row state that
    // can change. A column no write changes (an owner, a parent's key, a
    // role's type) picks the row; testing it checks no state.
    std::set<std::pair<std::string, std::string>> changed;
    rules::forEachUnit(input, [&](const Unit &unit) {
      for (const Event &event : unit.events)
        if (event.kind == EventKind::Update || event.kind == EventKind::Upsert)
          for (const SetColumn &set : event.setColumns)
            if (!set.column.empty())
              changed.emplace(event.table, set.column);
    });
    rules::forEachUnit(input, [&](const Unit &unit) {
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
  bool checkPair(const Schema &schema, const Unit &unit, EventIndex guard,
                 const Event &write,
                 const std::set<std::pair<std::string, std::string>> &changed,
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
        rules::serialisedBefore(unit, guard, write, /*parentRowsCount=*/false))
      return false;

    std::vector<std::string> identity = rules::rowIdentity(schema, write);
    // A read by another unique key names the row too: not state.
    if (const Table *table = schema.findTable(read.table))
      if (const UniqueKey *key = table->uniqueKeyWithin(read.keyColumns);
          key && !key->partial)
        for (const std::string &column : key->columns)
          if (!rules::contains(identity, column))
            identity.push_back(column);
    std::vector<std::string> state;
    for (const std::string &column : read.predicateColumns)
      if (!rules::contains(identity, column))
        state.push_back(column);
    // What the code tested of the result, when the front-end knows it;
    // otherwise every column the read returned.
    const std::vector<std::string> &tested =
        read.testedColumns ? *read.testedColumns : read.readColumns;
    for (const std::string &column : tested)
      if (!rules::contains(identity, column) && !rules::contains(state, column))
        state.push_back(column);
    // Known tested columns that nothing ever changes are not state.
    if (read.testedColumns)
      state.erase(std::remove_if(state.begin(), state.end(),
                                 [&](const std::string &column) {
                                   return !changed.count({read.table, column});
                                 }),
                  state.end());
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
