#include "Workers.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <new>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace racelint {
namespace {

using Clock = std::chrono::steady_clock;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

enum class Status : char { Completed = 'C', Failed = 'F' };

/// How a worker that ran out of memory in a C library exits (outOfMemory()).
constexpr int kOutOfMemoryStatus = 3;
/// Set in a worker process, where outOfMemory() can end the process.
bool inWorker = false;

std::string outOfMemoryReason(const WorkerLimits &limits) {
  return "it ran out of memory (the limit is " +
         std::to_string(limits.maxMemoryMiB) + " MiB, --max-memory)";
}

bool writeAll(int fd, const void *data, std::size_t size) {
  const char *at = static_cast<const char *>(data);
  while (size > 0) {
    ssize_t wrote = ::write(fd, at, size);
    if (wrote < 0 && errno == EINTR)
      continue;
    if (wrote <= 0)
      return false;
    at += wrote;
    size -= static_cast<std::size_t>(wrote);
  }
  return true;
}

bool readAll(int fd, void *data, std::size_t size) {
  char *at = static_cast<char *>(data);
  while (size > 0) {
    ssize_t got = ::read(fd, at, size);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return false;
    at += got;
    size -= static_cast<std::size_t>(got);
  }
  return true;
}

/// A result on the wire: status, length, bytes. Written at once, so that the
/// scan wakes up once per result, not once per part.
bool sendResult(int fd, Status status, const std::string &bytes) {
  std::uint64_t size = bytes.size();
  std::string wire(1, static_cast<char>(status));
  wire.reserve(1 + sizeof size + bytes.size());
  wire.append(reinterpret_cast<const char *>(&size), sizeof size);
  wire += bytes;
  return writeAll(fd, wire.data(), wire.size());
}

/// Runs one task; an exception it throws is its failure.
WorkOutcome runTask(const WorkFunction &work, std::size_t item,
                    std::string_view payload, const WorkerLimits &limits) {
  try {
    return {true, work(item, payload)};
  } catch (const std::bad_alloc &) {
    return {false, outOfMemoryReason(limits)};
  } catch (const std::exception &error) {
    return {false, std::string("internal error: ") + error.what()};
  }
}

/// A task on the wire: item, payload length, payload.
std::string encodeTask(const WorkTask &task) {
  std::uint64_t header[2] = {task.item, task.payload.size()};
  std::string bytes(reinterpret_cast<const char *>(header), sizeof header);
  bytes += task.payload;
  return bytes;
}

[[noreturn]] void serveTasks(int taskFd, int resultFd,
                             const WorkerLimits &limits,
                             const WorkFunction &work) {
  inWorker = true;
  if (limits.maxMemoryMiB && !kSanitized) {
    rlim_t bytes = static_cast<rlim_t>(limits.maxMemoryMiB) * 1024 * 1024;
    struct rlimit limit {
      bytes, bytes
    };
    ::setrlimit(RLIMIT_DATA, &limit);
  }
  std::uint64_t header[2] = {0, 0};
  std::string payload;
  while (readAll(taskFd, header, sizeof header)) {
    payload.resize(header[1]);
    if (!readAll(taskFd, payload.data(), payload.size()))
      break;
    WorkOutcome outcome =
        runTask(work, static_cast<std::size_t>(header[0]), payload, limits);
    if (!sendResult(resultFd,
                    outcome.completed ? Status::Completed : Status::Failed,
                    outcome.bytes))
      break;
  }
  // No destructors nor atexit handlers: they belong to the scan's process.
  ::_exit(0);
}

/// The resident memory of a process, in MiB (0 when it cannot be read).
std::size_t residentMiB(pid_t pid) {
  std::FILE *statm =
      std::fopen(("/proc/" + std::to_string(pid) + "/statm").c_str(), "r");
  if (!statm)
    return 0;
  unsigned long size = 0, resident = 0;
  int read = std::fscanf(statm, "%lu %lu", &size, &resident);
  std::fclose(statm);
  if (read != 2)
    return 0;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)) >> 20;
}

std::string describeExit(int status, const WorkerLimits &limits) {
  if (WIFEXITED(status) && WEXITSTATUS(status) == kOutOfMemoryStatus)
    return outOfMemoryReason(limits);
  if (WIFSIGNALED(status)) {
    int signal = WTERMSIG(status);
    const char *name = sigabbrev_np(signal);
    return "racelint crashed on it (signal " + std::to_string(signal) +
           (name ? std::string(", SIG") + name : std::string()) + ")";
  }
  if (WIFEXITED(status))
    return "racelint's worker stopped on it with exit status " +
           std::to_string(WEXITSTATUS(status));
  return "racelint's worker stopped on it";
}

/// Tasks a worker holds at once: the one it runs and the next, so that it
/// never waits for the scan to hand it work.
constexpr std::size_t kTasksInFlight = 2;

