#pragma once

#include "engine/Driver.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace clang::tooling {
class CompilationDatabase;
}

namespace racelint {

/// How C and C++ files find their compile commands, as clang-tidy does.
struct CppOptions {
  /// Reports name files relative to this directory.
  std::string baseDirectory;
  /// `-p BUILD_DIR`: the directory holding compile_commands.json. Empty: the
  /// nearest one above each file (or in a `build/` directory beside it).
  std::string buildDirectory;
  /// `-- ARGS`: the compile arguments of every file, no database searched.
  std::optional<std::vector<std::string>> fixedArguments;
};

/// C and C++ on Clang LibTooling: each translation unit is parsed with its
/// compile command and lowered from the type-checked AST.
class CppFrontend : public Frontend {
public:
  explicit CppFrontend(CppOptions options);
  ~CppFrontend() override;
  bool handles(const std::string &path) const override;
  FileAnalysis analyze(const SourceFile &file) const override;
  FileAnalysis analyze(const SourceFile &file,
                       const std::string &fsPath) const override;

private:
  struct Database {
    std::shared_ptr<clang::tooling::CompilationDatabase> database;
    std::string error; // why the database named or found could not be read
    std::string where;
  };
  Database databaseFor(const std::string &absolutePath) const;

  CppOptions options_;
  mutable std::mutex mutex_;
  /// Databases found by directory (a null database: none there).
  mutable std::map<std::string, Database> databases_;
};

} // namespace racelint
