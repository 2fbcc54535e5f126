#pragma once

#include "engine/Driver.h"
#include "engine/Rule.h"

#include <memory>
#include <string>
#include <vector>

namespace racelint {

struct ReportInput {
  const ScanResult &scan;
  const std::vector<std::unique_ptr<Rule>> &rules;
  std::string toolVersion;
};

/// SARIF 2.1.0 for GitHub code scanning and IDE viewers.
std::string writeSarif(const ReportInput &input);
/// clang-style text: `file:line:col: level: message [RULE]`, the source line,
/// a caret, and `note:` lines for related locations. Suppressed findings are
/// counted, not shown.
std::string writeText(const ReportInput &input);
/// Input problems, as text lines for standard error.
std::string writeTextDiagnostics(const ReportInput &input);
/// A plain JSON document of findings and input problems.
std::string writeJson(const ReportInput &input);

/// The schema and program model the rules saw (`racelint model`), as JSON:
/// for rule authors and for checking what a front-end understood.
std::string writeModelJson(const ScanResult &scan);

/// The Markdown page of a rule (docs/rules/, `racelint explain`).
std::string ruleMarkdown(const RuleMetadata &rule);

/// The message with `[text](N)` links reduced to their text. Other square
/// brackets (a route's `[id]`) are the message's own.
std::string plainMessage(const std::string &message);
/// The message as SARIF's message text: its `[text](N)` links kept, its
/// own square brackets escaped with a backslash, as SARIF (3.11.6) requires
/// of a message with embedded links.
std::string sarifMessage(const std::string &message);

} // namespace racelint