struct Worker {
  pid_t pid = -1;
  int taskFd = -1;
  int resultFd = -1;
  /// The tasks sent (positions in the run's list), in the order the worker
  /// runs them: the first is running.
  std::deque<std::size_t> tasks;
  /// When the first task started: when it was sent, or when the one before
  /// it finished.
  Clock::time_point started;
  std::string received;
};

} // namespace

class WorkerPool::Pool {
public:
  Pool(const WorkerLimits &limits, WorkFunction work)
      : limits_(limits), work_(std::move(work)),
        workers_(std::max(1u, limits.jobs)) {}

  ~Pool() {
    for (Worker &worker : workers_)
      stop(worker, /*kill=*/false);
  }

  void run(const std::vector<WorkTask> &tasks, const OutcomeHandler &handle) {
    tasks_ = &tasks;
    handle_ = &handle;
    done_ = 0;
    for (std::size_t task = tasks.size(); task-- > 0;)
      pending_.push_back(task);
    while (done_ < tasks.size()) {
      for (std::size_t slot = 0; slot < workers_.size(); ++slot)
        while (workers_[slot].tasks.size() < kTasksInFlight &&
               !pending_.empty()) {
          std::size_t task = pending_.back();
          pending_.pop_back();
          assign(slot, task);
        }
      wait();
    }
    tasks_ = nullptr;
    handle_ = nullptr;
  }

private:
  bool spawn(Worker &worker) {
    int tasks[2], results[2];
    if (::pipe(tasks) != 0)
      return false;
    if (::pipe(results) != 0) {
      ::close(tasks[0]), ::close(tasks[1]);
      return false;
    }
    std::cout.flush(), std::cerr.flush(), std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) {
      for (int fd : {tasks[0], tasks[1], results[0], results[1]})
        ::close(fd);
      return false;
    }
    if (pid == 0) {
      // The other workers' pipes must close when they die, not stay open
      // here.
      for (const Worker &other : workers_)
        for (int fd : {other.taskFd, other.resultFd})
          if (fd >= 0)
            ::close(fd);
      ::close(tasks[1]), ::close(results[0]);
      serveTasks(tasks[0], results[1], limits_, work_);
    }
    ::close(tasks[0]), ::close(results[1]);
    worker.pid = pid;
    worker.taskFd = tasks[1];
    worker.resultFd = results[0];
    return true;
  }

  void assign(std::size_t slot, std::size_t task) {
    Worker &worker = workers_[slot];
    const WorkTask &work = (*tasks_)[task];
    if (worker.pid < 0 && !spawn(worker)) {
      // No process to contain it (fork refused): run it here.
      finish(task, runTask(work_, work.item, work.payload, limits_));
      return;
    }
    std::string wire = encodeTask(work);
    if (!writeAll(worker.taskFd, wire.data(), wire.size())) {
      // The worker died on the task it was running: that one fails, and this
      // one waits for the next worker.
      pending_.push_back(task);
      if (worker.tasks.empty())
        stop(worker, /*kill=*/true);
      else
        fail(slot, "", /*kill=*/true);
      return;
    }
    if (worker.tasks.empty()) {
      worker.started = Clock::now();
      worker.received.clear();
    }
    worker.tasks.push_back(task);
  }

  void finish(std::size_t task, WorkOutcome outcome) {
    (*handle_)(task, std::move(outcome));
    ++done_;
  }

  /// Ends a worker; returns how it ended when it had to be reaped. The tasks
  /// it had not started go to another.
  int stop(Worker &worker, bool kill) {
    int status = 0;
    if (worker.pid < 0)
      return status;
    if (kill)
      ::kill(worker.pid, SIGKILL);
    ::close(worker.taskFd); // end of tasks: an idle worker exits
    ::close(worker.resultFd);
    while (::waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
    }
    pending_.insert(pending_.end(), worker.tasks.rbegin(), worker.tasks.rend());
    worker = Worker{};
    return status;
  }

  /// The running task fails with `reason` (or how the worker ended).
  void fail(std::size_t slot, std::string reason, bool kill) {
    Worker &worker = workers_[slot];
    std::size_t task = worker.tasks.front();
    worker.tasks.pop_front();
    int status = stop(worker, kill);
    finish(task,
           {false, reason.empty() ? describeExit(status, limits_) : reason});
  }

  /// The complete results at the start of `received`, taken out of it.
  void takeResults(std::size_t slot) {
    Worker &worker = workers_[slot];
    constexpr std::size_t header = 1 + sizeof(std::uint64_t);
    std::size_t used = 0;
    while (!worker.tasks.empty() && worker.received.size() - used >= header) {
      std::uint64_t size = 0;
      std::memcpy(&size, worker.received.data() + used + 1, sizeof size);
      if (worker.received.size() - used - header < size)
        break;
      bool completed =
          worker.received[used] == static_cast<char>(Status::Completed);
      std::size_t task = worker.tasks.front();
      finish(task, {completed, worker.received.substr(used + header, size)});
      worker.tasks.pop_front();
      worker.started = Clock::now();
      used += header + size;
    }
    worker.received.erase(0, used);
  }

  void wait() {
    std::vector<pollfd> fds;
    std::vector<std::size_t> busy;
    int timeoutMs = -1;
    for (std::size_t slot = 0; slot < workers_.size(); ++slot) {
      const Worker &worker = workers_[slot];
      if (worker.tasks.empty())
        continue;
      fds.push_back({worker.resultFd, POLLIN, 0});
      busy.push_back(slot);
      if (limits_.itemTimeoutSeconds) {
        auto deadline =
            worker.started + std::chrono::seconds(limits_.itemTimeoutSeconds);
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - Clock::now())
                        .count();
        int wait = static_cast<int>(std::max<long long>(0, left) + 1);
        timeoutMs = timeoutMs < 0 ? wait : std::min(timeoutMs, wait);
      }
    }
    if (fds.empty())
      return;
    // The heap limit set in a worker misses what a sanitizer's allocator
    // maps: resident memory is watched too, every kMemoryCheck (reading it
    // after every file would cost more than many files take).
    constexpr auto kMemoryCheck = std::chrono::milliseconds(100);
    if (limits_.maxMemoryMiB) {
      int check = static_cast<int>(kMemoryCheck.count());
      timeoutMs = timeoutMs < 0 ? check : std::min(timeoutMs, check);
    }
    if (::poll(fds.data(), fds.size(), timeoutMs) < 0 && errno != EINTR)
      return;
    for (std::size_t i = 0; i < fds.size(); ++i)
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
        receive(busy[i]);
    auto now = Clock::now();
    bool checkMemory =
        limits_.maxMemoryMiB && now - lastMemoryCheck_ >= kMemoryCheck;
    if (checkMemory)
      lastMemoryCheck_ = now;
    for (std::size_t slot : busy) {
      const Worker &worker = workers_[slot];
      if (worker.tasks.empty())
        continue;
      if (limits_.itemTimeoutSeconds &&
          now - worker.started >=
              std::chrono::seconds(limits_.itemTimeoutSeconds))
        fail(slot,
             "its analysis took longer than " +
                 std::to_string(limits_.itemTimeoutSeconds) +
                 " s (--file-timeout)",
             /*kill=*/true);
      else if (checkMemory && residentMiB(worker.pid) > limits_.maxMemoryMiB)
        fail(slot,
             "its analysis needed more than " +
                 std::to_string(limits_.maxMemoryMiB) +
                 " MiB of memory (--max-memory)",
             /*kill=*/true);
    }
  }

  void receive(std::size_t slot) {
    Worker &worker = workers_[slot];
    constexpr std::size_t kChunk = 1 << 16;
    std::size_t had = worker.received.size();
    worker.received.resize(had + kChunk);
    ssize_t got = ::read(worker.resultFd, worker.received.data() + had, kChunk);
    worker.received.resize(had + std::max<ssize_t>(got, 0));
    if (got < 0 && (errno == EINTR || errno == EAGAIN))
      return;
    if (got <= 0) {
      fail(slot, "", /*kill=*/false); // it died mid-task
      return;
    }
    takeResults(slot);
  }

  const WorkerLimits limits_;
  const WorkFunction work_;
  std::vector<Worker> workers_;
  /// The run's tasks not yet sent, the next one last.
  std::vector<std::size_t> pending_;
  const std::vector<WorkTask> *tasks_ = nullptr;
  const OutcomeHandler *handle_ = nullptr;
  std::size_t done_ = 0;
  Clock::time_point lastMemoryCheck_;
};

bool sanitizedBuild() { return kSanitized; }

void outOfMemory() {
  if (inWorker)
    ::_exit(kOutOfMemoryStatus);
  std::fputs("racelint: out of memory\n", stderr);
  std::abort();
}

WorkerPool::WorkerPool(const WorkerLimits &limits, WorkFunction work)
    : pool_(std::make_unique<Pool>(limits, std::move(work))) {}

WorkerPool::~WorkerPool() = default;

std::vector<WorkOutcome> WorkerPool::run(const std::vector<WorkTask> &tasks) {
  std::vector<WorkOutcome> outcomes(tasks.size());
  run(tasks, [&](std::size_t task, WorkOutcome outcome) {
    outcomes[task] = std::move(outcome);
  });
  return outcomes;
}

void WorkerPool::run(const std::vector<WorkTask> &tasks,
                     const OutcomeHandler &handle) {
  if (tasks.empty())
    return;
  // A worker that dies leaves its pipe broken: a write to it must fail, not
  // kill the scan.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous {};
  ::sigaction(SIGPIPE, &ignore, &previous);
  pool_->run(tasks, handle);
  ::sigaction(SIGPIPE, &previous, nullptr);
}

} // namespace racelint
