#pragma once

#include "SourceLocation.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace racelint {

enum class Level { Error, Warning, Note };
const char *toString(Level level);

/// A problem with the input itself (unreadable, unparseable, skipped), as
/// opposed to a finding about the code. Reported as a SARIF tool notification.
struct Diagnostic {
  Level level = Level::Warning;
  /// A stable identifier: "parse-error", "binary-file", "file-too-large", ...
  std::string code;
  std::string message;
  /// The file, and the line and column where known.
  SourceLocation where;
};

struct RelatedLocation {
  SourceLocation where;
  std::string message;
};

/// A rule's verdict at one place. The message may link related locations as
/// `[text](N)`, N counting related locations from 1, as SARIF does.
struct Finding {
  std::string ruleId;
  Level level = Level::Warning;
  std::string message;
  SourceLocation where;
  std::vector<RelatedLocation> related;
  /// The code flow from the check to the act, in execution order.
  std::vector<RelatedLocation> flow;
  /// The unit whose events the finding judged (its name and declaration),
  /// when a rule judged one: the calls its flow follows are that unit's.
  std::pair<std::string, SourceLocation> unit;
  /// Set when an inline `racelint-ignore` comment suppresses the finding.
  std::optional<std::string> suppression;
};

} // namespace racelint
