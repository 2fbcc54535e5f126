#pragma once

#include "engine/Driver.h"
#include "frontends/cpp/CppFrontend.h"

#include <filesystem>
#include <map>
#include <string>

namespace racelint::testing {

/// A TypeORM service with one check-then-insert (RL101 at its line 7).
extern const char *const kRacyRegistration;

/// A temporary directory removed at the end of the test.
class TempDirectory {
public:
  TempDirectory();
  ~TempDirectory();
  const std::filesystem::path &path() const { return path_; }
  std::filesystem::path write(const std::string &name,
                              const std::string &text) const;

private:
  std::filesystem::path path_;
};

/// Scans `paths` with every built-in front-end and rule; C/C++ files find
/// their compile commands as `cpp` says.
ScanResult scanWithBuiltins(const std::vector<std::string> &paths,
                            const std::string &base, unsigned jobs = 1,
                            CppOptions cpp = {});

/// Writes `files` (name -> text) into a temporary directory and scans it.
ScanResult scanFiles(const std::map<std::string, std::string> &files);

/// How many findings of rule `id` the scan reported.
int countRule(const ScanResult &result, const std::string &id);

/// The first input problem with this code, or null.
const Diagnostic *findDiagnostic(const ScanResult &result,
                                 const std::string &code);

} // namespace racelint::testing
