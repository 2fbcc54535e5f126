#pragma once

#include "model/FileAnalysis.h"

#include <llvm/ADT/StringRef.h>

#include <string>

namespace clang {
class ASTContext;
}

namespace racelint {

struct CppModel;

/// How the files of one translation unit are named in reports.
struct PathNames {
  std::string baseDirectory;
  /// Relative paths in the compile command are relative to this.
  std::string compileDirectory;
  std::string mainAbsolutePath, mainDisplayPath;

  std::string display(llvm::StringRef path) const;
};

/// Lowers the functions, methods and handler lambdas a translation unit
/// defines outside system headers to units of the program model.
void lowerTranslationUnit(clang::ASTContext &context, const CppModel &model,
                          const PathNames &names, FileAnalysis &analysis);

} // namespace racelint
