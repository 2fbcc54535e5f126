#include "report/Report.h"
#include "Registry.h"
#include "TestSupport.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace racelint;
using racelint::testing::scanWithBuiltins;
using racelint::testing::TempDirectory;

namespace {

const char *const kRace =
    R"(CREATE TABLE leads (id bigint PRIMARY KEY, status text);
CREATE FUNCTION sell(p_id bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE v_status text;
BEGIN
  SELECT status INTO v_status FROM leads WHERE id = p_id;
  IF v_status = 'open' THEN
    UPDATE leads SET status = 'sold' WHERE id = p_id;
  END IF;
END $$;
)";

std::string sarifOf(const ScanResult &result) {
  static const auto rules = createBuiltinRules();
  return writeSarif({result, rules, "test"});
}

TEST(Report, SarifIsIdenticalForAnyJobCount) {
  TempDirectory directory;
  for (int i = 0; i < 12; ++i)
    directory.write("m/" + std::to_string(i) + "_f.sql", kRace);
  std::string base = directory.path().string();
  std::string one = sarifOf(scanWithBuiltins({base}, base, 1));
  std::string four = sarifOf(scanWithBuiltins({base}, base, 4));
  EXPECT_EQ(one, four);
}

TEST(Report, SarifResultShape) {
  TempDirectory directory;
  directory.write("fn.sql", kRace);
  std::string base = directory.path().string();
  auto sarif = nlohmann::json::parse(sarifOf(scanWithBuiltins({base}, base)));
  EXPECT_EQ(sarif["version"], "2.1.0");
  const auto &run = sarif["runs"][0];
  EXPECT_FALSE(run["tool"]["driver"]["rules"].empty());
  ASSERT_EQ(run["results"].size(), 1u);
  const auto &result = run["results"][0];
  EXPECT_EQ(result["ruleId"], "RL102");
  const auto &location = result["locations"][0]["physicalLocation"];
  EXPECT_EQ(location["artifactLocation"]["uri"], "fn.sql");
  EXPECT_EQ(location["region"]["startLine"], 7);
  EXPECT_EQ(
      result["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
      5);
  EXPECT_NE(result["message"]["text"].get<std::string>().find("](1)"),
            std::string::npos);
  EXPECT_EQ(result["codeFlows"][0]["threadFlows"][0]["locations"].size(), 2u);
  EXPECT_TRUE(
      result["partialFingerprints"].contains("primaryLocationLineHash"));
}

TEST(Report, InlineSuppressionBecomesSarifSuppression) {
  TempDirectory directory;
  std::string text = kRace;
  text.replace(text.find("    UPDATE"), 0,
               "    -- racelint-ignore RL102: reviewed, single writer\n");
  directory.write("fn.sql", text);
  std::string base = directory.path().string();
  ScanResult result = scanWithBuiltins({base}, base);
  ASSERT_EQ(result.findings.size(), 1u);
  EXPECT_EQ(result.findings[0].suppression, "reviewed, single writer");
  auto sarif = nlohmann::json::parse(sarifOf(result));
  const auto &suppression = sarif["runs"][0]["results"][0]["suppressions"][0];
  EXPECT_EQ(suppression["kind"], "inSource");
  EXPECT_EQ(suppression["justification"], "reviewed, single writer");
}

TEST(Report, TextShowsSourceCaretAndNotes) {
  TempDirectory directory;
  directory.write("fn.sql", kRace);
  std::string base = directory.path().string();
  static const auto rules = createBuiltinRules();
  ScanResult result = scanWithBuiltins({base}, base);
  std::string text = writeText({result, rules, "test"});
  EXPECT_NE(
      text.find("fn.sql:7:5: error: Update of leads depends on a check of"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("\n    ^~~~"), std::string::npos) << text;
  EXPECT_NE(text.find("fn.sql:5:3: note: "), std::string::npos) << text;
  EXPECT_NE(text.find("racelint: 1 error, 0 warnings, 0 notes in 1 file"),
            std::string::npos);
}

TEST(Report, PlainMessageDropsLinks) {
  EXPECT_EQ(plainMessage("after [a check](1) on x"), "after a check on x");
}

TEST(Report, RouteBracketsAreTheMessagesOwn) {
  const std::string message =
      "POST /orders/[id]/pay performs [a payment](1) twice";
  EXPECT_EQ(plainMessage(message), "POST /orders/[id]/pay performs a payment "
                                   "twice");
  EXPECT_EQ(sarifMessage(message),
            "POST /orders/\\[id\\]/pay performs [a payment](1) twice");
}

} // namespace
