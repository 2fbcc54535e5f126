#include "Program.h"

#include <charconv>

namespace racelint {

namespace {

/// What a key value can be told apart from: an input or a literal from
/// another of its kind, what a call passed from what the same call passed;
/// empty when nothing.
std::string_view comparableKind(std::string_view value) {
  if (value.empty())
    return {};
  switch (value.front()) {
  case '$':
  case '^':
    return "input";
  case '=':
    return "literal";
  case '@':
    return value.substr(0, value.find('|'));
  case '#':
    return value.substr(0, value.find('.'));
  default:
    return {};
  }
}

} // namespace

std::string parameterOrigin(unsigned position) {
  std::string origin = "$";
  origin += std::to_string(position);
  return origin;
}

std::string literalOrigin(std::string_view text) {
  std::string origin = "=";
  origin += text;
  return origin;
}

std::string requestOrigin(std::string_view name) {
  std::string origin = "^";
  origin += name;
  return origin;
}

std::optional<ParameterPath> parameterOfOrigin(const std::string &origin) {
  ParameterPath parsed;
  if (origin.empty() || origin[0] != '$')
    return std::nullopt;
  const char *end = origin.data() + origin.size();
  auto [digitsEnd, error] =
      std::from_chars(origin.data() + 1, end, parsed.parameter);
  if (error != std::errc())
    return std::nullopt;
  parsed.path.assign(digitsEnd, end);
  return parsed;
}

std::string readOrigin(EventIndex read) {
  std::string origin = "#";
  origin += std::to_string(read);
  return origin;
}

std::optional<EventIndex> readOfOrigin(const std::string &origin) {
  EventIndex read = 0;
  if (origin.empty() || origin[0] != '#' ||
      std::from_chars(origin.data() + 1, origin.data() + origin.size(), read)
              .ec != std::errc())
    return std::nullopt;
  return read;
}

std::string withRead(const std::string &origin, EventIndex read) {
  std::size_t end = origin.find('.');
  return readOrigin(read) +
         (end == std::string::npos ? std::string() : origin.substr(end));
}

std::string passedOrigin(const SourceLocation &site,
                         const std::string &origin) {
  std::string passed = "@";
  passed += site.file;
  passed += ':';
  passed += std::to_string(site.line);
  passed += ':';
  passed += std::to_string(site.column);
  passed += '|';
  passed += origin;
  return passed;
}

bool differentValues(const std::string &a, const std::string &b) {
  std::string_view kind = comparableKind(a);
  return !kind.empty() && kind == comparableKind(b) && a != b;
}

bool isWrite(EventKind kind) {
  return kind == EventKind::Insert || kind == EventKind::Update ||
         kind == EventKind::Delete || kind == EventKind::Upsert;
}

bool isDataEvent(EventKind kind) {
  return kind == EventKind::Read || isWrite(kind);
}

const char *toString(EventKind kind) {
  switch (kind) {
  case EventKind::Read:
    return "read";
  case EventKind::Insert:
    return "insert";
  case EventKind::Update:
    return "update";
  case EventKind::Delete:
    return "delete";
  case EventKind::Upsert:
    return "upsert";
  case EventKind::TxBegin:
    return "transaction begin";
  case EventKind::TxEnd:
    return "transaction end";
  case EventKind::Lock:
    return "lock";
  case EventKind::ExternalEffect:
    return "external effect";
  case EventKind::HeaderRead:
    return "header read";
  case EventKind::Call:
    return "call";
  }
  return "event";
}

} // namespace racelint
