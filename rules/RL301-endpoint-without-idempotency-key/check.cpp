// RL301: a POST/PUT/PATCH handler whose effects do not converge when the
// request is replayed (a client retry, a double click, a proxy resend), with
// no idempotency key to recognise the replay.

#include "RuleSupport.h"

#include <cctype>

namespace racelint {
namespace {

std::string folded(const std::string &name) {
  std::string result;
  for (char c : name)
    if (c != '_' && c != '-')
      result += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

bool containsWord(const std::string &name,
                  const std::vector<std::string> &words) {
  std::string text = folded(name);
  return std::any_of(words.begin(), words.end(), [&](const std::string &w) {
    return text.find(folded(w)) != std::string::npos;
  });
}

class EndpointWithoutIdempotencyKey : public Rule {
public:
  using Rule::Rule;

  void check(const RuleInput &input,
             std::vector<Finding> &findings) const override {
    rules::forEachUnit(input, findings, [&](const Unit &unit) {
      if (!unit.http || unit.http->idempotencyMiddleware ||
          rules::isWebhook(unit, metadata().option("signature-headers")))
        return; // a webhook is RL303's
      const std::string &method = unit.http->method;
      // "ALL": a handler serving every method (a Next.js API route).
      if (method != "POST" && method != "PUT" && method != "PATCH" &&
          method != "ALL")
        return;
      if (readsIdempotencyKey(unit))
        return;
      std::vector<RelatedLocation> effects;
      bool money = false;
      for (const Event &event : unit.events) {
        std::optional<std::string> effect =
            rules::replayEffect(input.schema, unit, event);
        if (!effect)
          continue;
        money |= event.effectKind == "payment" ||
                 containsWord(event.table, metadata().option("money-tables")) ||
                 std::any_of(event.setColumns.begin(), event.setColumns.end(),
                             [&](const SetColumn &set) {
                               // `balance - 1` counts in code or in SQL.
                               return (set.atomic || set.fromCurrentValue) &&
                                      containsWord(
                                          set.column,
                                          metadata().option("money-columns"));
                             });
        if (std::none_of(effects.begin(), effects.end(),
                         [&](const RelatedLocation &r) {
                           return r.where == event.where;
                         }))
          effects.push_back({event.where, *effect});
      }
      if (effects.empty())
        return;
      std::string list;
      for (std::size_t i = 0; i < effects.size(); ++i)
        list += (i ? ", " : "") + rules::link(effects[i].message, i + 1);
      std::string handler = method + " " + unit.http->route;
      if (unit.name != handler)
        handler += " (" + unit.name + ")";
      Finding finding = makeFinding(
          unit.declared,
          handler + " performs effects that a replayed request repeats (" +
              list + ") and reads no idempotency key to recognise the replay.");
      finding.level = money ? Level::Warning : Level::Note;
      finding.related = std::move(effects);
      findings.push_back(std::move(finding));
    });
  }

private:
  bool readsIdempotencyKey(const Unit &unit) const {
    const std::vector<std::string> &headers =
        metadata().option("idempotency-headers");
    return std::any_of(
        unit.events.begin(), unit.events.end(), [&](const Event &event) {
          return event.kind == EventKind::HeaderRead && event.resultChecked &&
                 rules::contains(headers, event.detail);
        });
  }
};

} // namespace

std::unique_ptr<Rule> createRL301(RuleMetadata metadata) {
  return std::make_unique<EndpointWithoutIdempotencyKey>(std::move(metadata));
}

} // namespace racelint
