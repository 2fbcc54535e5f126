// RL202: a write to a table with a version column that does not test the
// version. The column exists to make concurrent edits collide; a write that
// ignores it overwrites whatever was committed since the row was read.

#include "RuleSupport.h"

namespace racelint {
namespace {

class MissingVersionPredicate : public Rule {
public:
  using Rule::Rule;

  void check(const RuleInput &input,
             std::vector<Finding> &findings) const override {
    rules::forEachUnit(input, findings, [&](const Unit &unit) {
      for (EventIndex i = 0; i < unit.events.size(); ++i) {
        if (!rules::versionRuleCovers(input.schema, unit, i))
          continue;
        const Event &write = unit.events[i];
        const Table &table = *input.schema.findTable(write.table);
        const Column &version = *table.versionColumn();
        std::string message = "Update of " + write.table +
                              " does not test its version column " +
                              rules::link(version.name, 1) +
                              ", so it overwrites changes committed since the "
                              "row was read";
        if (write.incrementsDeclaredVersion && table.declaredVersionColumn)
          message += " (TypeORM increments a @VersionColumn on save() and "
                     "update() but never compares it)";
        Finding finding = makeFinding(write.where, message + ".");
        finding.related.push_back({version.declared, "the version column"});
        for (EventIndex read : write.valueFrom)
          if (unit.events[read].kind == EventKind::Read &&
              unit.events[read].table == write.table) {
            finding.flow = {{unit.events[read].where, "reads the row"},
                            {write.where, "writes it back unversioned"}};
            break;
          }
        findings.push_back(std::move(finding));
      }
    });
  }
};

} // namespace

std::unique_ptr<Rule> createRL202(RuleMetadata metadata) {
  return std::make_unique<MissingVersionPredicate>(std::move(metadata));
}

} // namespace racelint
