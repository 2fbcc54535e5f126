#pragma once

#include "model/Diagnostics.h"

#include <functional>
#include <string>
#include <vector>

namespace racelint {

struct DiscoveredFile {
  std::string fsPath;
  /// Relative to the base directory when under it; how reports name it.
  std::string displayPath;
};

struct DiscoveryResult {
  std::vector<DiscoveredFile> files; // sorted by display path, no duplicates
  std::vector<Diagnostic> diagnostics;
  bool missingPath = false; // a path named on the command line does not exist
};

/// Directory names skipped by default: dependencies and build output.
const std::vector<std::string> &defaultExcludedNames();

/// Walks the given paths. Directories are searched recursively, skipping
/// hidden directories and entries named in `excludedNames` (the paths named
/// themselves are always walked); directory links are followed unless they
/// lead back into a directory already being walked (a loop, reported).
/// `wanted` decides which files a front-end analyses; a file named explicitly
/// that no front-end wants is reported rather than dropped.
DiscoveryResult discoverFiles(
    const std::vector<std::string> &paths, const std::string &baseDirectory,
    const std::function<bool(const std::string &)> &wanted,
    const std::vector<std::string> &excludedNames = defaultExcludedNames());

/// `path` relative to `base` when it lies below it, otherwise unchanged.
std::string displayPathFor(const std::string &path, const std::string &base);

} // namespace racelint
