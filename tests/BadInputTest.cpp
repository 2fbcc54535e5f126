// Bad input never crashes the scan nor silently drops a file: each case gets
// a diagnostic, and the good file beside it is still analysed.

#include "Registry.h"
#include "TestSupport.h"
#include "model/Utf8.h"
#include "report/Report.h"

#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace racelint;
using racelint::testing::findDiagnostic;
using racelint::testing::scanWithBuiltins;
using racelint::testing::TempDirectory;

namespace {

const char *const kGoodMigration = "CREATE TABLE good (id int PRIMARY KEY);\n";

ScanResult scanDirectory(const TempDirectory &directory) {
  directory.write("001_good.sql", kGoodMigration);
  ScanResult result =
      scanWithBuiltins({directory.path().string()}, directory.path().string());
  EXPECT_NE(result.schema.findTable("good"), nullptr)
      << "the good file was not analysed";
  return result;
}

TEST(BadInput, InvalidStatementCostsOnlyItself) {
  TempDirectory directory;
  directory.write("002_mixed.sql", "CREATE TABLE a (id int);\n"
                                   "CREATE TABLEE broken (id int);\n"
                                   "CREATE TABLE b (id int);\n");
  ScanResult result = scanDirectory(directory);
  const Diagnostic *error = findDiagnostic(result, "parse-error");
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->where.file, "002_mixed.sql");
  EXPECT_EQ(error->where.line, 2u);
  EXPECT_NE(error->message.find("syntax error"), std::string::npos);
  EXPECT_NE(result.schema.findTable("a"), nullptr);
  EXPECT_NE(result.schema.findTable("b"), nullptr);
}

TEST(BadInput, UnterminatedQuoteIsReported) {
  TempDirectory directory;
  directory.write("002_quote.sql",
                  "CREATE TABLE a (id int);\nSELECT 'never closed;\n");
  ScanResult result = scanDirectory(directory);
  ASSERT_NE(findDiagnostic(result, "parse-error"), nullptr);
}

TEST(BadInput, EmptyFile) {
  TempDirectory directory;
  directory.write("002_empty.sql", "");
  ScanResult result = scanDirectory(directory);
  const Diagnostic *empty = findDiagnostic(result, "empty-file");
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->level, Level::Note);
}

TEST(BadInput, BinaryFile) {
  TempDirectory directory;
  directory.write("002_blob.sql", std::string("\x7f"
                                              "ELF\0\0\1\2binary",
                                              14));
  ScanResult result = scanDirectory(directory);
  ASSERT_NE(findDiagnostic(result, "binary-file"), nullptr);
}

TEST(BadInput, NonUtf8TextIsRepairedAndAnalysed) {
  TempDirectory directory;
  directory.write("002_latin1.sql",
                  "-- caf\xe9\nCREATE TABLE latin (id int);\n");
  ScanResult result = scanDirectory(directory);
  const Diagnostic *invalid = findDiagnostic(result, "invalid-utf8");
  ASSERT_NE(invalid, nullptr);
  EXPECT_EQ(invalid->where.line, 1u);
  EXPECT_NE(result.schema.findTable("latin"), nullptr);
}

TEST(BadInput, HugeFileIsSkipped) {
  TempDirectory directory;
  fs::path huge = directory.write("002_huge.sql", "");
  fs::resize_file(huge, 50u * 1024 * 1024);
  ScanResult result = scanDirectory(directory);
  const Diagnostic *skipped = findDiagnostic(result, "file-too-large");
  ASSERT_NE(skipped, nullptr);
  EXPECT_NE(skipped->message.find("50 MiB"), std::string::npos);
}

TEST(BadInput, UnreadableFile) {
  TempDirectory directory;
  fs::path locked = directory.write("002_locked.sql", kGoodMigration);
  ASSERT_EQ(::chmod(locked.c_str(), 0), 0);
  // root reads anything: drop to an unprivileged effective user meanwhile.
  bool root = ::geteuid() == 0;
  if (root) {
    ASSERT_EQ(::seteuid(65534), 0);
  }
  ScanResult result =
      scanWithBuiltins({directory.path().string()}, directory.path().string());
  if (root) {
    ASSERT_EQ(::seteuid(0), 0);
  }
  const Diagnostic *unreadable = findDiagnostic(result, "unreadable-file");
  ASSERT_NE(unreadable, nullptr);
  EXPECT_NE(unreadable->message.find("Permission denied"), std::string::npos);
}

