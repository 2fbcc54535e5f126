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
    rules::forEachUnit(input, findings, [&](const Unit &unit) {
      for (const Event &write : unit.events) {
        // Only a client's edit can be stale: a write of values the server
        // computed (a status change, a stock moved by a delta) is protected
        // by the very version it read.
        bool overwrites =
            std::any_of(write.setColumns.begin(), write.setColumns.end(),
                        [](const SetColumn &set) {
                          return !set.atomic && !set.fromCurrentValue;
                        });
        if (!isWrite(write.kind) || !overwrites ||
            (!write.valuesFromRequest && write.valueParameters.empty()))
          continue;
        std::optional<EventIndex> own =
            rules::versionFromOwnRead(input.schema, unit, write);
        if (!own)
          continue;
        const Event &read = unit.events[*own];
        Finding finding = makeFinding(
            write.where,
            "The version this " + std::string(toString(write.kind)) + " of " +
                write.table + " tests comes from " + rules::link("a read", 1) +
                " in the same request, not from the client, so an edit "
                "made on a stale copy is still accepted.");
        finding.related.push_back({read.where, "the read of the version"});
        finding.flow = {{read.where, "reads the current version"},
                        {write.where, "tests the version it just read"}};
        findings.push_back(std::move(finding));
      }
    });
  }
};

} // namespace

std::unique_ptr<Rule> createRL206(RuleMetadata metadata) {
  return std::make_unique<VersionFromOwnRead>(std::move(metadata));
}

} // namespace racelint
