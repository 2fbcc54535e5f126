#include "SourceFile.h"

#include "model/Utf8.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>

namespace racelint {
namespace {

bool isContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

/// Replaces every byte that is not part of valid UTF-8 with '?'; returns how
/// many were replaced and the offset of the first.
std::size_t repairUtf8(std::string &text, std::size_t &firstBad) {
  std::size_t replaced = 0;
  for (std::size_t at = 0; at < text.size();) {
    if (static_cast<unsigned char>(text[at]) < 0x80) {
      ++at; // ASCII, most of any source file
      continue;
    }
    std::size_t length = utf8SequenceLength(text, at);
    if (length == 0) {
      if (replaced++ == 0)
        firstBad = at;
      text[at++] = '?';
    } else {
      at += length;
    }
  }
  return replaced;
}

const char *specialFileKind(mode_t mode) {
  if (S_ISFIFO(mode))
    return "a named pipe (FIFO)";
  if (S_ISSOCK(mode))
    return "a socket";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISDIR(mode))
    return "a directory";
  return "a special file";
}

Diagnostic fileDiagnostic(Level level, std::string code, std::string message,
                          const std::string &path) {
  Diagnostic diagnostic;
  diagnostic.level = level;
  diagnostic.code = std::move(code);
  diagnostic.message = std::move(message);
  diagnostic.where.file = path;
  return diagnostic;
}

} // namespace

SourceFile::SourceFile(std::string displayPath, std::string text)
    : path_(std::move(displayPath)), text_(std::move(text)) {
  // Lines end at LF, CRLF, or a lone CR (classic Mac OS), as SARIF and
  // PostgreSQL's scanner count them.
  lineStarts_.push_back(0);
  for (std::size_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n' ||
        (text_[i] == '\r' && (i + 1 == text_.size() || text_[i + 1] != '\n')))
      lineStarts_.push_back(i + 1);
}

std::pair<unsigned, unsigned> SourceFile::position(std::size_t offset) const {
  offset = std::min(offset, text_.size());
  auto next = std::upper_bound(lineStarts_.begin(), lineStarts_.end(), offset);
  unsigned line = static_cast<unsigned>(next - lineStarts_.begin());
  std::size_t start = lineStarts_[line - 1];
  unsigned column = 1;
  for (std::size_t i = start; i < offset; ++i)
    if (!isContinuation(static_cast<unsigned char>(text_[i])))
      ++column;
  return {line, column};
}

SourceLocation SourceFile::span(std::size_t begin, std::size_t end) const {
  SourceLocation location;
  location.file = path_;
  std::tie(location.line, location.column) = position(begin);
  std::tie(location.endLine, location.endColumn) =
      position(std::max(begin, end));
  return location;
}

std::size_t SourceFile::lineStart(unsigned number) const {
  if (number == 0 || number > lineStarts_.size())
    return text_.size();
  return lineStarts_[number - 1];
}

std::string_view SourceFile::line(unsigned number) const {
  if (number == 0 || number > lineStarts_.size())
    return {};
  std::size_t start = lineStarts_[number - 1];
  std::size_t end =
      number < lineStarts_.size() ? lineStarts_[number] : text_.size();
  while (end > start && (text_[end - 1] == '\n' || text_[end - 1] == '\r'))
    --end;
  return std::string_view(text_).substr(start, end - start);
}

std::optional<SourceFile> readSourceFile(const std::string &fsPath,
                                         const std::string &displayPath,
                                         const ReadOptions &options,
                                         std::vector<Diagnostic> &diagnostics) {
  auto fail = [&](Level level, const char *code, std::string message) {
    diagnostics.push_back(
        fileDiagnostic(level, code, std::move(message), displayPath));
    return std::nullopt;
  };
  // A FIFO would block open() until someone writes to it, a device could
  // stream forever: only regular files are opened, and O_NONBLOCK guards
  // against one swapped in after the check.
  struct stat info {};
  if (::stat(fsPath.c_str(), &info) == 0 && !S_ISREG(info.st_mode))
    return fail(Level::Warning, "special-file",
                std::string("file skipped: it is ") +
                    specialFileKind(info.st_mode) + ", not a regular file");
  int fd = ::open(fsPath.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return fail(Level::Error, "unreadable-file",
                "cannot read file: " + std::string(std::strerror(errno)));
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return fail(Level::Warning, "special-file",
                std::string("file skipped: it is ") +
                    specialFileKind(info.st_mode) + ", not a regular file");
  }
  if (static_cast<std::size_t>(info.st_size) > options.maxBytes) {
    ::close(fd);
    return fail(Level::Warning, "file-too-large",
                "file skipped: it is " +
                    std::to_string(info.st_size / (1024 * 1024)) +
                    " MiB, over the " +
                    std::to_string(options.maxBytes / (1024 * 1024)) +
                    " MiB limit (--max-file-size)");
  }
  std::string text(static_cast<std::size_t>(info.st_size), '\0');
  std::size_t filled = 0;
  while (filled < text.size()) {
    ssize_t got = ::read(fd, text.data() + filled, text.size() - filled);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      int error = errno;
      ::close(fd);
      return fail(Level::Error, "unreadable-file",
                  "cannot read file: " + std::string(std::strerror(error)));
    }
    if (got == 0)
      break;
    filled += static_cast<std::size_t>(got);
  }
  ::close(fd);
  text.resize(filled);

  if (text.find('\0') != std::string::npos)
    return fail(Level::Warning, "binary-file",
                "file skipped: it contains NUL bytes, so it is not text");
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    // An empty `__init__.py` only marks a Python package: no news to report.
    if (std::filesystem::path(displayPath).filename() != "__init__.py")
      diagnostics.push_back(fileDiagnostic(Level::Note, "empty-file",
                                           "file is empty: nothing to analyse",
                                           displayPath));
    return SourceFile(displayPath, std::move(text));
  }
  std::size_t firstBad = 0;
  if (std::size_t replaced = repairUtf8(text, firstBad)) {
    SourceFile repaired(displayPath, std::move(text));
    Diagnostic diagnostic = fileDiagnostic(
        Level::Warning, "invalid-utf8",
        "file is not valid UTF-8: " + std::to_string(replaced) +
            " byte(s) were read as '?' and the rest was analysed",
        displayPath);
    diagnostic.where = repaired.span(firstBad, firstBad + 1);
    diagnostics.push_back(std::move(diagnostic));
    return repaired;
  }
  return SourceFile(displayPath, std::move(text));
}

} // namespace racelint
