#include "Suppressions.h"

#include <cctype>

namespace racelint {
namespace {

constexpr std::string_view marker = "racelint-ignore";

std::string trim(std::string_view text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin])))
    ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1])))
    --end;
  return std::string(text.substr(begin, end - begin));
}

std::optional<std::string> suppressionOnLine(std::string_view line,
                                             const std::string &ruleId) {
  std::size_t at = line.find(marker);
  if (at == std::string_view::npos)
    return std::nullopt;
  std::string_view rest = line.substr(at + marker.size());
  std::size_t colon = rest.find(':');
  std::string_view ids = rest.substr(0, colon);
  std::string reason =
      colon == std::string_view::npos ? "" : trim(rest.substr(colon + 1));
  // Strip a block comment's closer from the reason.
  for (std::string_view closer : {"*/", "-->"})
    if (reason.ends_with(closer))
      reason = trim(
          std::string_view(reason).substr(0, reason.size() - closer.size()));
  std::size_t start = 0;
  while (start <= ids.size()) {
    std::size_t comma = ids.find(',', start);
    std::string id = trim(ids.substr(start, comma - start));
    if (id == ruleId)
      return reason.empty() ? std::string("suppressed inline") : reason;
    if (comma == std::string_view::npos)
      break;
    start = comma + 1;
  }
  return std::nullopt;
}

} // namespace

std::optional<std::string> findSuppression(const SourceFile &file,
                                           const Finding &finding) {
  unsigned line = finding.where.line;
  if (auto reason = suppressionOnLine(file.line(line), finding.ruleId))
    return reason;
  if (line > 1)
    return suppressionOnLine(file.line(line - 1), finding.ruleId);
  return std::nullopt;
}

} // namespace racelint
