// Checks a fixture file against its annotations (semgrep's vocabulary):
//   ruleid: RL101       exactly this finding on the next code line
//   ok: RL101           no such finding there
//   todoruleid: RL101   a known miss: fails once it fires (promote it)
//   todook: RL101       a known false positive: fails once it stops
// behind any comment leader (//, #, --, or inside /* */). A finding on a line
// that no annotation names fails too. A directory holding `.fixture-root` is
// scanned whole, so that migrations elsewhere in it decide schema-dependent
// verdicts.
//
//   racelint_fixture_runner FILE
//   racelint_fixture_runner --examples RULE_ID   (the rule.yaml bad/good)

#include "Registry.h"
#include "engine/Driver.h"
#include "frontends/Frontends.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace racelint;

namespace {

struct Expectations {
  std::map<unsigned, std::set<std::string>> ruleid, ok, todoruleid, todook;
};

std::string trim(const std::string &text) {
  std::size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos)
    return {};
  std::size_t end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

/// The annotation on a line, as (kind, rule ids), if it is one.
std::optional<std::pair<std::string, std::vector<std::string>>>
parseAnnotation(const std::string &line) {
  std::string text = trim(line);
  // C's block comment: `/* ruleid: RL101 */`.
  if (text.starts_with("/*") && text.ends_with("*/"))
    text = "//" + text.substr(2, text.size() - 4);
  for (const char *leader : {"//", "--", "#"})
    if (text.starts_with(leader)) {
      text = trim(text.substr(std::string(leader).size()));
      for (const char *kind : {"ruleid:", "ok:", "todoruleid:", "todook:"})
        if (text.starts_with(kind)) {
          std::vector<std::string> ids;
          std::stringstream list(text.substr(std::string(kind).size()));
          for (std::string id; std::getline(list, id, ',');)
            if (!trim(id).empty())
              ids.push_back(trim(id));
          return std::make_pair(std::string(kind, std::string(kind).size() - 1),
                                ids);
        }
    }
  return std::nullopt;
}

Expectations readExpectations(const fs::path &file) {
  Expectations expectations;
  std::ifstream in(file);
  std::vector<std::pair<std::string, std::vector<std::string>>> pending;
  unsigned number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (auto annotation = parseAnnotation(line)) {
      pending.push_back(*annotation);
      continue;
    }
    for (const auto &[kind, ids] : pending) {
      auto &target = kind == "ruleid"       ? expectations.ruleid
                     : kind == "ok"         ? expectations.ok
                     : kind == "todoruleid" ? expectations.todoruleid
                                            : expectations.todook;
      target[number].insert(ids.begin(), ids.end());
    }
    pending.clear();
  }
  return expectations;
}

ScanResult scanPaths(const std::vector<std::string> &paths,
                     const std::vector<std::unique_ptr<Rule>> &rules) {
  std::vector<std::unique_ptr<Frontend>> frontends = createFrontends();
  ScanOptions options;
  options.paths = paths;
  options.baseDirectory = fs::current_path().string();
  options.jobs = 1;
  return scan(options, frontends, rules);
}

fs::path projectRoot(const fs::path &file) {
  for (fs::path directory = file.parent_path(); !directory.empty();
       directory = directory.parent_path()) {
    if (fs::exists(directory / ".fixture-root"))
      return directory;
    if (directory.filename() == "fixtures" ||
        directory == directory.root_path())
      break;
  }
  return file;
}

int checkFixture(const fs::path &file,
                 const std::vector<std::unique_ptr<Rule>> &rules) {
  fs::path absolute = fs::absolute(file);
  ScanResult result = scanPaths({projectRoot(absolute).string()}, rules);
  std::string display =
      absolute.lexically_relative(fs::current_path()).generic_string();

  std::map<unsigned, std::set<std::string>> found;
  for (const Finding &finding : result.findings)
    if (finding.where.file == display && !finding.suppression)
      found[finding.where.line].insert(finding.ruleId);

  Expectations expected = readExpectations(absolute);
  std::vector<std::string> failures;
  auto has = [](const auto &map, unsigned line, const std::string &id) {
    auto it = map.find(line);
    return it != map.end() && it->second.count(id);
  };
  for (const auto &[line, ids] : expected.ruleid)
    for (const std::string &id : ids)
      if (!has(found, line, id))
        failures.push_back(display + ":" + std::to_string(line) +
                           ": expected " + id + ", not reported");
  for (const auto &[line, ids] : expected.todook)
    for (const std::string &id : ids)
      if (!has(found, line, id))
        failures.push_back(display + ":" + std::to_string(line) + ": todook " +
                           id + " no longer reported: make it ok:");
  for (const auto &[line, ids] : found)
    for (const std::string &id : ids) {
      std::string where = display + ":" + std::to_string(line) + ": ";
      if (has(expected.ok, line, id))
        failures.push_back(where + id + " reported on a line marked ok");
      else if (has(expected.todoruleid, line, id))
        failures.push_back(where + id +
                           " now reported: promote todoruleid to ruleid");
      else if (!has(expected.ruleid, line, id) &&
               !has(expected.todook, line, id))
        failures.push_back(where + id +
                           " reported on a line with no annotation");
    }
  for (const std::string &failure : failures)
    std::cerr << failure << "\n";
  // A C++ fixture that does not compile, or compiles without its flags,
  // tests the matchers on something other than the declarations it names.
  for (const Diagnostic &diagnostic : result.diagnostics)
    if ((diagnostic.where.file == display &&
         diagnostic.level == Level::Error) ||
        diagnostic.code == "compile-error" ||
        diagnostic.code == "no-compile-command") {
      std::cerr << display
                << ": unexpected input problem: " << diagnostic.message << "\n";
      failures.push_back(diagnostic.message);
    }
  std::cout << display << ": " << failures.size() << " failure(s)\n";
  return failures.empty() ? 0 : 1;
}

int countRule(const ScanResult &result, const std::string &id) {
  int count = 0;
  for (const Finding &finding : result.findings)
    count += finding.ruleId == id;
  return count;
}

int checkExamples(const std::string &id,
                  const std::vector<std::unique_ptr<Rule>> &rules) {
  const Rule *rule = nullptr;
  for (const auto &candidate : rules)
    if (candidate->metadata().id == id)
      rule = candidate.get();
  if (!rule) {
    std::cerr << "no rule " << id << "\n";
    return 1;
  }
  fs::path directory =
      fs::temp_directory_path() /
      ("racelint-example-" + id + "-" + std::to_string(::getpid()));
  int failures = 0;
  int index = 0;
  for (const RuleExample &example : rule->metadata().examples) {
    for (bool bad : {true, false}) {
      fs::path path =
          directory / (std::to_string(index) + (bad ? "-bad." : "-good.") +
                       example.language);
      fs::create_directories(directory);
      std::ofstream(path) << (bad ? example.bad : example.good);
      int count = countRule(scanPaths({path.string()}, rules), id);
      if (bad ? count == 0 : count != 0) {
        std::cerr << id << " example " << index << (bad ? " bad" : " good")
                  << ": " << count << " finding(s) of " << id << "\n";
        ++failures;
      }
    }
    ++index;
  }
  fs::remove_all(directory);
  std::cout << id << " examples: " << failures << " failure(s)\n";
  return failures ? 1 : 0;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::unique_ptr<Rule>> rules = createBuiltinRules();
  if (argc == 3 && std::string(argv[1]) == "--examples")
    return checkExamples(argv[2], rules);
  if (argc == 2)
    return checkFixture(argv[1], rules);
  std::cerr << "usage: racelint_fixture_runner FILE | --examples RULE_ID\n";
  return 2;
}
