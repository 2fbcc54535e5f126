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

/// A result on the wire: status, length, bytes. Written at once, so that the
/// scan wakes up once per result, not once per part.
bool sendResult(int fd, Status status, std::string bytes) {
  std::uint64_t size = bytes.size();
  std::string header(1, static_cast<char>(status));
  header.append(reinterpret_cast<const char *>(&size), sizeof size);
  bytes.insert(0, header);
  return writeAll(fd, bytes.data(), bytes.size());
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
                    std::move(outcome.bytes)))
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

/// Items a worker holds at once: the one it runs and the next, so that it
/// never waits for the scan to hand it work.
constexpr std::size_t kItemsInFlight = 2;

struct Worker {
  pid_t pid = -1;
  int taskFd = -1;
  int resultFd = -1;
  /// The items sent, in the order the worker runs them: the first is running.
  std::deque<std::size_t> items;
  /// When the first item started: when it was sent, or when the one before
  /// it finished.
  Clock::time_point started;
  std::string received;
};

class Pool {
public:
  Pool(std::size_t count, const WorkerLimits &limits,
       const std::function<std::string(std::size_t)> &work)
      : count_(count), limits_(limits), work_(work), outcomes_(count) {
    for (std::size_t item = count; item-- > 0;)
      pending_.push_back(item);
  }

  std::vector<WorkOutcome> run() {
    std::size_t size =
        std::min<std::size_t>(std::max(1u, limits_.jobs), count_);
    workers_.resize(size);
    while (done_ < count_) {
      for (Worker &worker : workers_)
        while (worker.items.size() < kItemsInFlight && !pending_.empty()) {
          std::size_t item = pending_.back();
          pending_.pop_back();
          assign(worker, item);
        }
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
    if (worker.pid < 0 && !spawn(worker)) {
      // No process to contain it (fork refused): analyse it here.
      finish(item, runItem(work_, item, limits_));
      return;
    }
    std::uint64_t wire = item;
    if (!writeAll(worker.taskFd, &wire, sizeof wire)) {
      // The worker died on the item it was running: that one fails, and this
      // one waits for the next worker.
      pending_.push_back(item);
      if (worker.items.empty())
        stop(worker, /*kill=*/true);
      else
        fail(worker, "", /*kill=*/true);
      return;
    }
    if (worker.items.empty()) {
      worker.started = Clock::now();
      worker.received.clear();
    }
    worker.items.push_back(item);
  }

  void finish(std::size_t item, WorkOutcome outcome) {
    outcomes_[item] = std::move(outcome);
    ++done_;
  }

  /// Ends a worker; returns how it ended when it had to be reaped. The items
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
    pending_.insert(pending_.end(), worker.items.rbegin(), worker.items.rend());
    worker = Worker{};
    return status;
  }

  /// The running item fails with `reason` (or how the worker ended).
  void fail(Worker &worker, std::string reason, bool kill) {
    std::size_t item = worker.items.front();
    worker.items.pop_front();
    int status = stop(worker, kill);
    finish(item, {false, reason.empty() ? describeExit(status) : reason});
  }

  /// The complete results at the start of `received`, taken out of it.
  void takeResults(Worker &worker) {
    constexpr std::size_t header = 1 + sizeof(std::uint64_t);
    std::size_t used = 0;
    while (!worker.items.empty() && worker.received.size() - used >= header) {
      std::uint64_t size = 0;
      std::memcpy(&size, worker.received.data() + used + 1, sizeof size);
      if (worker.received.size() - used - header < size)
        break;
      bool completed =
          worker.received[used] == static_cast<char>(Status::Completed);
      finish(worker.items.front(),
             {completed, worker.received.substr(used + header, size)});
      worker.items.pop_front();
      worker.started = Clock::now();
      used += header + size;
    }
    worker.received.erase(0, used);
  }

  void wait() {
    std::vector<pollfd> fds;
    std::vector<Worker *> busy;
    int timeoutMs = -1;
    for (Worker &worker : workers_) {
      if (worker.items.empty())
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
    // maps: resident memory is watched too, every kMemoryCheck (reading it
    // after every file would cost more than many files take).
    constexpr auto kMemoryCheck = std::chrono::milliseconds(100);
    if (limits_.maxMemoryMiB) {
      int check = static_cast<int>(kMemoryCheck.count());
      timeoutMs = timeoutMs < 0 ? check : std::min(timeoutMs, check);
    }
    if (::poll(fds.data(), fds.size(), timeoutMs) < 0 && errno != EINTR)
      return;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      Worker &worker = *busy[i];
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
        receive(worker);
    }
    auto now = Clock::now();
    bool checkMemory =
        limits_.maxMemoryMiB && now - lastMemoryCheck_ >= kMemoryCheck;
    if (checkMemory)
      lastMemoryCheck_ = now;
    for (Worker *worker : busy) {
      if (worker->items.empty())
        continue;
      if (limits_.itemTimeoutSeconds &&
          now - worker->started >=
              std::chrono::seconds(limits_.itemTimeoutSeconds))
        fail(*worker,
             "its analysis took longer than " +
                 std::to_string(limits_.itemTimeoutSeconds) +
                 " s (--file-timeout)",
             /*kill=*/true);
      else if (checkMemory && residentMiB(worker->pid) > limits_.maxMemoryMiB)
        fail(*worker,
             "its analysis needed more than " +
                 std::to_string(limits_.maxMemoryMiB) +
                 " MiB of memory (--max-memory)",
             /*kill=*/true);
    }
  }

  void receive(Worker &worker) {
    constexpr std::size_t kChunk = 1 << 16;
    std::size_t had = worker.received.size();
    worker.received.resize(had + kChunk);
    ssize_t got = ::read(worker.resultFd, worker.received.data() + had, kChunk);
    worker.received.resize(had + std::max<ssize_t>(got, 0));
    if (got < 0 && (errno == EINTR || errno == EAGAIN))
      return;
    if (got <= 0) {
      fail(worker, "", /*kill=*/false); // it died mid-item
      return;
    }
    takeResults(worker);
  }

  std::size_t count_;
  const WorkerLimits &limits_;
  const std::function<std::string(std::size_t)> &work_;
  std::vector<WorkOutcome> outcomes_;
  std::vector<Worker> workers_;
  /// Items not yet sent, the next one last.
  std::vector<std::size_t> pending_;
  std::size_t done_ = 0;
  Clock::time_point lastMemoryCheck_;
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
