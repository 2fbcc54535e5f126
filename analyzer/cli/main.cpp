// racelint command line: scan, rules, explain, docs.

#include "Registry.h"
#include "engine/Driver.h"
#include "frontends/Frontends.h"
#include "report/Report.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

namespace fs = std::filesystem;
using namespace racelint;

namespace {

constexpr int kExitClean = 0;
constexpr int kExitFindings = 1;
constexpr int kExitError = 2;

const char *const kUsage = R"(usage: racelint [scan] PATH... [options]
       racelint rules
       racelint explain RULE
       racelint docs --output DIR
       racelint model PATH...     the schema and program model, as JSON

Finds race-prone data access: check-then-act, lost updates, missing version
checks and non-idempotent endpoints.

options:
  --format text|sarif|json   output format (default: text)
  -o, --output FILE          write the report to FILE instead of standard output
  --fail-on LEVEL            exit 1 when a finding at or above LEVEL is reported:
                             error, warning (default), note, or never
  -j, --jobs N               files analysed in parallel (default: all cores)
  --max-file-size MIB        skip larger files, with a notification (default: 10)
  --file-timeout SECONDS     give up on a file whose analysis takes longer, with
                             an analysis-failed error (default: 60; 0: no limit)
  --max-memory MIB           give up on a file whose analysis needs more memory
                             (default: 4096; 0: no limit)
  --exclude NAME             skip files and directories named NAME while walking
                             directories (repeatable); skipped by default:
                             node_modules dist build out coverage __pycache__
                             and hidden directories
  --no-default-excludes      walk those default directories too
  -p BUILD_DIR               C/C++: the directory of compile_commands.json
                             (default: the nearest one above each file, or in
                             a build/ directory beside it)
  -- ARGS                    C/C++: compile every file with ARGS instead of a
                             compile database (e.g. -- -std=c++17 -Iinclude)
  -h, --help                 show this help
  --version                  show the version

exit status: 0 no findings at or above --fail-on, 1 findings, 2 usage or I/O
error (including a PATH that does not exist; the rest is still scanned).
)";

struct Options {
  std::string command = "scan";
  std::vector<std::string> arguments;
  std::string format = "text";
  std::optional<std::string> output;
  std::optional<Level> failOn = Level::Warning;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  std::size_t maxFileMiB = 10;
  unsigned fileTimeoutSeconds = 60;
  std::size_t maxMemoryMiB = 4096;
  std::vector<std::string> excludedNames = defaultExcludedNames();
  std::string buildDirectory;
  std::optional<std::vector<std::string>> compileArguments;
};

int usageError(const std::string &message) {
  std::cerr << "racelint: " << message << "\n"
            << "Try 'racelint --help' for more information.\n";
  return kExitError;
}

std::optional<unsigned long> parseCount(const std::string &text,
                                        bool zeroAllowed = false) {
  try {
    std::size_t used = 0;
    unsigned long value = std::stoul(text, &used);
    if (used == text.size() && (value > 0 || zeroAllowed) &&
        std::isdigit(static_cast<unsigned char>(text.front())))
      return value;
  } catch (const std::exception &) {
  }
  return std::nullopt;
}

