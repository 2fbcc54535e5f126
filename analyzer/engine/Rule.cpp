#include "Rule.h"

#include <stdexcept>
#include <yaml-cpp/yaml.h>

namespace racelint {
namespace {

std::string requiredString(const YAML::Node &node, const char *key,
                           const std::string &id) {
  if (!node[key] || !node[key].IsScalar())
    throw std::runtime_error("rule.yaml " + id + ": missing '" + key + "'");
  return node[key].as<std::string>();
}

Level parseLevel(const std::string &text) {
  if (text == "error")
    return Level::Error;
  if (text == "note")
    return Level::Note;
  if (text == "warning")
    return Level::Warning;
  throw std::runtime_error("unknown level '" + text + "'");
}

} // namespace

const std::vector<std::string> &
RuleMetadata::option(const std::string &name) const {
  static const std::vector<std::string> empty;
  auto it = options.find(name);
  return it == options.end() ? empty : it->second;
}

RuleMetadata parseRuleMetadata(const std::string &yamlText) {
  YAML::Node root = YAML::Load(yamlText);
  RuleMetadata rule;
  rule.id = requiredString(root, "id", "?");
  rule.name = requiredString(root, "name", rule.id);
  rule.shortDescription = requiredString(root, "short", rule.id);
  rule.fullDescription = requiredString(root, "full", rule.id);
  rule.helpMarkdown = requiredString(root, "help", rule.id);
  rule.defaultLevel = parseLevel(requiredString(root, "level", rule.id));
  rule.precision = requiredString(root, "precision", rule.id);
  rule.securitySeverity = requiredString(root, "security-severity", rule.id);
  for (const YAML::Node &tag : root["tags"])
    rule.tags.push_back(tag.as<std::string>());
  for (const YAML::Node &example : root["examples"]) {
    RuleExample parsed;
    parsed.language = requiredString(example, "language", rule.id);
    parsed.bad = requiredString(example, "bad", rule.id);
    parsed.good = requiredString(example, "good", rule.id);
    rule.examples.push_back(std::move(parsed));
  }
  if (rule.examples.empty())
    throw std::runtime_error("rule.yaml " + rule.id +
                             ": needs at least one bad/good example");
  for (const auto &option : root["options"]) {
    std::vector<std::string> words;
    for (const YAML::Node &word : option.second)
      words.push_back(word.as<std::string>());
    rule.options[option.first.as<std::string>()] = std::move(words);
  }
  return rule;
}

Finding Rule::makeFinding(const SourceLocation &where,
                          std::string message) const {
  Finding finding;
  finding.ruleId = metadata_.id;
  finding.level = metadata_.defaultLevel;
  finding.where = where;
  finding.message = std::move(message);
  return finding;
}

} // namespace racelint
