#include "ScanInput.h"

#include "Registry.h"
#include "report/Report.h"

#include <cstdio>
#include <cstdlib>
#include <sys/mman.h>
#include <unistd.h>

namespace racelint::fuzz {
namespace {

/// An anonymous in-memory file holding the current input, so that the
/// front-ends read it through readSourceFile without touching the disk.
class MemoryFile {
public:
  MemoryFile() : fd_(::memfd_create("racelint-fuzz-input", MFD_CLOEXEC)) {
    if (fd_ < 0) {
      std::perror("memfd_create");
      std::abort();
    }
  }
  ~MemoryFile() { ::close(fd_); }

  /// Replaces the contents; returns the path that opens them.
  std::string hold(const std::uint8_t *data, std::size_t size) {
    if (::ftruncate(fd_, 0) != 0 ||
        (size && ::pwrite(fd_, data, size, 0) != static_cast<ssize_t>(size))) {
      std::perror("writing the in-memory input");
      std::abort();
    }
    return "/proc/self/fd/" + std::to_string(fd_);
  }

private:
  int fd_;
};

} // namespace

void scanInput(const Frontend &frontend, const std::string &displayPath,
               const std::uint8_t *data, std::size_t size) {
  static const std::vector<std::unique_ptr<Rule>> rules = createBuiltinRules();
  static MemoryFile input;

  DiscoveredFile file{input.hold(data, size), displayPath};
  FileOutcome outcome = analyzeFile(file, frontend, ReadOptions{});
  for (const Diagnostic &diagnostic : outcome.analysis.diagnostics)
    if (diagnostic.code == "internal-error") {
      std::fprintf(stderr, "racelint fuzz: %s\n", diagnostic.message.c_str());
      std::abort();
    }

  ScanResult result;
  if (outcome.source)
    result.sources.emplace(displayPath, std::move(*outcome.source));
  result.files.push_back(std::move(outcome.analysis));
  buildSchemaAndCheck(result, rules);
  ReportInput report{result, rules, "fuzz"};
  writeText(report);
  writeTextDiagnostics(report);
  writeJson(report);
  writeModelJson(result);
  // SARIF's rule descriptors, the same for every input, cost more than the
  // rest of a run: written only when there are findings to place in it.
  if (!result.findings.empty())
    writeSarif(report);
}

} // namespace racelint::fuzz
