#pragma once

// Fault containment: work items run in worker processes, so that a crash, a
// hang or runaway memory while analysing one file costs that file only.

#include <cstddef>
#include <functional>
#include <string>
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

/// Runs `work(i)` for every i below `count` in up to `limits.jobs` forked
/// worker processes, and returns each result by index. A worker that dies or
/// exceeds a limit is replaced; the item it was running fails with the
/// reason. Outcomes depend only on the items, never on the job count.
std::vector<WorkOutcome>
runInWorkers(std::size_t count, const WorkerLimits &limits,
             const std::function<std::string(std::size_t)> &work);

} // namespace racelint
