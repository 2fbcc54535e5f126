#include "Report.h"

namespace racelint {

std::string ruleMarkdown(const RuleMetadata &rule) {
  std::string out =
      "<!-- Generated from rules/" + rule.id + "-" + rule.name +
      "/rule.yaml by `racelint docs`: edit the YAML, not this file. -->\n";
  out += "# " + rule.id + " " + rule.name + "\n\n";
  out += "*" + rule.shortDescription + "*\n\n";
  out += "Default level: **" + std::string(toString(rule.defaultLevel)) +
         "** · precision: " + rule.precision +
         " · security severity: " + rule.securitySeverity + "\n\n";
  out += rule.fullDescription + "\n\n";
  out += "## How to fix\n\n" + rule.helpMarkdown;
  if (!out.ends_with("\n"))
    out += "\n";
  for (const RuleExample &example : rule.examples) {
    out += "\n## Flagged\n\n```" + example.language + "\n" + example.bad;
    out += "```\n\n## Accepted\n\n```" + example.language + "\n" +
           example.good + "```\n";
  }
  if (!rule.options.empty()) {
    out += "\n## Options\n\n";
    for (const auto &[name, words] : rule.options) {
      out += "- `" + name + "`:";
      for (const std::string &word : words)
        out += " `" + word + "`";
      out += "\n";
    }
  }
  out += "\nTags: ";
  for (std::size_t i = 0; i < rule.tags.size(); ++i)
    out += (i ? ", " : "") + rule.tags[i];
  out += "\n";
  return out;
}

} // namespace racelint
