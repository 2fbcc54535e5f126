// The C/C++ front-end on the inputs a build gives it: no compile database,
// a broken one, `-p` and `--`, compile errors, missing headers, headers
// shared by translation units, and a huge translation unit.

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <sstream>

using namespace racelint;
using racelint::testing::countRule;
using racelint::testing::findDiagnostic;
using racelint::testing::scanWithBuiltins;
using racelint::testing::TempDirectory;

namespace {

// A row lock through a nontransaction: one RL501, found only when Clang
// resolves the libpqxx types (the real Debian headers).
const char *const kLockOutsideTransaction = R"(#include <pqxx/pqxx>

long balance(pqxx::connection &db, long id) {
  pqxx::nontransaction tx{db};
  return tx.exec_params1("SELECT balance FROM accounts WHERE id = $1 FOR UPDATE", id)[0].as<long>();
}
)";

ScanResult scanDirectory(const TempDirectory &directory, CppOptions cpp = {},
                         unsigned jobs = 1) {
  return scanWithBuiltins({directory.path().string()},
                          directory.path().string(), jobs, std::move(cpp));
}

std::string compileDatabase(const TempDirectory &directory,
                            const std::string &file, const std::string &flags) {
  return R"([{"directory": ")" + directory.path().string() +
         R"(", "command": "c++ -std=c++17 )" + flags + " -c " + file +
         R"(", "file": ")" + file + R"("}])";
}

TEST(CppFrontend, WithoutCompileDatabaseAnalysesWithDefaultFlags) {
  TempDirectory directory;
  directory.write("src/accounts.cpp", kLockOutsideTransaction);
  ScanResult result = scanDirectory(directory);
  const Diagnostic *missing = findDiagnostic(result, "no-compile-command");
  ASSERT_NE(missing, nullptr);
  EXPECT_NE(missing->message.find("-p BUILD_DIR"), std::string::npos);
  EXPECT_EQ(countRule(result, "RL501"), 1);
}

TEST(CppFrontend, BrokenCompileDatabaseIsReportedAndTheFileStillAnalysed) {
  TempDirectory directory;
  directory.write("compile_commands.json", "[{\"directory\": ");
  directory.write("accounts.cpp", kLockOutsideTransaction);
  ScanResult result = scanDirectory(directory);
  const Diagnostic *broken = findDiagnostic(result, "no-compile-command");
  ASSERT_NE(broken, nullptr);
  EXPECT_NE(broken->message.find("cannot read the compile database"),
            std::string::npos);
  EXPECT_EQ(countRule(result, "RL501"), 1);
}

// The SQL takes its lock only when the build defines LOCKED: the finding
// shows which flags the file was compiled with.
const char *const kLockedByMacro = R"(#include <pqxx/pqxx>
#ifdef LOCKED
#define LOCK " FOR UPDATE"
#else
#define LOCK ""
#endif

long balance(pqxx::connection &db, long id) {
  pqxx::nontransaction tx{db};
  return tx.exec_params1(std::string("SELECT balance FROM accounts WHERE id = $1") + LOCK, id)[0].as<long>();
}
)";

TEST(CppFrontend, FindsTheCompileDatabaseAboveTheFile) {
  TempDirectory directory;
  directory.write("src/accounts.cpp", kLockedByMacro);
  directory.write("compile_commands.json",
                  compileDatabase(directory, "src/accounts.cpp", "-DLOCKED"));
  ScanResult result = scanDirectory(directory);
  EXPECT_EQ(findDiagnostic(result, "no-compile-command"), nullptr);
  EXPECT_EQ(countRule(result, "RL501"), 1);
}

TEST(CppFrontend, GccOnlyFlagsAreReportedAndTheFileStillAnalysed) {
  TempDirectory directory;
  directory.write("accounts.cpp", kLockOutsideTransaction);
  directory.write("compile_commands.json",
                  compileDatabase(directory, "accounts.cpp",
                                  "-fconcepts-diagnostics-depth=3"));
  ScanResult result = scanDirectory(directory);
  const Diagnostic *flag = findDiagnostic(result, "compile-error");
  ASSERT_NE(flag, nullptr);
  EXPECT_NE(flag->message.find("compile command"), std::string::npos);
  EXPECT_EQ(countRule(result, "RL501"), 1);
}

TEST(CppFrontend, UnusableCompileCommandSaysTheFileWasNotAnalysed) {
  TempDirectory directory;
  directory.write("accounts.cpp", kLockOutsideTransaction);
  directory.write("compile_commands.json",
                  compileDatabase(directory, "accounts.cpp", "-x nonsense"));
  ScanResult result = scanDirectory(directory);
  const Diagnostic *failed = findDiagnostic(result, "parse-error");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->level, Level::Error);
  EXPECT_NE(findDiagnostic(result, "compile-error"), nullptr);
  EXPECT_EQ(countRule(result, "RL501"), 0);
}

TEST(CppFrontend, BuildDirectoryOptionNamesTheDatabase) {
  TempDirectory project, build;
  project.write("accounts.cpp", kLockedByMacro);
  build.write("compile_commands.json",
              compileDatabase(project, "accounts.cpp", "-DLOCKED"));
  CppOptions cpp;
  cpp.buildDirectory = build.path().string();
  ScanResult result = scanDirectory(project, cpp);
  EXPECT_EQ(findDiagnostic(result, "no-compile-command"), nullptr);
  EXPECT_EQ(countRule(result, "RL501"), 1);

  cpp.buildDirectory = project.path().string(); // no database there
  result = scanDirectory(project, cpp);
  const Diagnostic *missing = findDiagnostic(result, "no-compile-command");
  ASSERT_NE(missing, nullptr);
  EXPECT_NE(missing->message.find("no compile_commands.json there"),
            std::string::npos);
  EXPECT_EQ(countRule(result, "RL501"), 0);
}

