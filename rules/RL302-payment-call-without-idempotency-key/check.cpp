// RL302: a payment provider call that creates or moves money passes no
// idempotency key (or one made fresh per call), so a retried request or a
// retried network call creates a second payment.

#include "RuleSupport.h"

namespace racelint {
namespace {

class PaymentCallWithoutIdempotencyKey : public Rule {
public:
  using Rule::Rule;

  void check(const RuleInput &input,
             std::vector<Finding> &findings) const override {
    rules::forEachUnit(input, findings, [&](const Unit &unit) {
      for (const Event &event : unit.events) {
        if (event.kind != EventKind::ExternalEffect ||
            event.effectKind != "payment" || event.idempotencyKeyPassed)
          continue;
        findings.push_back(makeFinding(
            event.where,
            event.idempotencyKeyRandom
                ? event.detail +
                      " passes an idempotency key made fresh for this call, "
                      "which a retried request does not repeat, so the retry "
                      "creates a second payment."
                : event.detail +
                      " passes no idempotency key, so a retried request "
                      "creates a second payment."));
      }
    });
  }
};

} // namespace

std::unique_ptr<Rule> createRL302(RuleMetadata metadata) {
  return std::make_unique<PaymentCallWithoutIdempotencyKey>(
      std::move(metadata));
}

} // namespace racelint
