#include "Workers.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>
#include <optional>
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

/// A result on the wire: status, length, bytes.
bool sendResult(int fd, Status status, const std::string &bytes) {
  std::uint64_t size = bytes.size();
  return writeAll(fd, &status, 1) && writeAll(fd, &size, sizeof size) &&
         writeAll(fd, bytes.data(), bytes.size());
}

/// Runs one item; an exception it throws is its failure.
WorkOutcome runItem(const std::function<std::string(std::size_t)> &work,
                    std::size_t item, const WorkerLimits &limits) {
  try {
    return {true, work(item)};
  } catch (const std::bad_alloc &) {
    return {false, "it ran out of memory (the limit is " +
                       std::to_string(limits.maxMemoryMiB) +
                       " MiB, --max-memory)"};
  } catch (const std::exception &error) {
    return {false, std::string("internal error: ") + error.what()};
  }
}

[[noreturn]] void
serveItems(int taskFd, int resultFd, const WorkerLimits &limits,
           const std::function<std::string(std::size_t)> &work) {
  if (limits.maxMemoryMiB && !kSanitized) {
    rlim_t bytes = static_cast<rlim_t>(limits.maxMemoryMiB) * 1024 * 1024;
    struct rlimit limit {
      bytes, bytes
    };
    ::setrlimit(RLIMIT_DATA, &limit);
  }
  std::uint64_t item = 0;
  while (readAll(taskFd, &item, sizeof item)) {
    WorkOutcome outcome = runItem(work, static_cast<std::size_t>(item), limits);
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

std::string describeExit(int status) {
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

struct Worker {
  pid_t pid = -1;
  int taskFd = -1;
  int resultFd = -1;
  std::optional<std::size_t> item;
  Clock::time_point started;
  std::string received;
};

class Pool {
public:
  Pool(std::size_t count, const WorkerLimits &limits,
       const std::function<std::string(std::size_t)> &work)
      : count_(count), limits_(limits), work_(work), outcomes_(count) {}

  std::vector<WorkOutcome> run() {
    std::size_t size =
        std::min<std::size_t>(std::max(1u, limits_.jobs), count_);
    workers_.resize(size);
    while (done_ < count_) {
      for (Worker &worker : workers_)
        if (!worker.item && next_ < count_)
          assign(worker, next_++);
      wait();
    }
    for (Worker &worker : workers_)
      stop(worker, /*kill=*/false);
    return std::move(outcomes_);
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
      serveItems(tasks[0], results[1], limits_, work_);
    }
    ::close(tasks[0]), ::close(results[1]);
    worker.pid = pid;
    worker.taskFd = tasks[1];
    worker.resultFd = results[0];
    return true;
  }

  void assign(Worker &worker, std::size_t item) {
    std::uint64_t wire = item;
    if ((worker.pid < 0 && !spawn(worker)) ||
        !writeAll(worker.taskFd, &wire, sizeof wire)) {
      if (worker.pid >= 0)
        stop(worker, /*kill=*/true);
      // No process to contain it (fork refused): analyse it here.
      finish(item, runItem(work_, item, limits_));
      return;
    }
    worker.item = item;
    worker.started = Clock::now();
    worker.received.clear();
  }

  void finish(std::size_t item, WorkOutcome outcome) {
    outcomes_[item] = std::move(outcome);
    ++done_;
  }

  /// Ends a worker; returns how it ended when it had to be reaped.
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
    worker = Worker{};
    return status;
  }

  void fail(Worker &worker, std::string reason, bool kill) {
    std::size_t item = *worker.item;
    int status = stop(worker, kill);
    finish(item, {false, reason.empty() ? describeExit(status) : reason});
  }

  /// A complete result in `received`, if there is one yet.
  static std::optional<WorkOutcome> parse(const std::string &received) {
    constexpr std::size_t header = 1 + sizeof(std::uint64_t);
    if (received.size() < header)
      return std::nullopt;
    std::uint64_t size = 0;
    std::memcpy(&size, received.data() + 1, sizeof size);
    if (received.size() - header < size)
      return std::nullopt;
    return WorkOutcome{received[0] == static_cast<char>(Status::Completed),
                       received.substr(header)};
  }

  void wait() {
    std::vector<pollfd> fds;
    std::vector<Worker *> busy;
    int timeoutMs = -1;
    for (Worker &worker : workers_) {
      if (!worker.item)
        continue;
      fds.push_back({worker.resultFd, POLLIN, 0});
      busy.push_back(&worker);
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
    // maps: resident memory is watched too.
    constexpr int kMemoryCheckMs = 100;
    if (limits_.maxMemoryMiB)
      timeoutMs =
          timeoutMs < 0 ? kMemoryCheckMs : std::min(timeoutMs, kMemoryCheckMs);
    if (::poll(fds.data(), fds.size(), timeoutMs) < 0 && errno != EINTR)
      return;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      Worker &worker = *busy[i];
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
        receive(worker);
    }
    auto now = Clock::now();
    for (Worker *worker : busy) {
      if (!worker->item)
        continue;
      if (limits_.itemTimeoutSeconds &&
          now - worker->started >=
              std::chrono::seconds(limits_.itemTimeoutSeconds))
        fail(*worker,
             "its analysis took longer than " +
                 std::to_string(limits_.itemTimeoutSeconds) +
                 " s (--file-timeout)",
             /*kill=*/true);
      else if (limits_.maxMemoryMiB &&
               residentMiB(worker->pid) > limits_.maxMemoryMiB)
        fail(*worker,
             "its analysis needed more than " +
                 std::to_string(limits_.maxMemoryMiB) +
                 " MiB of memory (--max-memory)",
             /*kill=*/true);
    }
  }

  void receive(Worker &worker) {
    char buffer[1 << 16];
    ssize_t got = ::read(worker.resultFd, buffer, sizeof buffer);
    if (got < 0 && (errno == EINTR || errno == EAGAIN))
      return;
    if (got <= 0) {
      fail(worker, "", /*kill=*/false); // it died mid-item
      return;
    }
    worker.received.append(buffer, static_cast<std::size_t>(got));
    if (std::optional<WorkOutcome> outcome = parse(worker.received)) {
      std::size_t item = *worker.item;
      worker.item.reset();
      worker.received.clear();
      finish(item, std::move(*outcome));
    }
  }

  std::size_t count_;
  const WorkerLimits &limits_;
  const std::function<std::string(std::size_t)> &work_;
  std::vector<WorkOutcome> outcomes_;
  std::vector<Worker> workers_;
  std::size_t next_ = 0, done_ = 0;
};

} // namespace

bool sanitizedBuild() { return kSanitized; }

std::vector<WorkOutcome>
runInWorkers(std::size_t count, const WorkerLimits &limits,
             const std::function<std::string(std::size_t)> &work) {
  if (count == 0)
    return {};
  // A worker that dies leaves its pipe broken: a write to it must fail, not
  // kill the scan.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous {};
  ::sigaction(SIGPIPE, &ignore, &previous);
  std::vector<WorkOutcome> outcomes = Pool(count, limits, work).run();
  ::sigaction(SIGPIPE, &previous, nullptr);
  return outcomes;
}

} // namespace racelint
