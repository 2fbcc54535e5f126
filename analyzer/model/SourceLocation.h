#pragma once

#include <compare>
#include <string>

namespace racelint {

/// A span in a scanned file. Lines and columns are 1-based; the end column is
/// one past the last character, as SARIF regions define it. Paths are as the
/// engine names them (relative to the scan's base directory where possible).
struct SourceLocation {
  std::string file;
  unsigned line = 0;
  unsigned column = 0;
  unsigned endLine = 0;
  unsigned endColumn = 0;

  bool valid() const { return line != 0; }
  auto operator<=>(const SourceLocation &) const = default;
};

} // namespace racelint