TEST(CppFrontend, FixedArgumentsReplaceTheDatabase) {
  TempDirectory directory;
  directory.write("accounts.cpp", kLockedByMacro);
  CppOptions cpp;
  cpp.fixedArguments = std::vector<std::string>{"-std=c++17", "-DLOCKED"};
  ScanResult result = scanDirectory(directory, cpp);
  EXPECT_EQ(findDiagnostic(result, "no-compile-command"), nullptr);
  EXPECT_EQ(countRule(result, "RL501"), 1);
}

TEST(CppFrontend, CompileErrorsAreReportedAndTheRestAnalysed) {
  TempDirectory directory;
  std::string text = kLockOutsideTransaction;
  text += "int broken() { return ; }\nvoid worse() { undeclared(1); }\n";
  directory.write("accounts.cpp", text);
  ScanResult result = scanDirectory(directory);
  const Diagnostic *error = findDiagnostic(result, "compile-error");
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->where.file, "accounts.cpp");
  EXPECT_GT(error->where.line, 6u);
  EXPECT_EQ(countRule(result, "RL501"), 1);
}

TEST(CppFrontend, MissingHeaderDoesNotHideTheIncludesAfterIt) {
  TempDirectory directory;
  directory.write("accounts.cpp",
                  std::string("#include \"generated/config.h\"\n") +
                      kLockOutsideTransaction);
  ScanResult result = scanDirectory(directory);
  const Diagnostic *error = findDiagnostic(result, "compile-error");
  ASSERT_NE(error, nullptr);
  EXPECT_NE(error->message.find("generated/config.h"), std::string::npos);
  EXPECT_EQ(countRule(result, "RL501"), 1);
}

TEST(CppFrontend, HeaderFindingsAreReportedOnce) {
  TempDirectory directory;
  std::string header = kLockOutsideTransaction;
  header.replace(header.find("long balance"), 4, "inline long");
  directory.write("include/accounts.h", "#pragma once\n" + header);
  directory.write("compile_flags.txt", "-std=c++17\n-Iinclude\n");
  for (const char *file : {"a.cpp", "b.cpp", "c.cpp"})
    directory.write(file, "#include \"accounts.h\"\n");
  for (unsigned jobs : {1u, 2u}) {
    ScanResult result = scanDirectory(directory, {}, jobs);
    ASSERT_EQ(countRule(result, "RL501"), 1);
    EXPECT_EQ(result.findings.front().where.file, "include/accounts.h");
  }
}

TEST(CppFrontend, HeaderFindingsCanBeSuppressedInTheHeader) {
  TempDirectory directory;
  std::string header = kLockOutsideTransaction;
  header.replace(header.find("long balance"), 4, "inline long");
  header.replace(header.find("  return"), 0,
                 "  // racelint-ignore RL501: a read-only report\n");
  directory.write("include/accounts.h", "#pragma once\n" + header);
  directory.write("compile_flags.txt", "-std=c++17\n-Iinclude\n");
  directory.write("a.cpp", "#include \"accounts.h\"\n");
  ScanResult result = scanDirectory(directory);
  ASSERT_EQ(countRule(result, "RL501"), 1);
  EXPECT_TRUE(result.findings.front().suppression);
  EXPECT_EQ(result.sources.count("include/accounts.h"), 1u);
}

TEST(CppFrontend, ColumnsCountCharactersNotBytes) {
  TempDirectory directory;
  std::string text = kLockOutsideTransaction;
  text.replace(text.find("  return tx"), 2, "  /* ééé */ ");
  directory.write("accounts.cpp", text);
  ScanResult result = scanDirectory(directory);
  ASSERT_EQ(countRule(result, "RL501"), 1);
  // `  /* ééé */ return tx.exec_params1(`: the call starts at character 20
  // (byte 23).
  EXPECT_EQ(result.findings.front().where.column, 20u);
}

TEST(CppFrontend, HugeTranslationUnit) {
  TempDirectory directory;
  std::ostringstream text;
  text << kLockOutsideTransaction;
  for (int i = 0; i < 4000; ++i)
    text << "int generated" << i << "(int x) {\n  int y = x * " << i
         << ";\n  if (y > 3) return y - 1;\n  return y + " << i << ";\n}\n";
  directory.write("generated.cpp", text.str());
  ScanResult result = scanDirectory(directory);
  EXPECT_EQ(countRule(result, "RL501"), 1);
  EXPECT_GE(result.files.front().units.size(), 4001u);
}

/// Clang accepts an `else if` chain or a sum thousands long; the lowering
/// walks recurse, so a function nested past their limit is reported and left
/// out, and the rest of the file is analysed.
TEST(CppFrontend, DeepNestingIsRefusedNotACrash) {
  TempDirectory directory;
  std::ostringstream text;
  text << kLockOutsideTransaction
       << "int chain(int x) {\n  if (x == 0) return 0;\n";
  for (int i = 1; i < 6400; ++i)
    text << "  else if (x == " << i << ") return " << i << ";\n";
  text << "  return -1;\n}\nint sum(int a) {\n  return a";
  for (int i = 0; i < 8000; ++i)
    text << " + a";
  text << ";\n}\n";
  directory.write("deep.cpp", text.str());
  ScanResult result = scanDirectory(directory);
  EXPECT_EQ(countRule(result, "RL501"), 1);
  std::vector<unsigned> refused;
  for (const Diagnostic &diagnostic : result.diagnostics)
    if (diagnostic.code == "too-deeply-nested")
      refused.push_back(diagnostic.where.line);
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_NE(findDiagnostic(result, "too-deeply-nested")
                ->message.find("chain not analysed"),
            std::string::npos);
}

} // namespace
