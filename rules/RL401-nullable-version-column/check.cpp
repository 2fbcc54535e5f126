// RL401: a version column that is nullable or has no default. Rows that hold
// NULL never match `version = $n`, so optimistic locking fails for them (or,
// where code treats a miss as "not found", silently skips them).

#include "RuleSupport.h"

namespace racelint {
namespace {

class NullableVersionColumn : public Rule {
public:
  using Rule::Rule;

  void check(const RuleInput &input,
             std::vector<Finding> &findings) const override {
    for (const auto &[name, table] : input.schema.tables()) {
      const Column *version = table.versionColumn();
      if (!version || !version->declared.valid() ||
          (!version->nullable && version->hasDefault))
        continue;
      std::string problem = version->nullable && !version->hasDefault
                                ? "is nullable and has no default"
                            : version->nullable ? "is nullable"
                                                : "has no default";
      findings.push_back(makeFinding(
          version->declared,
          "Version column " + name + "." + version->name + " " + problem +
              ", so rows whose version is NULL never match a version check."));
    }
  }
};

} // namespace

std::unique_ptr<Rule> createRL401(RuleMetadata metadata) {
  return std::make_unique<NullableVersionColumn>(std::move(metadata));
}

} // namespace racelint
