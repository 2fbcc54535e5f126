// RL402: a table that stores idempotency keys or processed event ids without
// a unique key on them. The "have we seen this key?" check then races like any
// check-then-insert, and a replay runs twice.

#include "RuleSupport.h"

#include <cctype>

namespace racelint {
namespace {

/// `idempotencyKey`, `idempotency_key` and `IdempotencyKey` compare equal.
std::string normalised(const std::string &name) {
  std::string folded;
  for (char c : name)
    if (c != '_')
      folded += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return folded;
}

bool matchesAny(const std::string &name,
                const std::vector<std::string> &words) {
  std::string folded = normalised(name);
  return std::any_of(words.begin(), words.end(), [&](const std::string &word) {
    return folded == normalised(word);
  });
}

bool nameContainsAny(const std::string &name,
                     const std::vector<std::string> &words) {
  std::string folded = normalised(name);
  return std::any_of(words.begin(), words.end(), [&](const std::string &word) {
    return folded.find(normalised(word)) != std::string::npos;
  });
}

class IdempotencyKeyNotUnique : public Rule {
public:
  using Rule::Rule;

  void check(const RuleInput &input,
             std::vector<Finding> &findings) const override {
    const RuleMetadata &meta = metadata();
    for (const auto &[name, table] : input.schema.tables()) {
      bool eventTable = nameContainsAny(name, meta.option("event-tables"));
      for (const Column &column : table.columns) {
        bool keyColumn =
            matchesAny(column.name, meta.option("key-columns")) ||
            (eventTable &&
             matchesAny(column.name, meta.option("event-columns")));
        if (!keyColumn || !column.declared.valid())
          continue;
        bool unique =
            std::any_of(table.uniqueKeys.begin(), table.uniqueKeys.end(),
                        [&](const UniqueKey &key) {
                          return rules::contains(key.columns, column.name);
                        });
        if (unique)
          continue;
        findings.push_back(makeFinding(
            column.declared,
            "Column " + name + "." + column.name +
                " stores idempotency keys or event ids but no unique key "
                "covers it, so two concurrent replays can both record it."));
      }
    }
  }
};

} // namespace

std::unique_ptr<Rule> createRL402(RuleMetadata metadata) {
  return std::make_unique<IdempotencyKeyNotUnique>(std::move(metadata));
}

} // namespace racelint
