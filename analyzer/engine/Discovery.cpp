#include "Discovery.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>
#include <string_view>
#include <sys/stat.h>
#include <system_error>

namespace fs = std::filesystem;

namespace racelint {
namespace {

Diagnostic pathDiagnostic(Level level, std::string code, std::string message,
                          const std::string &path) {
  Diagnostic diagnostic;
  diagnostic.level = level;
  diagnostic.code = std::move(code);
  diagnostic.message = std::move(message);
  diagnostic.where.file = path;
  return diagnostic;
}

class Walker {
public:
  Walker(const std::string &base,
         const std::function<bool(const std::string &)> &wanted,
         const std::vector<std::string> &excludedNames, DiscoveryResult &result)
      : base_(base), wanted_(wanted),
        excluded_(excludedNames.begin(), excludedNames.end()), result_(result) {
  }

  void walkRoot(const std::string &path) {
    std::error_code error;
    fs::file_status status = fs::status(path, error);
    if (error) {
      bool missing = error == std::errc::no_such_file_or_directory &&
                     !fs::is_symlink(fs::symlink_status(path, error));
      if (missing) {
        result_.missingPath = true;
        report(Level::Error, "missing-path", "path does not exist", path);
      } else {
        reportStatusError(path, error);
      }
      return;
    }
    if (fs::is_directory(status)) {
      walkDirectory(path);
    } else if (wanted_(path)) {
      add(path);
    } else {
      report(Level::Note, "unsupported-file",
             "file skipped: no front-end analyses this kind of file", path);
    }
  }

private:
  void walkDirectory(const fs::path &directory) {
    // A directory is known by its device and inode: one stat, where its
    // canonical path costs one per component.
    struct stat info {};
    if (::stat(directory.c_str(), &info) != 0) {
      reportStatusError(directory.string(),
                        std::error_code(errno, std::generic_category()));
      return;
    }
    DirectoryId id{info.st_dev, info.st_ino};
    auto open =
        std::find_if(stack_.begin(), stack_.end(),
                     [&](const auto &entry) { return entry.first == id; });
    if (open != stack_.end()) {
      report(Level::Warning, "symlink-loop",
             "directory link not followed: it leads back to " +
                 displayPathFor(open->second.string(), base_) +
                 ", which is already being scanned (a symbolic link loop)",
             directory.string());
      return;
    }
    if (!visited_.insert(id).second)
      return; // reached again through another link; its files are listed
    stack_.emplace_back(id, directory);

    std::vector<fs::directory_entry> entries;
    std::error_code error;
    fs::directory_iterator it(directory, error);
    if (error) {
      report(Level::Error, "unreadable-directory",
             "cannot read directory: " + error.message(), directory.string());
    }
    for (; !error && it != fs::directory_iterator(); it.increment(error))
      entries.push_back(*it);
    std::sort(entries.begin(), entries.end(),
              [](const fs::directory_entry &a, const fs::directory_entry &b) {
                return a.path().native() < b.path().native();
              });

    for (const fs::directory_entry &entry : entries) {
      std::string name = entry.path().filename().string();
      // The entry's type comes with the listing; only a link needs a stat.
      std::error_code statusError;
      bool isDirectory = entry.is_directory(statusError);
      if (statusError) {
        // Broken links are common and harmless unless they name a wanted file.
        if (statusError != std::errc::no_such_file_or_directory ||
            wanted_(entry.path().string()))
          reportStatusError(entry.path().string(), statusError);
        continue;
      }
      if (excluded_.count(name))
        continue;
      if (isDirectory) {
        if (name.starts_with("."))
          continue;
        walkDirectory(entry.path());
      } else if (wanted_(entry.path().string())) {
        add(entry.path().string());
      }
    }
    stack_.pop_back();
  }

  void add(const std::string &path) {
    result_.files.push_back({path, displayPathFor(path, base_)});
  }

  void reportStatusError(const std::string &path,
                         const std::error_code &error) {
    if (error == std::errc::too_many_symbolic_link_levels)
      report(Level::Error, "symlink-loop",
             "cannot read path: it is a symbolic link loop", path);
    else
      report(Level::Error, "unreadable-path",
             "cannot read path: " + error.message(), path);
  }

  void report(Level level, const char *code, std::string message,
              const std::string &path) {
    result_.diagnostics.push_back(pathDiagnostic(
        level, code, std::move(message), displayPathFor(path, base_)));
  }

  std::string base_;
  const std::function<bool(const std::string &)> &wanted_;
  std::set<std::string> excluded_;
  DiscoveryResult &result_;
  using DirectoryId = std::pair<dev_t, ino_t>;
  /// The directories being walked, outermost first, with their paths.
  std::vector<std::pair<DirectoryId, fs::path>> stack_;
  std::set<DirectoryId> visited_;
};

} // namespace

namespace {

/// `path` names a file below `base` with no `.`, `..` or empty component:
/// what is left after `base/` is already its display path.
std::optional<std::string_view> plainRelative(std::string_view path,
                                              std::string_view base) {
  if (base.empty() || base.front() != '/' || base.back() == '/' ||
      !path.starts_with(base) || path.size() <= base.size() + 1 ||
      path[base.size()] != '/')
    return std::nullopt;
  std::string_view rest = path.substr(base.size() + 1);
  for (std::string_view left = rest;;) {
    std::size_t slash = left.find('/');
    std::string_view component = left.substr(0, slash);
    if (component.empty() || component == "." || component == "..")
      return std::nullopt;
    if (slash == std::string_view::npos)
      return rest;
    left.remove_prefix(slash + 1);
  }
}

} // namespace

std::string displayPathFor(const std::string &path, const std::string &base) {
  if (std::optional<std::string_view> rest = plainRelative(path, base))
    return std::string(*rest);
  fs::path absolute = fs::absolute(path).lexically_normal();
  fs::path relative = absolute.lexically_relative(base);
  if (relative.empty() || *relative.begin() == "..")
    return absolute.generic_string();
  return relative.generic_string();
}

const std::vector<std::string> &defaultExcludedNames() {
  static const std::vector<std::string> names = {
      "node_modules", "dist", "build", "out", "coverage", "__pycache__"};
  return names;
}

DiscoveryResult
discoverFiles(const std::vector<std::string> &paths,
              const std::string &baseDirectory,
              const std::function<bool(const std::string &)> &wanted,
              const std::vector<std::string> &excludedNames) {
  DiscoveryResult result;
  Walker walker(baseDirectory, wanted, excludedNames, result);
  for (const std::string &path : paths)
    walker.walkRoot(path);
  std::sort(result.files.begin(), result.files.end(),
            [](const DiscoveredFile &a, const DiscoveredFile &b) {
              return a.displayPath < b.displayPath;
            });
  result.files.erase(
      std::unique(result.files.begin(), result.files.end(),
                  [](const DiscoveredFile &a, const DiscoveredFile &b) {
                    return a.displayPath == b.displayPath;
                  }),
      result.files.end());
  return result;
}

} // namespace racelint
