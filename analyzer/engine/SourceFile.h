#pragma once

#include "model/Diagnostics.h"
#include "model/SourceLocation.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace racelint {

/// A file's text with a line index, for turning byte offsets into positions.
class SourceFile {
public:
  SourceFile(std::string displayPath, std::string text);

  const std::string &path() const { return path_; }
  const std::string &text() const { return text_; }
  unsigned lineCount() const { return lineStarts_.size(); }
  /// 1-based line and column (in Unicode code points) of a byte offset.
  std::pair<unsigned, unsigned> position(std::size_t offset) const;
  /// The location spanning bytes [begin, end).
  SourceLocation span(std::size_t begin, std::size_t end) const;
  /// The text of a 1-based line, without its line break.
  std::string_view line(unsigned number) const;
  std::size_t lineStart(unsigned number) const;

private:
  std::string path_;
  std::string text_;
  std::vector<std::size_t> lineStarts_;
};

struct ReadOptions {
  std::size_t maxBytes = 10 * 1024 * 1024;
};

/// Reads a file for analysis. Returns no file, and explains why in
/// `diagnostics`, for anything that cannot be analysed (unreadable, binary,
/// too large); invalid UTF-8 is repaired (each bad byte becomes '?') with a
/// diagnostic, so that offsets keep their meaning.
std::optional<SourceFile> readSourceFile(const std::string &fsPath,
                                         const std::string &displayPath,
                                         const ReadOptions &options,
                                         std::vector<Diagnostic> &diagnostics);

} // namespace racelint
