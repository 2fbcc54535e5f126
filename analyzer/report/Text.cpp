#include "Report.h"

#include "model/Utf8.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <utility>

namespace racelint {
namespace {

std::string caretLine(std::string_view line, const SourceLocation &where) {
  // Columns count code points; tabs are kept so the caret lines up.
  std::string marker;
  unsigned column = 1;
  for (std::size_t i = 0; i < line.size() && column < where.column; ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80)
      continue;
    marker += line[i] == '\t' ? '\t' : ' ';
    ++column;
  }
  marker += '^';
  unsigned end = where.endLine == where.line ? where.endColumn : 0;
  for (unsigned c = where.column + 1; c < end; ++c)
    marker += '~';
  return marker;
}

void appendLocated(std::string &out, const ScanResult &scan,
                   const SourceLocation &where, const std::string &level,
                   const std::string &message) {
  out += where.file + ":" + std::to_string(where.line) + ":" +
         std::to_string(where.column) + ": " + level + ": " + message + "\n";
  auto source = scan.sources.find(where.file);
  if (source == scan.sources.end())
    return;
  std::string_view line = source->second.line(where.line);
  out += "  ";
  out += line;
  out += "\n  " + caretLine(line, where) + "\n";
}

} // namespace

namespace {

/// A link `[text](N)` starting at `at`: the end of its text and the index
/// of its closing parenthesis.
std::optional<std::pair<std::size_t, std::size_t>>
linkAt(const std::string &message, std::size_t at) {
  if (message[at] != '[')
    return std::nullopt;
  std::size_t close = message.find_first_of("[]", at + 1);
  if (close == std::string::npos || message[close] != ']' ||
      close + 1 >= message.size() || message[close + 1] != '(')
    return std::nullopt;
  std::size_t end = close + 2;
  while (end < message.size() &&
         std::isdigit(static_cast<unsigned char>(message[end])))
    ++end;
  if (end == close + 2 || end >= message.size() || message[end] != ')')
    return std::nullopt;
  return std::make_pair(close, end);
}

} // namespace

std::string plainMessage(const std::string &message) {
  std::string plain;
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (auto link = linkAt(message, i)) {
      plain += message.substr(i + 1, link->first - i - 1);
      i = link->second;
      continue;
    }
    plain += message[i];
  }
  return plain;
}

std::string sarifMessage(const std::string &message) {
  std::string text;
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (auto link = linkAt(message, i)) {
      text += message.substr(i, link->second - i + 1);
      i = link->second;
      continue;
    }
    if (message[i] == '[' || message[i] == ']' || message[i] == '\\')
      text += '\\';
    text += message[i];
  }
  return text;
}

std::string writeText(const ReportInput &input) {
  std::string out;
  std::map<Level, int> counts;
  int suppressed = 0;
  for (const Finding &finding : input.scan.findings) {
    if (finding.suppression) {
      ++suppressed;
      continue;
    }
    ++counts[finding.level];
    appendLocated(out, input.scan, finding.where, toString(finding.level),
                  plainMessage(finding.message) + " [" + finding.ruleId + "]");
    for (const RelatedLocation &related : finding.related)
      appendLocated(out, input.scan, related.where, "note", related.message);
  }
  auto plural = [](int n, const char *word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
  };
  out += "racelint: " + plural(counts[Level::Error], "error") + ", " +
         plural(counts[Level::Warning], "warning") + ", " +
         plural(counts[Level::Note], "note");
  if (suppressed)
    out += " (" + std::to_string(suppressed) + " suppressed)";
  out +=
      " in " + plural(static_cast<int>(input.scan.files.size()), "file") + "\n";
  return validUtf8(out); // a file name need not be UTF-8; a terminal wants it
}

std::string writeTextDiagnostics(const ReportInput &input) {
  std::string out;
  for (const Diagnostic &diagnostic : input.scan.diagnostics) {
    out += diagnostic.where.file;
    if (diagnostic.where.valid()) {
      out += ':';
      out += std::to_string(diagnostic.where.line);
      out += ':';
      out += std::to_string(diagnostic.where.column);
    }
    out += ": ";
    out += toString(diagnostic.level);
    out += ": " + diagnostic.message + " [" + diagnostic.code + "]\n";
  }
  return validUtf8(out);
}

} // namespace racelint
