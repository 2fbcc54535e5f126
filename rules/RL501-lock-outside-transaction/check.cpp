// RL501: a row lock taken outside a transaction is released as soon as the
// statement ends, so it protects nothing that follows.

#include "RuleSupport.h"

namespace racelint {
namespace {

class LockOutsideTransaction : public Rule {
public:
  using Rule::Rule;

  void check(const RuleInput &input,
             std::vector<Finding> &findings) const override {
    rules::forEachUnit(input, findings, [&](const Unit &unit) {
      for (const Event &event : unit.events) {
        bool rowLock = rules::rowLockOutsideTransaction(event);
        bool scopedLock = event.kind == EventKind::Lock &&
                          event.transactionScoped && !event.inTx;
        if (!rowLock && !scopedLock)
          continue;
        std::string what = rowLock          ? "Row lock on " + event.table
                           : event.advisory ? "Transaction-scoped advisory lock"
                                            : "Table lock on " + event.table;
        findings.push_back(makeFinding(
            event.where, what + " is taken outside a transaction, so it is "
                                "released when the statement ends."));
      }
    });
  }
};

} // namespace

std::unique_ptr<Rule> createRL501(RuleMetadata metadata) {
  return std::make_unique<LockOutsideTransaction>(std::move(metadata));
}

} // namespace racelint
