// RL204: a compare-and-set write whose affected-row count is never looked at.
// When a concurrent change makes the predicate miss, nothing is written and
// the request still reports success.

#include "RuleSupport.h"

namespace racelint {
namespace {

class UncheckedConditionalWrite : public Rule {
public:
  using Rule::Rule;

  void check(const RuleInput &input,
             std::vector<Finding> &findings) const override {
    rules::ChangedColumns changed = rules::changedColumns(input);
    rules::forEachUnit(input, findings, [&](const Unit &unit) {
      if (unit.kind == Unit::Kind::SqlScript)
        return; // a script has no caller to tell
      for (const Event &write : unit.events) {
        if ((write.kind != EventKind::Update &&
             write.kind != EventKind::Delete) ||
            write.resultChecked || !rules::isCompareAndSet(input.schema, write))
          continue;
        std::vector<std::string> identity =
            rules::rowIdentity(input.schema, write);
        // A column no write of the project changes (a tenant, an owner)
        // only picks the row: the write compares no state with it.
        std::vector<std::string> tested;
        for (const std::string &column : write.predicateColumns)
          if (!rules::contains(identity, column) &&
              changed.count({write.table, column}))
            tested.push_back(column);
        if (tested.empty())
          continue;
        std::string verb =
            write.kind == EventKind::Delete ? "Delete from " : "Update of ";
        findings.push_back(makeFinding(
            write.where,
            verb + write.table + " is conditional on " +
                rules::columnList(write.table, tested) +
                ", but its affected-row count is never checked, so a lost "
                "race passes as success."));
      }
    });
  }
};

} // namespace

std::unique_ptr<Rule> createRL204(RuleMetadata metadata) {
  return std::make_unique<UncheckedConditionalWrite>(std::move(metadata));
}

} // namespace racelint