TEST(BadInput, MissingPath) {
  TempDirectory directory;
  directory.write("001_good.sql", kGoodMigration);
  ScanResult result = scanWithBuiltins(
      {(directory.path() / "nope").string(), directory.path().string()},
      directory.path().string());
  EXPECT_TRUE(result.missingPath);
  ASSERT_NE(findDiagnostic(result, "missing-path"), nullptr);
  EXPECT_NE(result.schema.findTable("good"), nullptr);
}

TEST(BadInput, SymlinkLoops) {
  TempDirectory directory;
  fs::create_directory_symlink("loop", directory.path() / "loop");
  fs::create_directories(directory.path() / "sub");
  fs::create_directory_symlink("..", directory.path() / "sub" / "up");
  ScanResult result = scanDirectory(directory);
  int loops = 0;
  for (const Diagnostic &diagnostic : result.diagnostics)
    loops += diagnostic.code == "symlink-loop";
  EXPECT_EQ(loops, 2);
}

TEST(BadInput, SpecialFilesAreSkippedBeforeOpening) {
  TempDirectory directory;
  // Opening a FIFO blocks until a writer comes: the scan would never end.
  ASSERT_EQ(::mkfifo((directory.path() / "p.ts").c_str(), 0600), 0);
  ScanResult result = scanWithBuiltins(
      {directory.path().string(), (directory.path() / "p.ts").string()},
      directory.path().string());
  const Diagnostic *special = findDiagnostic(result, "special-file");
  ASSERT_NE(special, nullptr);
  EXPECT_EQ(special->where.file, "p.ts");
  EXPECT_NE(special->message.find("named pipe (FIFO)"), std::string::npos);
}

TEST(BadInput, IllFormedUtf8IsRepairedAndReported) {
  // A surrogate, an overlong '/', a code point above U+10FFFF, a lone
  // continuation byte: each is one diagnostic's worth of repair.
  for (const char *bad :
       {"\xED\xA0\x80", "\xE0\x80\xAF", "\xF4\x90\x80\x80", "\x80"}) {
    TempDirectory directory;
    directory.write("002_bad.sql", std::string("-- ") + bad +
                                       "\nCREATE TABLE bad (id int);\n");
    ScanResult result = scanDirectory(directory);
    EXPECT_NE(findDiagnostic(result, "invalid-utf8"), nullptr);
    EXPECT_NE(result.schema.findTable("bad"), nullptr);
  }
}

/// libpg_query's splitter drops what it cannot place; each such statement
/// is reported at its line, and the statements after it are analysed.
TEST(BadInput, SqlTheSplitterDropsIsReported) {
  TempDirectory directory;
  directory.write("002_mixed.sql", "CREATE TABLE a (id int);\n"
                                   "SELEC 1;\n"
                                   "CREATE TABLE b (id int);\n"
                                   "CREATE TABLE c (id int) );\n"
                                   "CREATE TABLE d (id int);\n"
                                   "CREATE TABLE e ((id int;\n"
                                   "CREATE TABLE f (id int);\n");
  ScanResult result = scanDirectory(directory);
  std::vector<unsigned> errorLines;
  for (const Diagnostic &diagnostic : result.diagnostics)
    if (diagnostic.code == "parse-error")
      errorLines.push_back(diagnostic.where.line);
  EXPECT_EQ(errorLines, (std::vector<unsigned>{2, 4, 6}));
  for (const char *table : {"a", "b", "d", "f"})
    EXPECT_NE(result.schema.findTable(table), nullptr) << table;
  EXPECT_EQ(result.schema.findTable("c"), nullptr);
}

TEST(BadInput, CarriageReturnLineEnds) {
  TempDirectory directory;
  directory.write("002_mac.sql", "CREATE TABLE a (id int);\r-- a comment\r"
                                 "CREATE TABLE b (id int);\rSELEC 1;\r");
  ScanResult result = scanDirectory(directory);
  EXPECT_NE(result.schema.findTable("b"), nullptr);
  const Diagnostic *error = findDiagnostic(result, "parse-error");
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->where.line, 4u);
}

TEST(BadInput, PsqlMetaCommandsAreSkipped) {
  TempDirectory directory;
  directory.write("002_psql.sql", "\\set ON_ERROR_STOP on\n"
                                  "CREATE TABLE a (id int);\n"
                                  "\\echo 'created a'\n"
                                  "CREATE TABLE b (id int);\n"
                                  "\\i other.sql\n");
  ScanResult result = scanDirectory(directory);
  EXPECT_NE(result.schema.findTable("a"), nullptr);
  EXPECT_NE(result.schema.findTable("b"), nullptr);
  EXPECT_EQ(findDiagnostic(result, "parse-error"), nullptr);
}

