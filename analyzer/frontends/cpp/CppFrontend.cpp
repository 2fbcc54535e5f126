// The C/C++ front-end: finds each translation unit's compile command, runs
// Clang on it (LibTooling) and lowers the AST (CppLowering.cpp).

#include "CppFrontend.h"

#include "CppLowering.h"
#include "frontends/FrameworkModels.h"

#include <clang/AST/ASTConsumer.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/DiagnosticLex.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Tooling/CompilationDatabase.h>
#include <clang/Tooling/JSONCompilationDatabase.h>
#include <clang/Tooling/Tooling.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/VirtualFileSystem.h>

#include <algorithm>
#include <filesystem>

namespace racelint {
namespace {

namespace fs = std::filesystem;
using clang::tooling::CompilationDatabase;
using clang::tooling::CompileCommand;

constexpr unsigned kMaxCompileErrors = 10;

bool isCFile(const std::string &path) {
  return fs::path(path).extension() == ".c";
}

/// Collects Clang's errors as diagnostics; warnings are the compiler's
/// business, not ours.
class ErrorCollector : public clang::DiagnosticConsumer {
public:
  explicit ErrorCollector(const PathNames &names) : names_(names) {}

  void HandleDiagnostic(clang::DiagnosticsEngine::Level level,
                        const clang::Diagnostic &info) override {
    DiagnosticConsumer::HandleDiagnostic(level, info);
    if (level < clang::DiagnosticsEngine::Error)
      return;
    if (++errors_ > kMaxCompileErrors)
      return;
    llvm::SmallString<256> text;
    info.FormatDiagnostic(text);
    Diagnostic diagnostic;
    diagnostic.level = Level::Warning;
    diagnostic.code = "compile-error";
    diagnostic.message = "compile error (the rest of the file is analysed as "
                         "Clang recovered it): " +
                         std::string(text.str());
    if (info.hasSourceManager() && info.getLocation().isValid()) {
      const clang::SourceManager &sources = info.getSourceManager();
      clang::SourceLocation at = sources.getFileLoc(info.getLocation());
      clang::PresumedLoc presumed = sources.getPresumedLoc(at);
      if (presumed.isValid()) {
        diagnostic.where.file = names_.display(presumed.getFilename());
        diagnostic.where.line = presumed.getLine();
        diagnostic.where.column = presumed.getColumn();
      }
    }
    if (diagnostic.where.file.empty()) {
      // No place in the code: the compile command itself (a GCC-only flag).
      diagnostic.where.file = names_.mainDisplayPath;
      diagnostic.message =
          "Clang does not accept the compile command as it is: " +
          std::string(text.str());
    }
    diagnostics.push_back(std::move(diagnostic));
  }

  void summarize() {
    if (errors_ <= kMaxCompileErrors)
      return;
    Diagnostic more;
    more.level = Level::Warning;
    more.code = "compile-error";
    more.message = std::to_string(errors_ - kMaxCompileErrors) +
                   " more compile errors not listed";
    more.where.file = names_.mainDisplayPath;
    diagnostics.push_back(std::move(more));
  }

  std::vector<Diagnostic> diagnostics;

private:
  const PathNames &names_;
  unsigned errors_ = 0;
};

class LowerConsumer : public clang::ASTConsumer {
public:
  LowerConsumer(const PathNames &names, FileAnalysis &analysis, bool &parsed)
      : names_(names), analysis_(analysis), parsed_(parsed) {}
  void HandleTranslationUnit(clang::ASTContext &context) override {
    parsed_ = true;
    lowerTranslationUnit(context, builtinModels().cpp, names_, analysis_);
  }

private:
  const PathNames &names_;
  FileAnalysis &analysis_;
  bool &parsed_;
};

class LowerAction : public clang::ASTFrontendAction {
public:
  LowerAction(const PathNames &names, FileAnalysis &analysis, bool &parsed)
      : names_(names), analysis_(analysis), parsed_(parsed) {}

  bool BeginSourceFileAction(clang::CompilerInstance &compiler) override {
    // A missing header is fatal to Clang, which then skips every later
    // #include: the rest of the file would lose its library types too.
    compiler.getDiagnostics().setSeverity(clang::diag::err_pp_file_not_found,
                                          clang::diag::Severity::Error, {});
    return true;
  }

