#pragma once

#include "engine/Rule.h"

#include <memory>
#include <vector>

namespace racelint {

using RuleFactory = std::unique_ptr<Rule> (*)(RuleMetadata);

struct RuleRegistration {
  const char *yamlText; // the rule's rule.yaml, embedded at build time
  RuleFactory create;
};

/// Every built-in rule, in rules/CMakeLists.txt order (generated Registry.cpp).
const std::vector<RuleRegistration> &builtinRuleRegistrations();

/// Instantiates every built-in rule, sorted by id.
std::vector<std::unique_ptr<Rule>> createBuiltinRules();

} // namespace racelint
