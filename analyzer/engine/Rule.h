#pragma once

#include "model/Diagnostics.h"
#include "model/FileAnalysis.h"
#include "model/Schema.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace racelint {

struct RuleExample {
  std::string language; // the file extension the example is analysed as
  std::string bad;
  std::string good;
};

/// A rule's metadata, from its rule.yaml (embedded in the binary at build
/// time).
struct RuleMetadata {
  std::string id;
  std::string name;
  std::string shortDescription;
  std::string fullDescription;
  std::string helpMarkdown;
  Level defaultLevel = Level::Warning;
  std::string precision;
  std::string securitySeverity;
  std::vector<std::string> tags;
  std::vector<RuleExample> examples;
  /// Named lists of words a rule matches names against (configurable data).
  std::map<std::string, std::vector<std::string>> options;

  const std::vector<std::string> &option(const std::string &name) const;
};

/// Parses rule.yaml text; throws std::runtime_error naming the problem.
RuleMetadata parseRuleMetadata(const std::string &yamlText);

/// Everything a rule may look at: the schema and the program model.
struct RuleInput {
  const Schema &schema;
  const std::vector<FileAnalysis> &files;
};

class Rule {
public:
  explicit Rule(RuleMetadata metadata) : metadata_(std::move(metadata)) {}
  virtual ~Rule() = default;
  const RuleMetadata &metadata() const { return metadata_; }
  /// Appends findings; `ruleId` and `level` default to the rule's own.
  virtual void check(const RuleInput &input,
                     std::vector<Finding> &findings) const = 0;

protected:
  Finding makeFinding(const SourceLocation &where, std::string message) const;

private:
  RuleMetadata metadata_;
};

} // namespace racelint
