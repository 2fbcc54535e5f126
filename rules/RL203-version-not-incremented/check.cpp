// RL203: a write tests the version but does not change it. The next writer
// holding the same version still matches, so the check protects nothing.

#include "RuleSupport.h"

namespace racelint {
namespace {

class VersionNotIncremented : public Rule {
public:
  using Rule::Rule;

  void check(const RuleInput &input,
             std::vector<Finding> &findings) const override {
    rules::forEachUnit(input, findings, [&](const Unit &unit) {
      for (const Event &write : unit.events) {
        if (write.kind != EventKind::Update ||
            !rules::testsVersion(input.schema, write))
          continue;
        const Table &table = *input.schema.findTable(write.table);
        const Column &version = *table.versionColumn();
        if (write.incrementsDeclaredVersion &&
            table.declaredVersionColumn == version.name)
          continue; // the ORM adds `version = version + 1` itself
        bool sets = std::any_of(
            write.setColumns.begin(), write.setColumns.end(),
            [&](const SetColumn &set) { return set.column == version.name; });
        if (sets || write.setColumns.empty())
          continue; // unknown columns: it may well set it
        Finding finding = makeFinding(
            write.where, "Update of " + write.table + " tests " +
                             rules::link(version.name, 1) +
                             " but does not change it, so a second writer "
                             "holding the same version still succeeds.");
        finding.related.push_back({version.declared, "the version column"});
        findings.push_back(std::move(finding));
      }
    });
  }
};

} // namespace

std::unique_ptr<Rule> createRL203(RuleMetadata metadata) {
  return std::make_unique<VersionNotIncremented>(std::move(metadata));
}

} // namespace racelint
