#include "JsonWriter.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace racelint {

void JsonWriter::newLine() {
  out_ += '\n';
  out_.append(2 * filled_.size(), ' ');
}

void JsonWriter::startValue() {
  if (afterKey_) {
    afterKey_ = false;
    return;
  }
  if (filled_.empty())
    return;
  if (filled_.back())
    out_ += ',';
  filled_.back() = true;
  newLine();
}

void JsonWriter::open(char bracket) {
  startValue();
  out_ += bracket;
  filled_.push_back(false);
}

void JsonWriter::close(char bracket) {
  bool filled = filled_.back();
  filled_.pop_back();
  if (filled)
    newLine();
  out_ += bracket;
}

void JsonWriter::key(std::string_view name) {
  startValue();
  string(name);
  out_ += ": ";
  afterKey_ = true;
}

void JsonWriter::value(std::string_view text) {
  startValue();
  string(text);
}

void JsonWriter::value(std::uint64_t number) {
  startValue();
  out_ += std::to_string(number);
}

void JsonWriter::value(bool flag) {
  startValue();
  out_ += flag ? "true" : "false";
}

void JsonWriter::string(std::string_view text) {
  bool plain = true;
  for (unsigned char c : text)
    if (c >= 0x80) {
      plain = false;
      break;
    }
  if (!plain) {
    // UTF-8, and what to replace when it is not: nlohmann's own rules.
    out_ += nlohmann::json(std::string(text))
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out_ += '"';
  for (char c : text) {
    switch (c) {
    case '"':
      out_ += "\\\"";
      break;
    case '\\':
      out_ += "\\\\";
      break;
    case '\b':
      out_ += "\\b";
      break;
    case '\f':
      out_ += "\\f";
      break;
    case '\n':
      out_ += "\\n";
      break;
    case '\r':
      out_ += "\\r";
      break;
    case '\t':
      out_ += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char escaped[7];
        std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
        out_ += escaped;
      } else {
        out_ += c;
      }
    }
  }
  out_ += '"';
}

} // namespace racelint
