#pragma once

#include "Discovery.h"
#include "Rule.h"
#include "SourceFile.h"
#include "model/FileAnalysis.h"
#include "model/Schema.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace racelint {

/// A language front-end: turns one file into schema changes and units.
class Frontend {
public:
  virtual ~Frontend() = default;
  virtual bool handles(const std::string &path) const = 0;
  virtual FileAnalysis analyze(const SourceFile &file) const = 0;
  /// The same, knowing where the file is on disk: a front-end that reads more
  /// than the file itself (Clang reads its headers) needs it.
  virtual FileAnalysis analyze(const SourceFile &file,
                               const std::string &fsPath) const {
    (void)fsPath;
    return analyze(file);
  }
  /// The front-ends whose files declare handles (ModuleFacts::handles) lower
  /// a file again with those the project's index resolved for its names;
  /// the others are never asked to.
  virtual FileAnalysis analyzeWith(const SourceFile &file,
                                   const NameHandles *handles) const {
    (void)handles;
    return analyze(file);
  }
};

struct ScanOptions {
  std::vector<std::string> paths;
  /// Reports name files relative to this directory.
  std::string baseDirectory;
  unsigned jobs = 1;
  ReadOptions read;
  /// File and directory names not entered while walking directories.
  std::vector<std::string> excludedNames = defaultExcludedNames();
  /// Each file is analysed in a worker process, so that a crash, a hang or
  /// runaway memory costs that file only (an `analysis-failed` error).
  bool isolateFiles = true;
  /// Seconds one file's analysis may take (0: no limit), with isolateFiles.
  unsigned fileTimeoutSeconds = 60;
  /// MiB of heap a worker may use (0: no limit), with isolateFiles.
  std::size_t maxMemoryMiB = 4096;
};

struct ScanResult {
  Schema schema;
  std::vector<FileAnalysis> files;
  /// Input problems, sorted by file and position.
  std::vector<Diagnostic> diagnostics;
  /// Sorted by file, position and rule; suppressed ones included (marked).
  std::vector<Finding> findings;
  /// The text of every analysed file, by display path (for snippets).
  std::map<std::string, SourceFile> sources;
  bool missingPath = false;
};

/// One file as a scan analyses it: read (binary and size checks, UTF-8
/// repair), then analysed by `frontend`, a front-end's exception becoming an
/// `internal-error` diagnostic. No source when the file could not be read.
struct FileOutcome {
  std::optional<SourceFile> source;
  FileAnalysis analysis;
};
FileOutcome analyzeFile(const DiscoveredFile &file, const Frontend &frontend,
                        const ReadOptions &readOptions,
                        const NameHandles *handles = nullptr);

/// Discovers, reads and analyses the files in parallel, builds the schema in
/// migration order and runs the rules. Never throws for bad input: every
/// problem becomes a diagnostic and the rest of the scan goes on.
ScanResult scan(const ScanOptions &options,
                const std::vector<std::unique_ptr<Frontend>> &frontends,
                const std::vector<std::unique_ptr<Rule>> &rules);

/// Runs the rules over an already analysed set of files (also used by tests).
void buildSchemaAndCheck(ScanResult &result,
                         const std::vector<std::unique_ptr<Rule>> &rules);

} // namespace racelint