std::string repeated(const std::string &part, int times) {
  std::string text;
  for (int i = 0; i < times; ++i)
    text += part;
  return text;
}

/// Valid SQL nested deeper than the walks recurse is refused, never a stack
/// overflow; nesting within the limit costs linear time.
TEST(BadInput, DeepSqlIsRefusedNotACrash) {
  std::string nested = "SELECT 1";
  for (int i = 0; i < 25; ++i)
    nested = "SELECT (" + nested + ")";
  std::string exists = "SELECT 1 FROM a";
  for (int i = 0; i < 25; ++i)
    exists = "SELECT 1 FROM a WHERE EXISTS (" + exists + ") AND id IN (" +
             exists.substr(0, 0) + "SELECT id FROM a)";
  TempDirectory directory;
  directory.write("002_deep.sql", "SELECT 1" + repeated("+1", 4500) + ";\n" +
                                      "SELECT 1 FROM a WHERE x = 0 OR x = " +
                                      repeated("x - ", 40000) + "1;\n" +
                                      nested + ";\n" + exists + ";\n");
  directory.write("deep.ts", "import { Pool } from 'pg';\n"
                             "const pool = new Pool();\n"
                             "export async function f() {\n"
                             "  await pool.query('SELECT 1" +
                                 repeated("+1", 4500) + "');\n}\n");
  directory.write("deep.py", "from sqlalchemy import text\n"
                             "def f(session):\n"
                             "    session.execute(text('SELECT 1" +
                                 repeated("+1", 4500) + "'))\n");
  ScanResult result = scanDirectory(directory);
  std::map<std::string, int> tooDeep;
  for (const Diagnostic &diagnostic : result.diagnostics)
    if (diagnostic.code == "too-deeply-nested")
      ++tooDeep[diagnostic.where.file];
    else if (diagnostic.code != "empty-file")
      ADD_FAILURE() << diagnostic.where.file << ": " << diagnostic.message;
  // The sum and the WHERE chain (the sub-selects pass), and the sum embedded
  // in each language.
  EXPECT_EQ(tooDeep, (std::map<std::string, int>{
                         {"002_deep.sql", 2}, {"deep.py", 1}, {"deep.ts", 1}}));
}

/// libpg_query cannot know a row-typed variable's columns: valid code, so
/// racelint's limit is reported as such, not as a syntax error.
TEST(BadInput, RowFieldAssignmentIsRacelintsLimit) {
  TempDirectory directory;
  directory.write("002_limits.sql", R"(
CREATE FUNCTION f(p_id int) RETURNS void AS $$
DECLARE
  v_row good;
BEGIN
  SELECT * INTO v_row FROM good WHERE id = p_id;
  v_row.id := 0;
END;
$$ LANGUAGE plpgsql;
)");
  ScanResult result = scanDirectory(directory);
  EXPECT_EQ(findDiagnostic(result, "parse-error"), nullptr);
  const Diagnostic *limit = findDiagnostic(result, "unsupported-plpgsql");
  ASSERT_NE(limit, nullptr);
  EXPECT_EQ(limit->level, Level::Note);
  EXPECT_NE(limit->message.find("cannot resolve v_row.id"), std::string::npos);
}

/// Every string reaching a writer is UTF-8, whatever produced it.
TEST(BadInput, ReportsAreValidUtf8) {
  TempDirectory directory;
  // libpg_query's message quotes the statement cut after a byte of the €.
  directory.write("002_euro.sql", "SELECT 1\xE2\x82\xAC;\n");
  directory.write("caf\xE9.sql", ""); // a Latin-1 name, in a note
  ScanResult result = scanDirectory(directory);
  static const std::vector<std::unique_ptr<Rule>> rules = createBuiltinRules();
  ReportInput report{result, rules, "test"};
  for (const std::string &text :
       {writeSarif(report), writeJson(report), writeModelJson(result)})
    EXPECT_TRUE(nlohmann::json::accept(text));
  EXPECT_NE(writeSarif(report).find("caf%E9.sql"), std::string::npos);
  std::string diagnostics = writeTextDiagnostics(report);
  EXPECT_EQ(diagnostics, validUtf8(diagnostics));
  EXPECT_NE(diagnostics.find("caf\xEF\xBF\xBD.sql"), std::string::npos);
}

} // namespace
