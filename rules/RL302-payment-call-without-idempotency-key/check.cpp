// RL302: a payment provider call that creates or moves money passes no
// idempotency key (or one made fresh per call), so a retried request or a
// retried network call repeats it: a second charge, session or customer.

#include "RuleSupport.h"

#include <algorithm>
#include <cctype>

namespace racelint {
namespace {

class PaymentCallWithoutIdempotencyKey : public Rule {
public:
  using Rule::Rule;

  /// What a retry does, from the call's name: `stripe.customers.create`
  /// "creates a second customer", `stripe.checkout.sessions.create` "a
  /// second checkout session"; any other method "repeats it at the
  /// provider".
  static std::string repetitionOf(const std::string &call) {
    std::vector<std::string> parts;
    for (std::size_t at = 0; at <= call.size();) {
      std::size_t dot = std::min(call.find('.', at), call.size());
      parts.push_back(call.substr(at, dot - at));
      at = dot + 1;
    }
    if (parts.size() < 3 || parts.back() != "create")
      return "repeats it at the provider";
    std::string thing; // "checkout.sessions", "paymentIntents": words
    for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
      if (!thing.empty())
        thing += ' ';
      for (char c : parts[i]) {
        auto letter = static_cast<unsigned char>(c);
        if (std::isupper(letter) && !thing.empty() && thing.back() != ' ')
          thing += ' ';
        thing += static_cast<char>(std::tolower(letter));
      }
    }
    if (thing.size() > 1 && thing.back() == 's')
      thing.pop_back(); // the resource's one instance
    return "creates a second " + thing;
  }

  void check(const RuleInput &input,
             std::vector<Finding> &findings) const override {
    rules::forEachUnit(input, findings, [&](const Unit &unit) {
      for (const Event &event : unit.events) {
        if (event.kind != EventKind::ExternalEffect ||
            event.effectKind != "payment" || event.idempotencyKeyPassed)
          continue;
        std::string repeated = repetitionOf(event.detail);
        findings.push_back(makeFinding(
            event.where,
            event.idempotencyKeyRandom
                ? event.detail +
                      " passes an idempotency key made fresh for this call, "
                      "which a retried request does not repeat, so the retry " +
                      repeated + "."
                : event.detail + " passes no idempotency key, so a retried " +
                      "request " + repeated + "."));
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
