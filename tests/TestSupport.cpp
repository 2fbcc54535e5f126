#include "TestSupport.h"

#include "Registry.h"
#include "frontends/Frontends.h"

#include <atomic>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace racelint::testing {

const char *const kRacyRegistration = R"(
export class UsersService {
  constructor(@InjectRepository(User) private users: Repository<User>) {}
  async register(name: string) {
    const existing = await this.users.findOneBy({ name });
    if (existing) throw new ConflictException();
    await this.users.insert({ name });
  }
}
)";

TempDirectory::TempDirectory() {
  static std::atomic<int> counter{0};
  path_ = fs::temp_directory_path() /
          ("racelint-test-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDirectory::~TempDirectory() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

fs::path TempDirectory::write(const std::string &name,
                              const std::string &text) const {
  fs::path file = path_ / name;
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
  return file;
}

ScanResult scanWithBuiltins(const std::vector<std::string> &paths,
                            const std::string &base, unsigned jobs,
                            CppOptions cpp) {
  static const std::vector<std::unique_ptr<Rule>> rules = createBuiltinRules();
  cpp.baseDirectory = base;
  std::vector<std::unique_ptr<Frontend>> frontends =
      createFrontends(std::move(cpp));
  ScanOptions options;
  options.paths = paths;
  options.baseDirectory = base;
  options.jobs = jobs;
  return scan(options, frontends, rules);
}

ScanResult scanFiles(const std::map<std::string, std::string> &files) {
  TempDirectory directory;
  for (const auto &[name, text] : files)
    directory.write(name, text);
  return scanWithBuiltins({directory.path().string()},
                          directory.path().string());
}

const Diagnostic *findDiagnostic(const ScanResult &result,
                                 const std::string &code) {
  for (const Diagnostic &diagnostic : result.diagnostics)
    if (diagnostic.code == code)
      return &diagnostic;
  return nullptr;
}

int countRule(const ScanResult &result, const std::string &id) {
  int count = 0;
  for (const Finding &finding : result.findings)
    count += finding.ruleId == id;
  return count;
}

} // namespace racelint::testing