/// Returns an exit code when the command line is done with (help, errors).
std::optional<int> parseArguments(int argc, char **argv, Options &options) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::size_t i = 0;
  if (i < args.size() &&
      (args[i] == "scan" || args[i] == "rules" || args[i] == "explain" ||
       args[i] == "docs" || args[i] == "model"))
    options.command = args[i++];
  for (; i < args.size(); ++i) {
    const std::string &arg = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size())
        return std::nullopt;
      return args[++i];
    };
    if (arg == "--") {
      options.compileArguments.emplace(args.begin() + i + 1, args.end());
      break;
    }
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return kExitClean;
    }
    if (arg == "--version") {
      std::cout << "racelint " << RACELINT_VERSION << "\n";
      return kExitClean;
    }
    if (arg == "--format") {
      auto format = value();
      if (!format ||
          (*format != "text" && *format != "sarif" && *format != "json"))
        return usageError("--format takes text, sarif or json");
      options.format = *format;
    } else if (arg == "-o" || arg == "--output") {
      options.output = value();
      if (!options.output)
        return usageError(arg + " takes a file name");
    } else if (arg == "--fail-on") {
      auto level = value();
      if (level == "error")
        options.failOn = Level::Error;
      else if (level == "warning")
        options.failOn = Level::Warning;
      else if (level == "note")
        options.failOn = Level::Note;
      else if (level == "never")
        options.failOn.reset();
      else
        return usageError("--fail-on takes error, warning, note or never");
    } else if (arg == "-j" || arg == "--jobs") {
      auto count = value();
      auto jobs = count ? parseCount(*count) : std::nullopt;
      if (!jobs || *jobs > 1024)
        return usageError("--jobs takes a number from 1 to 1024");
      options.jobs = static_cast<unsigned>(*jobs);
    } else if (arg == "--max-file-size") {
      auto size = value();
      auto mib = size ? parseCount(*size) : std::nullopt;
      if (!mib || *mib > 4096)
        return usageError(
            "--max-file-size takes a number of MiB from 1 to 4096");
      options.maxFileMiB = *mib;
    } else if (arg == "--file-timeout") {
      auto text = value();
      auto seconds = text ? parseCount(*text, true) : std::nullopt;
      if (!seconds || *seconds > 86400)
        return usageError("--file-timeout takes a number of seconds from 0 "
                          "(no limit) to 86400");
      options.fileTimeoutSeconds = static_cast<unsigned>(*seconds);
    } else if (arg == "--max-memory") {
      auto text = value();
      auto mib = text ? parseCount(*text, true) : std::nullopt;
      if (!mib || (*mib != 0 && *mib < 64) || *mib > 1048576)
        return usageError("--max-memory takes a number of MiB from 64 to "
                          "1048576, or 0 for no limit");
      options.maxMemoryMiB = *mib;
    } else if (arg == "--exclude") {
      auto name = value();
      if (!name || name->empty() || name->find('/') != std::string::npos)
        return usageError("--exclude takes a file or directory name");
      options.excludedNames.push_back(*name);
    } else if (arg == "-p") {
      auto directory = value();
      if (!directory)
        return usageError("-p takes the build directory holding "
                          "compile_commands.json");
      options.buildDirectory = *directory;
    } else if (arg == "--no-default-excludes") {
      const auto &defaults = defaultExcludedNames();
      std::erase_if(options.excludedNames, [&](const std::string &name) {
        return std::find(defaults.begin(), defaults.end(), name) !=
               defaults.end();
      });
    } else if (arg.starts_with("-") && arg != "-") {
      return usageError("unknown option '" + arg + "'");
    } else {
      options.arguments.push_back(arg);
    }
  }
  return std::nullopt;
}

bool writeOutput(const Options &options, const std::string &text) {
  if (!options.output) {
    std::cout << text << std::flush;
    return true;
  }
  std::ofstream file(*options.output, std::ios::binary);
  file << text;
  file.close();
  if (!file) {
    std::cerr << "racelint: cannot write " << *options.output << "\n";
    return false;
  }
  return true;
}

int listRules(const std::vector<std::unique_ptr<Rule>> &rules) {
  for (const auto &rule : rules) {
    const RuleMetadata &meta = rule->metadata();
    std::cout << meta.id << "  " << meta.name << " ("
              << toString(meta.defaultLevel) << ")\n    "
              << meta.shortDescription << "\n";
  }
  return kExitClean;
}

const Rule *findRule(const std::vector<std::unique_ptr<Rule>> &rules,
                     const std::string &id) {
  for (const auto &rule : rules)
    if (rule->metadata().id == id || rule->metadata().name == id)
      return rule.get();
  return nullptr;
}