  std::unique_ptr<clang::ASTConsumer>
  CreateASTConsumer(clang::CompilerInstance &, llvm::StringRef) override {
    return std::make_unique<LowerConsumer>(names_, analysis_, parsed_);
  }

private:
  const PathNames &names_;
  FileAnalysis &analysis_;
  bool &parsed_;
};

/// Lowers what Clang parses; `parsed` says whether it got that far.
class LowerActionFactory : public clang::tooling::FrontendActionFactory {
public:
  LowerActionFactory(const PathNames &names, FileAnalysis &analysis,
                     bool &parsed)
      : names_(names), analysis_(analysis), parsed_(parsed) {}
  std::unique_ptr<clang::FrontendAction> create() override {
    return std::make_unique<LowerAction>(names_, analysis_, parsed_);
  }

private:
  const PathNames &names_;
  FileAnalysis &analysis_;
  bool &parsed_;
};

Diagnostic fileDiagnostic(const std::string &file, Level level,
                          const std::string &code, const std::string &message) {
  Diagnostic diagnostic;
  diagnostic.level = level;
  diagnostic.code = code;
  diagnostic.message = message;
  diagnostic.where.file = file;
  return diagnostic;
}

/// The compile command Clang would use for a file that no database knows.
CompileCommand defaultCommand(const std::string &path,
                              const std::vector<std::string> &extra) {
  CompileCommand command;
  command.Directory = fs::path(path).parent_path().string();
  command.Filename = path;
  command.CommandLine = {isCFile(path) ? "clang" : "clang++"};
  if (extra.empty())
    command.CommandLine.push_back(isCFile(path) ? "-std=c11" : "-std=c++17");
  command.CommandLine.insert(command.CommandLine.end(), extra.begin(),
                             extra.end());
  command.CommandLine.push_back(path);
  return command;
}

/// A database of exactly one command, for ClangTool.
class OneCommand : public CompilationDatabase {
public:
  explicit OneCommand(CompileCommand command) : command_(std::move(command)) {}
  std::vector<CompileCommand>
  getCompileCommands(llvm::StringRef) const override {
    return {command_};
  }

private:
  CompileCommand command_;
};

} // namespace

std::string PathNames::display(llvm::StringRef path) const {
  llvm::SmallString<256> absolute(path);
  llvm::sys::fs::make_absolute(compileDirectory, absolute);
  llvm::sys::path::remove_dots(absolute, /*remove_dot_dot=*/true);
  std::string text = absolute.str().str();
  if (text == mainAbsolutePath)
    return mainDisplayPath;
  return displayPathFor(text, baseDirectory);
}

CppFrontend::CppFrontend(CppOptions options) : options_(std::move(options)) {
  if (options_.baseDirectory.empty())
    options_.baseDirectory = fs::current_path().string();
}
CppFrontend::~CppFrontend() = default;

bool CppFrontend::handles(const std::string &path) const {
  static const std::vector<std::string> extensions = {".c",   ".cc",  ".cpp",
                                                      ".cxx", ".c++", ".C"};
  std::string extension = fs::path(path).extension().string();
  return std::find(extensions.begin(), extensions.end(), extension) !=
         extensions.end();
}

FileAnalysis CppFrontend::analyze(const SourceFile &file) const {
  return analyze(file, file.path());
}

/// The compile database for a file: the one `-p` names, or the nearest
/// compile_commands.json (or compile_flags.txt) in its directory, a
/// `build/` directory beside it, or a parent, as clangd looks.
CppFrontend::Database
CppFrontend::databaseFor(const std::string &absolutePath) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto load = [&](const std::string &directory) -> const Database & {
    auto found = databases_.find(directory);
    if (found != databases_.end())
      return found->second;
    Database database;
    database.where = directory;
    std::string error;
    fs::path json = fs::path(directory) / "compile_commands.json";
    fs::path flags = fs::path(directory) / "compile_flags.txt";
    if (fs::exists(json)) {
      // As clangd: files the build does not list (headers, new files)
      // borrow the command of the most similar one.
      if (auto loaded = clang::tooling::JSONCompilationDatabase::loadFromFile(
              json.string(), error,
              clang::tooling::JSONCommandLineSyntax::AutoDetect))
        database.database = clang::tooling::inferTargetAndDriverMode(
            clang::tooling::inferMissingCompileCommands(std::move(loaded)));
    } else if (fs::exists(flags)) {
      database.database =
          clang::tooling::FixedCompilationDatabase::loadFromFile(flags.string(),
                                                                 error);
    } else if (!options_.buildDirectory.empty()) {
      error = "no compile_commands.json there";
    }
    if (!database.database)
      database.error = error;
    return databases_.emplace(directory, std::move(database)).first->second;
  };
  if (!options_.buildDirectory.empty())
    return load(fs::absolute(options_.buildDirectory).lexically_normal());
  for (fs::path directory = fs::path(absolutePath).parent_path();;
       directory = directory.parent_path()) {
    for (const fs::path &candidate : {directory, directory / "build"}) {
      const Database &database = load(candidate.string());
      if (database.database || !database.error.empty())
        return database;
    }
    if (directory == directory.root_path() || directory.empty())
      return {};
  }
}

