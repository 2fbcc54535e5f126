// RL205: a PUT or PATCH handler overwrites an existing row with the request's
// values and no concurrency token: of two clients editing the same row, the
// last to save silently wins.

#include "RuleSupport.h"

namespace racelint {
namespace {

class BlindUpdateEndpoint : public Rule {
public:
  using Rule::Rule;

  void check(const RuleInput &input,
             std::vector<Finding> &findings) const override {
    const std::vector<std::string> &tokenHeaders =
        metadata().option("concurrency-headers");
    rules::ChangedColumns changed = rules::changedColumns(input);
    rules::forEachUnit(input, findings, [&](const Unit &unit) {
      if (!unit.http ||
          (unit.http->method != "PUT" && unit.http->method != "PATCH"))
        return;
      for (const std::string &header : unit.http->headersRead)
        if (rules::contains(tokenHeaders, header))
          return; // If-Match: the client's version is compared
      for (EventIndex i = 0; i < unit.events.size(); ++i) {
        const Event &write = unit.events[i];
        if (write.kind != EventKind::Update || !write.valuesFromRequest ||
            rules::versionColumnOf(input.schema, write.table) ||
            rules::isCompareAndSet(input.schema, write) ||
            rules::protectedByLockOrIsolation(unit, i) ||
            decidedByStateCheck(input.schema, unit, write, changed))
          continue; // a versioned table's unchecked write is RL202's
        Finding finding = makeFinding(
            write.where,
            unit.http->method + " " + unit.http->route + " overwrites " +
                write.table +
                " with the request's values without a concurrency token "
                "(a version or If-Match), so the last writer silently wins.");
        finding.related.push_back({unit.declared, "the handler"});
        findings.push_back(std::move(finding));
        return; // one finding per handler
      }
    });
  }

private:
  /// A check of the row's state decides the write: a state transition, not
  /// an edit (RL102 judges it), as opposed to a mere existence check.
  static bool decidedByStateCheck(const Schema &schema, const Unit &unit,
                                  const Event &write,
                                  const rules::ChangedColumns &changed) {
    return std::any_of(
        write.guardedBy.begin(), write.guardedBy.end(), [&](EventIndex index) {
          const Event &read = unit.events[index];
          return read.kind == EventKind::Read && rules::sameRow(read, write) &&
                 !rules::checkedState(schema, read, write, changed).empty();
        });
  }
};

} // namespace

std::unique_ptr<Rule> createRL205(RuleMetadata metadata) {
  return std::make_unique<BlindUpdateEndpoint>(std::move(metadata));
}

} // namespace racelint
