// A crash, a hang or runaway memory while analysing one file costs that file
// only: each is reported as `analysis-failed`, and every other file's
// findings survive, whatever the job count.

#include "Registry.h"
#include "TestSupport.h"
#include "engine/Workers.h"
#include "frontends/Frontends.h"
#include "report/Report.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <gtest/gtest.h>
#include <thread>
#include <unistd.h>

using namespace racelint;
using racelint::testing::countRule;
using racelint::testing::kRacyRegistration;
using racelint::testing::TempDirectory;

namespace {

/// Misbehaves as its file says: `crash`, `hang`, `allocate` or `throw`.
class FaultyFrontend : public Frontend {
public:
  bool handles(const std::string &path) const override {
    return path.ends_with(".fault");
  }
  FileAnalysis analyze(const SourceFile &file) const override {
    const std::string &fault = file.text();
    if (fault.starts_with("crash"))
      std::raise(SIGSEGV);
    if (fault.starts_with("hang"))
      for (;;)
        std::this_thread::sleep_for(std::chrono::seconds(1));
    if (fault.starts_with("allocate")) {
      std::vector<std::unique_ptr<char[]>> hoard;
      for (;;) {
        hoard.emplace_back(new char[16 << 20]);
        std::memset(hoard.back().get(), 1, 16 << 20);
      }
    }
    if (fault.starts_with("throw"))
      throw std::runtime_error("a front-end bug");
    return {};
  }
};

ScanResult scanWithFaults(const TempDirectory &directory, unsigned jobs,
                          bool isolate = true) {
  static const std::vector<std::unique_ptr<Rule>> rules = createBuiltinRules();
  std::vector<std::unique_ptr<Frontend>> frontends = createFrontends({});
  frontends.push_back(std::make_unique<FaultyFrontend>());
  ScanOptions options;
  options.paths = {directory.path().string()};
  options.baseDirectory = directory.path().string();
  options.jobs = jobs;
  options.isolateFiles = isolate;
  // Time enough for the allocating file to pass the memory limit first on a
  // loaded machine under sanitizers, where it runs several times slower.
  options.fileTimeoutSeconds = 5;
  options.maxMemoryMiB = 512;
  return scan(options, frontends, rules);
}

std::map<std::string, std::string> failures(const ScanResult &result) {
  std::map<std::string, std::string> failed;
  for (const Diagnostic &diagnostic : result.diagnostics)
    if (diagnostic.code == "analysis-failed") {
      EXPECT_EQ(diagnostic.level, Level::Error);
      failed[diagnostic.where.file] = diagnostic.message;
    }
  return failed;
}

class FaultContainment : public ::testing::TestWithParam<unsigned> {};

TEST_P(FaultContainment, EachFaultCostsOnlyItsFile) {
  TempDirectory directory;
  directory.write("a_users.service.ts", kRacyRegistration);
  directory.write("b_crash.fault", "crash");
  directory.write("c_hang.fault", "hang");
  directory.write("d_allocate.fault", "allocate");
  directory.write("e_throw.fault", "throw");
  directory.write("f_orders.service.ts", kRacyRegistration);
  ScanResult result = scanWithFaults(directory, GetParam());

  EXPECT_EQ(countRule(result, "RL101"), 2);
  std::map<std::string, std::string> failed = failures(result);
  ASSERT_EQ(failed.size(), 3u);
  EXPECT_NE(failed["b_crash.fault"].find(
                sanitizedBuild() ? "worker stopped on it with exit status 1"
                                 : "crashed on it (signal 11, SIGSEGV)"),
            std::string::npos)
      << failed["b_crash.fault"];
  EXPECT_NE(failed["c_hang.fault"].find("longer than 5 s (--file-timeout)"),
            std::string::npos)
      << failed["c_hang.fault"];
  EXPECT_NE(failed["d_allocate.fault"].find("512 MiB"), std::string::npos)
      << failed["d_allocate.fault"];
  const Diagnostic *internal = nullptr;
  for (const Diagnostic &diagnostic : result.diagnostics)
    if (diagnostic.code == "internal-error")
      internal = &diagnostic;
  ASSERT_NE(internal, nullptr);
  EXPECT_EQ(internal->where.file, "e_throw.fault");
}

INSTANTIATE_TEST_SUITE_P(Jobs, FaultContainment, ::testing::Values(1u, 2u));

/// The heap limit makes an allocation fail in the worker, which says so;
/// sanitizers rule that limit out, and the resident memory watch stops the
/// worker instead.
TEST(FaultContainment, MemoryLimitIsNamed) {
  TempDirectory directory;
  directory.write("allocate.fault", "allocate");
  std::map<std::string, std::string> failed =
      failures(scanWithFaults(directory, 1));
  const char *expected =
      sanitizedBuild()
          ? "needed more than 512 MiB of memory (--max-memory)"
          : "ran out of memory (the limit is 512 MiB, --max-memory)";
  EXPECT_NE(failed["allocate.fault"].find(expected), std::string::npos)
      << failed["allocate.fault"];
}

/// What a worker sends back is the whole model: the same scan, in workers
/// and in this process, gives the same model, byte for byte.
TEST(FaultContainment, WorkersReturnTheWholeModel) {
  static const std::vector<std::unique_ptr<Rule>> rules = createBuiltinRules();
  std::string root = RACELINT_SOURCE_DIR;
  auto modelOf = [&](bool isolate) {
    std::vector<std::unique_ptr<Frontend>> frontends = createFrontends({});
    ScanOptions options;
    options.paths = {root + "/fixtures/typescript", root + "/fixtures/python",
                     root + "/fixtures/sql", root + "/fixtures/apps/bands",
                     root + "/fixtures/apps/marketplace"};
    options.baseDirectory = root;
    options.jobs = 2;
    options.isolateFiles = isolate;
    ScanResult result = scan(options, frontends, rules);
    return writeModelJson(result) + writeSarif({result, rules, "test"});
  };
  std::string isolated = modelOf(true);
  EXPECT_GT(isolated.size(), 100000u);
  EXPECT_EQ(isolated, modelOf(false));
}

/// A worker that crashes costs the task it ran, and a new worker takes the
/// tasks after it, in this run and in later ones.
TEST(WorkerPool, ACrashCostsOnlyItsTask) {
  WorkerLimits limits;
  limits.jobs = 1;
  WorkerPool pool(limits, [](std::size_t, std::string_view payload) {
    if (payload == "crash")
      std::abort();
    return std::to_string(::getpid());
  });
  std::vector<WorkOutcome> first = pool.run({{0, ""}, {1, ""}});
  ASSERT_TRUE(first[0].completed) << first[0].bytes;
  std::string worker = first[0].bytes;
  EXPECT_NE(worker, std::to_string(::getpid()));
  EXPECT_EQ(first[1].bytes, worker);

  std::vector<WorkOutcome> second = pool.run({{1, "crash"}, {0, ""}, {2, ""}});
  EXPECT_FALSE(second[0].completed);
  ASSERT_TRUE(second[1].completed) << second[1].bytes;
  EXPECT_NE(second[1].bytes, worker);
  EXPECT_EQ(second[2].bytes, second[1].bytes);
  std::vector<WorkOutcome> third = pool.run({{0, ""}});
  EXPECT_EQ(third[0].bytes, second[1].bytes);
}

/// A C library that cannot allocate (tree-sitter, under the worker's memory
/// limit) ends its worker through outOfMemory(): the task fails as out of
/// memory, not as a crash, and the next task runs in a new worker.
TEST(WorkerPool, OutOfMemoryInALibraryIsSaidSo) {
  WorkerLimits limits;
  limits.jobs = 1;
  limits.maxMemoryMiB = 512;
  WorkerPool pool(limits, [](std::size_t, std::string_view payload) {
    if (payload == "exhaust")
      outOfMemory();
    return std::string("done");
  });
  std::vector<WorkOutcome> outcomes = pool.run({{0, "exhaust"}, {1, ""}});
  EXPECT_FALSE(outcomes[0].completed);
  EXPECT_EQ(outcomes[0].bytes,
            "it ran out of memory (the limit is 512 MiB, --max-memory)");
  EXPECT_TRUE(outcomes[1].completed);
  EXPECT_EQ(outcomes[1].bytes, "done");
}

/// With several workers, every task of a later run completes, whichever
/// worker takes it when its own is busy.
TEST(WorkerPool, LaterRunsCompleteWithSeveralWorkers) {
  WorkerLimits limits;
  limits.jobs = 2;
  WorkerPool pool(limits, [](std::size_t item, std::string_view payload) {
    return std::to_string(item) + std::string(payload);
  });
  std::vector<WorkTask> tasks;
  for (std::size_t item = 0; item < 20; ++item)
    tasks.push_back({item, item % 2 ? "odd" : ""});
  for (int run = 0; run < 3; ++run) {
    std::vector<WorkOutcome> outcomes = pool.run(tasks);
    ASSERT_EQ(outcomes.size(), tasks.size());
    for (std::size_t k = 0; k < tasks.size(); ++k)
      EXPECT_EQ(outcomes[k].bytes,
                std::to_string(tasks[k].item) + tasks[k].payload);
    std::reverse(tasks.begin(), tasks.end());
  }
}

} // namespace
