#pragma once

// Writes JSON as it goes, in the layout of nlohmann::json's dump(2): a SARIF
// log of thousands of results is written in one pass, without building the
// document in memory first (which took most of the time of writing it).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace racelint {

class JsonWriter {
public:
  explicit JsonWriter(std::string &out) : out_(out) {}

  void beginObject() { open('{'); }
  void endObject() { close('}'); }
  void beginArray() { open('['); }
  void endArray() { close(']'); }
  /// The key of the next value, in an object.
  void key(std::string_view name);
  void value(std::string_view text);
  void value(const char *text) { value(std::string_view(text)); }
  void value(std::uint64_t number);
  void value(bool flag);

  /// `key` then `value`, for the common case.
  template <typename T> void member(std::string_view name, const T &item) {
    key(name);
    value(item);
  }

private:
  void open(char bracket);
  void close(char bracket);
  /// What goes before a value: nothing after a key, else a separator and the
  /// new line's indentation.
  void startValue();
  void newLine();
  void string(std::string_view text);

  std::string &out_;
  /// Per open object or array: whether it has a member yet.
  std::vector<bool> filled_;
  bool afterKey_ = false;
};

} // namespace racelint
