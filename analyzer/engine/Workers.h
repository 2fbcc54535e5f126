#pragma once

// Fault containment: work items run in worker processes, so that a crash, a
// hang or runaway memory while analysing one file costs that file only.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace racelint {

struct WorkerLimits {
  unsigned jobs = 1;
  /// Wall-clock seconds one item may take; 0 for no limit.
  unsigned itemTimeoutSeconds = 0;
  /// The data segment (heap) a worker may grow to, in MiB; 0 for no limit.
  std::size_t maxMemoryMiB = 0;
};

struct WorkOutcome {
  bool completed = false;
  /// What the work returned, or why it did not complete (a signal, a limit).
  std::string bytes;
};

/// Built with AddressSanitizer: a worker's heap limit is not set then (its
/// allocator reserves terabytes; resident memory is still watched), and a
/// worker that crashes reports it itself and exits with status 1 rather than
/// dying of the signal.
bool sanitizedBuild();

/// For an allocation that fails in a C library, which cannot throw
/// std::bad_alloc: a worker exits so that its task fails as out of memory
/// (the --max-memory limit), rather than as a crash; elsewhere it aborts.
[[noreturn]] void outOfMemory();

/// One piece of work: the item it is about (a file, by its index) and what
/// the worker needs besides.
struct WorkTask {
  std::size_t item = 0;
  std::string payload;
};
using WorkFunction =
    std::function<std::string(std::size_t item, std::string_view payload)>;
/// Takes one task's outcome (the task by its position in the run's list).
using OutcomeHandler = std::function<void(std::size_t task, WorkOutcome)>;

/// Runs `work(item, payload)` for tasks in up to `limits.jobs` forked worker
/// processes, which live until the pool does. A worker that dies or exceeds a
/// limit is replaced; the task it was running fails with the reason.
/// Outcomes depend only on the tasks, never on the job count.
class WorkerPool {
public:
  WorkerPool(const WorkerLimits &limits, WorkFunction work);
  ~WorkerPool();
  /// Each task's outcome, by the task's position.
  std::vector<WorkOutcome> run(const std::vector<WorkTask> &tasks);
  /// Gives each task's outcome to `handle` as soon as it is known, in this
  /// process, while the workers go on with the other tasks.
  void run(const std::vector<WorkTask> &tasks, const OutcomeHandler &handle);

private:
  class Pool;
  std::unique_ptr<Pool> pool_;
};

} // namespace racelint
