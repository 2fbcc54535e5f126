#pragma once

// ES modules of the scan (TypeScript, JavaScript): which file an import
// specifier names, as TypeScript's resolver finds it (relative paths with
// their extensions and index files, tsconfig.json `paths` and `baseUrl`),
// and what a name of a file's scope gives through its imports and the
// exports of the modules they name (HandleFact).

#include "model/Diagnostics.h"
#include "model/FileAnalysis.h"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace racelint {

class EsModules {
public:
  /// `baseDirectory` is where the files' display paths start, for reading
  /// the tsconfig.json (or jsconfig.json) files above them.
  EsModules(const std::vector<FileAnalysis> &files,
            const std::string &baseDirectory);

  /// The file that `specifier`, imported by file `from`, names; nullopt for
  /// a package outside the scan.
  std::optional<std::size_t> resolve(std::size_t from,
                                     const std::string &specifier) const;

  /// Per file, the handles of the names it consulted (ModuleFacts::assumed)
  /// that the index knows better; empty for a file with nothing to learn.
  std::vector<NameHandles> learnedHandles() const;

  /// Configurations that could not be read (a note each).
  const std::vector<Diagnostic> &diagnostics() const { return diagnostics_; }

private:
  /// `paths` of one tsconfig.json: pattern -> targets, relative to the scan.
  struct PathMapping {
    std::optional<std::string> baseUrl; // bare specifiers start there
    std::vector<std::pair<std::string, std::vector<std::string>>> paths;
  };

  /// The nearest configuration at or above `directory`, read once.
  const PathMapping *mappingFor(const std::string &directory);
  std::optional<PathMapping>
  readConfig(const std::string &file, const std::string &directory, int depth);
  std::optional<std::size_t> fileAt(const std::string &path) const;
  /// What `name` of `file`'s scope gives as `of`: a known handle.
  std::optional<HandleFact> handle(std::size_t file, const std::string &name,
                                   HandleFact::Of of, int depth) const;
  std::optional<HandleFact> exported(std::size_t file, const std::string &name,
                                     HandleFact::Of of, int depth) const;

  const std::vector<FileAnalysis> &files_;
  std::string baseDirectory_;
  std::map<std::string, std::size_t> byPath_;
  /// Per directory, the nearest configuration's mapping (none: nullopt),
  /// and per scanned ES module, its directory's.
  std::map<std::string, std::optional<PathMapping>> mappings_;
  std::vector<const PathMapping *> fileMappings_;
  std::vector<Diagnostic> diagnostics_;
  /// fileAt()'s answers: every import of a module asks again.
  mutable std::map<std::string, std::optional<std::size_t>> filesAt_;
};

} // namespace racelint