int explainRule(const Options &options,
                const std::vector<std::unique_ptr<Rule>> &rules) {
  if (options.arguments.size() != 1)
    return usageError(
        "explain takes one rule id, e.g. 'racelint explain RL101'");
  const Rule *rule = findRule(rules, options.arguments[0]);
  if (!rule)
    return usageError("no rule '" + options.arguments[0] +
                      "'; 'racelint rules' lists them");
  std::cout << ruleMarkdown(rule->metadata());
  return kExitClean;
}

int writeDocs(const Options &options,
              const std::vector<std::unique_ptr<Rule>> &rules) {
  if (!options.output)
    return usageError("docs needs --output DIR");
  std::error_code error;
  fs::create_directories(*options.output, error);
  for (const auto &rule : rules) {
    const RuleMetadata &meta = rule->metadata();
    fs::path page =
        fs::path(*options.output) / (meta.id + "-" + meta.name + ".md");
    std::ofstream file(page, std::ios::binary);
    file << ruleMarkdown(meta);
    if (!file) {
      std::cerr << "racelint: cannot write " << page << "\n";
      return kExitError;
    }
  }
  return kExitClean;
}

int runScan(const Options &options,
            const std::vector<std::unique_ptr<Rule>> &rules) {
  if (options.arguments.empty())
    return usageError("no PATH to scan");
  CppOptions cpp;
  cpp.baseDirectory = fs::current_path().string();
  cpp.buildDirectory = options.buildDirectory;
  cpp.fixedArguments = options.compileArguments;
  if (!cpp.buildDirectory.empty() && !fs::is_directory(cpp.buildDirectory))
    return usageError("-p " + cpp.buildDirectory + ": no such directory");
  std::vector<std::unique_ptr<Frontend>> frontends =
      createFrontends(std::move(cpp));

  ScanOptions scanOptions;
  scanOptions.paths = options.arguments;
  scanOptions.baseDirectory = fs::current_path().string();
  scanOptions.jobs = options.jobs;
  scanOptions.read.maxBytes = options.maxFileMiB * 1024 * 1024;
  scanOptions.excludedNames = options.excludedNames;
  scanOptions.fileTimeoutSeconds = options.fileTimeoutSeconds;
  scanOptions.maxMemoryMiB = options.maxMemoryMiB;
  // Kept until the process ends, and never destroyed: freeing a large scan's
  // model piece by piece took longer than writing its report (Clang's
  // -disable-free does the same).
  static ScanResult *kept = nullptr;
  kept = new ScanResult(scan(scanOptions, frontends, rules));
  const ScanResult &result = *kept;

  if (options.command == "model") {
    std::cerr << writeTextDiagnostics({result, rules, RACELINT_VERSION});
    return writeOutput(options, writeModelJson(result)) && !result.missingPath
               ? kExitClean
               : kExitError;
  }
  ReportInput report{result, rules, RACELINT_VERSION};
  std::string text = options.format == "sarif"  ? writeSarif(report)
                     : options.format == "json" ? writeJson(report)
                                                : writeText(report);
  if (options.format == "text" || options.output)
    std::cerr << writeTextDiagnostics(report);
  if (!writeOutput(options, text) || result.missingPath)
    return kExitError;
  if (!options.failOn)
    return kExitClean;
  for (const Finding &finding : result.findings)
    if (!finding.suppression && finding.level <= *options.failOn)
      return kExitFindings;
  return kExitClean;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  if (auto done = parseArguments(argc, argv, options))
    return *done;
  try {
    std::vector<std::unique_ptr<Rule>> rules = createBuiltinRules();
    if (options.command == "rules")
      return listRules(rules);
    if (options.command == "explain")
      return explainRule(options, rules);
    if (options.command == "docs")
      return writeDocs(options, rules);
    return runScan(options, rules);
  } catch (const std::exception &error) {
    std::cerr << "racelint: internal error: " << error.what() << "\n";
    return kExitError;
  }
}
