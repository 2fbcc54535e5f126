// RL206: the version a write tests was read by the same request, so it is
// always current: a client editing a stale copy is never told.

#include "RuleSupport.h"

namespace racelint {
namespace {

class VersionFromOwnRead : public Rule {
public:
  using Rule::Rule;

  void check(const RuleInput &input,
             std::vector<Finding> &findings) const override {
    rules::forEachUnit(input, [&](const Unit &unit) {
      for (const Event &write : unit.events) {
        if (!isWrite(write.kind))
          continue;
        const Column *version =
            rules::versionColumnOf(input.schema, write.table);
        if (!version)
          continue;
        for (const auto &[column, index] : write.predicateValueFrom) {
          const Event &read = unit.events[index];
          bool declared =
              column.empty() && write.testsDeclaredVersion &&
              input.schema.findTable(write.table)->declaredVersionColumn ==
                  version->name;
          if ((column != version->name && !declared) ||
              read.kind != EventKind::Read || read.table != write.table)
            continue;
          // The code compared the loaded version with the client's first:
          // the ORM's check then tests the client's version after all.
          if (declared && read.testedColumns &&
              rules::contains(*read.testedColumns, version->name))
            continue;
          Finding finding = makeFinding(
              write.where,
              "The version this " + std::string(toString(write.kind)) + " of " +
                  write.table + " tests comes from " +
                  rules::link("a read", 1) +
                  " in the same request, not from the client, so an edit "
                  "made on a stale copy is still accepted.");
          finding.related.push_back({read.where, "the read of the version"});
          finding.flow = {{read.where, "reads the current version"},
                          {write.where, "tests the version it just read"}};
          findings.push_back(std::move(finding));
          break;
        }
      }
    });
  }
};

} // namespace

std::unique_ptr<Rule> createRL206(RuleMetadata metadata) {
  return std::make_unique<VersionFromOwnRead>(std::move(metadata));
}

} // namespace racelint