FileAnalysis CppFrontend::analyze(const SourceFile &file,
                                  const std::string &fsPath) const {
  FileAnalysis analysis;
  std::string absolutePath = fs::absolute(fsPath).lexically_normal().string();

  CompileCommand command;
  if (options_.fixedArguments) {
    command = defaultCommand(absolutePath, *options_.fixedArguments);
    command.Directory = fs::current_path().string();
  } else {
    Database database = databaseFor(absolutePath);
    std::vector<CompileCommand> commands;
    if (database.database)
      commands = database.database->getCompileCommands(absolutePath);
    if (!commands.empty()) {
      command = commands.front();
    } else {
      std::string why =
          !database.error.empty()
              ? "cannot read the compile database in " +
                    displayPathFor(database.where, options_.baseDirectory) +
                    ": " + database.error
          : database.database
              ? "the compile database in " +
                    displayPathFor(database.where, options_.baseDirectory) +
                    " has no command for it"
              : "no compile_commands.json found in its directory or above "
                "(pass -p BUILD_DIR, or -- ARGS)";
      analysis.diagnostics.push_back(fileDiagnostic(
          file.path(), Level::Warning, "no-compile-command",
          why + "; analysed with default flags (" +
              (isCFile(absolutePath) ? "-std=c11" : "-std=c++17") + ")"));
      command = defaultCommand(absolutePath, {});
    }
  }
  // Clang finds its builtin headers (stddef.h, ...) in its resource
  // directory, which LibTooling would look for beside our executable.
  command.CommandLine.insert(command.CommandLine.begin() + 1,
                             "-resource-dir=" RACELINT_CLANG_RESOURCE_DIR);
  // No warnings (the compiler's business), every error (a limit would end
  // in a fatal error that stops the parse), and no error count on stderr.
  for (const char *argument :
       {"-w", "-ferror-limit=0", "-fno-caret-diagnostics"})
    command.CommandLine.insert(command.CommandLine.begin() + 1, argument);

  PathNames names;
  names.baseDirectory = options_.baseDirectory;
  names.compileDirectory = command.Directory;
  names.mainAbsolutePath = absolutePath;
  names.mainDisplayPath = file.path();

  OneCommand database(command);
  // A file system of its own, so that the compile directory is never the
  // process's: translation units are analysed in parallel.
  clang::tooling::ClangTool tool(
      database, {absolutePath},
      std::make_shared<clang::PCHContainerOperations>(),
      llvm::vfs::createPhysicalFileSystem());
  tool.mapVirtualFile(absolutePath, file.text());
  tool.setPrintErrorMessage(false);
  ErrorCollector errors(names);
  tool.setDiagnosticConsumer(&errors);
  bool parsed = false;
  LowerActionFactory factory(names, analysis, parsed);
  tool.run(&factory);
  errors.summarize();
  analysis.diagnostics.insert(analysis.diagnostics.end(),
                              errors.diagnostics.begin(),
                              errors.diagnostics.end());
  if (!parsed)
    analysis.diagnostics.push_back(fileDiagnostic(
        file.path(), Level::Error, "parse-error",
        "file not analysed: Clang could not run its compile command"));
  return analysis;
}

} // namespace racelint
