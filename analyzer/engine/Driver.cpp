#include "Driver.h"

#include "EsModules.h"
#include "Linking.h"
#include "MigrationOrder.h"
#include "Suppressions.h"
#include "Workers.h"
#include "model/SchemaChange.h"
#include "model/Serialization.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <tuple>

namespace racelint {
namespace {

const Frontend *
frontendFor(const std::vector<std::unique_ptr<Frontend>> &frontends,
            const std::string &path) {
  for (const auto &frontend : frontends)
    if (frontend->handles(path))
      return frontend.get();
  return nullptr;
}

} // namespace

#ifdef RACELINT_DEBUG_FAULTS
/// Test builds only (RACELINT_DEBUG_FAULTS), to test fault containment end
/// to end as Clang's
/// `#pragma clang __debug crash` does: a file that says
/// `racelint __debug crash`, `hang` or `allocate` makes its analysis do so.
void injectDebugFault(const std::string &text) {
  constexpr std::string_view marker = "racelint __debug ";
  std::size_t at = text.find(marker);
  if (at == std::string::npos)
    return;
  std::string_view fault = std::string_view(text).substr(at + marker.size());
  if (fault.starts_with("crash"))
    std::abort();
  if (fault.starts_with("hang"))
    for (;;)
      std::this_thread::sleep_for(std::chrono::seconds(1));
  if (fault.starts_with("allocate"))
    for (std::vector<std::string> hoard;;)
      hoard.emplace_back(std::size_t(64) << 20, 'x');
}
#endif

FileOutcome analyzeFile(const DiscoveredFile &file, const Frontend &frontend,
                        const ReadOptions &readOptions,
                        const NameHandles *handles) {
  FileOutcome outcome;
  std::vector<Diagnostic> readDiagnostics;
  outcome.source = readSourceFile(file.fsPath, file.displayPath, readOptions,
                                  readDiagnostics);
  if (outcome.source) {
    try {
#ifdef RACELINT_DEBUG_FAULTS
      injectDebugFault(outcome.source->text());
#endif
      outcome.analysis = handles
                             ? frontend.analyzeWith(*outcome.source, handles)
                             : frontend.analyze(*outcome.source, file.fsPath);
    } catch (const std::bad_alloc &) {
      throw; // the worker reports the memory limit
    } catch (const std::exception &error) {
      // A front-end bug must cost one file, never the scan.
      outcome.analysis = {};
      Diagnostic diagnostic;
      diagnostic.level = Level::Error;
      diagnostic.code = "internal-error";
      diagnostic.message =
          std::string("file not analysed: internal error: ") + error.what();
      diagnostic.where.file = file.displayPath;
      readDiagnostics.push_back(std::move(diagnostic));
    }
  }
  outcome.analysis.path = file.displayPath;
  outcome.analysis.diagnostics.insert(outcome.analysis.diagnostics.begin(),
                                      readDiagnostics.begin(),
                                      readDiagnostics.end());
  return outcome;
}

namespace {

/// A file's outcome as a worker sends it: whether it was read, its text, and
/// the analysis.
std::string encodeOutcome(const FileOutcome &outcome) {
  std::string bytes(1, outcome.source ? '1' : '0');
  std::string text = outcome.source ? outcome.source->text() : std::string();
  std::uint64_t size = text.size();
  bytes.append(reinterpret_cast<const char *>(&size), sizeof size);
  bytes += text;
  bytes += serialize(outcome.analysis);
  return bytes;
}

FileOutcome decodeOutcome(std::string_view bytes, const std::string &path) {
  constexpr std::size_t header = 1 + sizeof(std::uint64_t);
  std::uint64_t size = 0;
  if (bytes.size() < header)
    throw std::runtime_error("truncated analysis results");
  std::memcpy(&size, bytes.data() + 1, sizeof size);
  if (bytes.size() - header < size)
    throw std::runtime_error("truncated analysis results");
  FileOutcome outcome;
  if (bytes[0] == '1')
    outcome.source.emplace(path, std::string(bytes.substr(header, size)));
  outcome.analysis = deserializeFileAnalysis(bytes.substr(header + size));
  return outcome;
}

/// A file whose analysis crashed, hung or ran out of memory: reported, and
/// otherwise left out.
FileOutcome failedOutcome(const DiscoveredFile &file,
                          const std::string &reason) {
  FileOutcome outcome;
  outcome.analysis.path = file.displayPath;
  Diagnostic diagnostic;
  diagnostic.level = Level::Error;
  diagnostic.code = "analysis-failed";
  diagnostic.message = "file not analysed: " + reason;
  diagnostic.where.file = file.displayPath;
  outcome.analysis.diagnostics.push_back(std::move(diagnostic));
  return outcome;
}

/// Analyses the scan's files: in worker processes (isolateFiles), which live
/// across both lowerings, or in threads.
class FileAnalyzer {
public:
  FileAnalyzer(const std::vector<DiscoveredFile> &files,
               const std::vector<std::unique_ptr<Frontend>> &frontends,
               const ScanOptions &options)
      : files_(files), frontends_(frontends), options_(options) {
    if (!options.isolateFiles)
      return;
    WorkerLimits limits;
    limits.jobs = options.jobs;
    limits.itemTimeoutSeconds = options.fileTimeoutSeconds;
    limits.maxMemoryMiB = options.maxMemoryMiB;
    pool_.emplace(limits, [this](std::size_t item, std::string_view payload) {
      if (payload.empty())
        return encodeOutcome(analyzeOne(item, nullptr));
      NameHandles handles = deserializeNameHandles(payload);
      return encodeOutcome(analyzeOne(item, &handles));
    });
  }

  /// The outcomes of the files `which` (indices into the scan's files), each
  /// lowered with `handles[k]` when handles are given.
  std::vector<FileOutcome>
  analyze(const std::vector<std::size_t> &which,
          const std::vector<const NameHandles *> &handles) {
    return pool_ ? inWorkers(which, handles) : inThreads(which, handles);
  }

private:
  FileOutcome analyzeOne(std::size_t item, const NameHandles *handles) const {
    const DiscoveredFile &file = files_[item];
    return analyzeFile(file, *frontendFor(frontends_, file.fsPath),
                       options_.read, handles);
  }

  std::vector<FileOutcome>
  inWorkers(const std::vector<std::size_t> &which,
            const std::vector<const NameHandles *> &handles) {
    std::vector<WorkTask> tasks;
    tasks.reserve(which.size());
    for (std::size_t k = 0; k < which.size(); ++k)
      tasks.push_back(
          {which[k], handles.empty() ? std::string() : serialize(*handles[k])});
    std::vector<FileOutcome> outcomes(which.size());
    // Each outcome is decoded while the workers analyse the next files.
    pool_->run(tasks, [&](std::size_t k, WorkOutcome result) {
      const DiscoveredFile &file = files_[which[k]];
      if (!result.completed) {
        outcomes[k] = failedOutcome(file, result.bytes);
        return;
      }
      try {
        outcomes[k] = decodeOutcome(result.bytes, file.displayPath);
      } catch (const std::exception &error) {
        outcomes[k] = failedOutcome(file, error.what());
      }
    });
    return outcomes;
  }

  std::vector<FileOutcome>
  inThreads(const std::vector<std::size_t> &which,
            const std::vector<const NameHandles *> &handles) const {
    std::vector<FileOutcome> outcomes(which.size());
    std::atomic<std::size_t> next{0};
    auto work = [&] {
      for (std::size_t k = next++; k < which.size(); k = next++) {
        try {
          outcomes[k] =
              analyzeOne(which[k], handles.empty() ? nullptr : handles[k]);
        } catch (const std::bad_alloc &) {
          outcomes[k] = failedOutcome(files_[which[k]], "it ran out of memory");
        }
      }
    };
    unsigned workers =
        std::max(1u, std::min<unsigned>(options_.jobs, which.size()));
    std::vector<std::jthread> threads;
    for (unsigned i = 1; i < workers; ++i)
      threads.emplace_back(work);
    work();
    threads.clear(); // joins
    return outcomes;
  }

  const std::vector<DiscoveredFile> &files_;
  const std::vector<std::unique_ptr<Frontend>> &frontends_;
  const ScanOptions &options_;
  std::optional<WorkerPool> pool_;
};

/// A file lowered without the project's index took some imported names for
/// what their own file alone cannot say (`getAdminClient()`'s result, the
/// instances of `class BandsRepository extends Repository<Band>`): it is
/// lowered again, with what the index resolved for them.
void lowerAgainWithHandles(FileAnalyzer &analyzer, const ScanOptions &options,
                           ScanResult &result) {
  EsModules modules(result.files, options.baseDirectory);
  result.diagnostics.insert(result.diagnostics.end(),
                            modules.diagnostics().begin(),
                            modules.diagnostics().end());
  std::vector<NameHandles> learned = modules.learnedHandles();
  std::vector<std::size_t> again;
  std::vector<const NameHandles *> handles;
  for (std::size_t i = 0; i < learned.size(); ++i)
    if (!learned[i].empty()) {
      again.push_back(i);
      handles.push_back(&learned[i]);
    }
  if (again.empty())
    return;
  std::vector<FileOutcome> outcomes = analyzer.analyze(again, handles);
  for (std::size_t k = 0; k < again.size(); ++k) {
    FileAnalysis &first = result.files[again[k]];
    if (outcomes[k].source) {
      first = std::move(outcomes[k].analysis);
      continue;
    }
    // Failing only the second time: the first lowering stands, and why the
    // second failed is said.
    first.diagnostics.insert(first.diagnostics.end(),
                             outcomes[k].analysis.diagnostics.begin(),
                             outcomes[k].analysis.diagnostics.end());
  }
}

bool locationLess(const SourceLocation &a, const SourceLocation &b) {
  return std::tie(a.file, a.line, a.column, a.endLine, a.endColumn) <
         std::tie(b.file, b.line, b.column, b.endLine, b.endColumn);
}

/// A function defined in a header is lowered with every translation unit
/// that includes it: only its first copy is kept, so that the header's
/// findings are reported once and calls to it stay unambiguous.
void dropRepeatedUnits(std::vector<FileAnalysis> &files) {
  std::set<std::pair<SourceLocation, std::string>> seen;
  for (FileAnalysis &file : files)
    std::erase_if(file.units, [&](const Unit &unit) {
      return unit.declared.valid() && unit.declared.file != file.path &&
             !seen.emplace(unit.declared, unit.name).second;
    });
}

/// Code the front-ends lowered from files they were not given (C++ headers)
/// is read too, so that its findings show their source and can be
/// suppressed there.
void readIncludedSources(ScanResult &result, const ScanOptions &options) {
  std::set<std::string> wanted;
  for (const FileAnalysis &file : result.files)
    for (const Unit &unit : file.units) {
      wanted.insert(unit.declared.file);
      for (const Event &event : unit.events)
        wanted.insert(event.where.file);
    }
  for (const std::string &display : wanted) {
    if (display.empty() || result.sources.count(display))
      continue;
    std::filesystem::path path(display);
    if (path.is_relative())
      path = std::filesystem::path(options.baseDirectory) / path;
    std::vector<Diagnostic> ignored; // the compiler read it: it is there
    if (auto source =
            readSourceFile(path.string(), display, options.read, ignored))
      result.sources.emplace(display, std::move(*source));
  }
}

/// Calls `visit` on every event of the ORM code (Python) of the scan.
template <typename Visit>
void forEachOrmEvent(ScanResult &result, Visit visit) {
  for (FileAnalysis &file : result.files)
    if (file.ormCode)
      for (Unit &unit : file.units)
        for (Event &event : unit.events)
          visit(event);
}

/// When SQLite is the only database the configuration names, an ORM's row
/// locks lock nothing (SQLAlchemy leaves FOR UPDATE out, Django makes
/// select_for_update() a no-op): the reads they guard are analysed as
/// unlocked, and a note says why.
void dropLocksSqliteIgnores(ScanResult &result) {
  std::map<std::string, SourceLocation> dialects;
  for (const FileAnalysis &file : result.files)
    for (const auto &[dialect, where] : file.databaseDialects)
      if (!dialects.count(dialect) || locationLess(where, dialects[dialect]))
        dialects[dialect] = where;
  if (dialects.size() != 1 || !dialects.count("sqlite"))
    return;
  bool dropped = false;
  forEachOrmEvent(result, [&](Event &event) {
    if (event.kind == EventKind::Read && event.lock != RowLock::None) {
      event.lock = RowLock::None;
      dropped = true;
    }
  });
  if (!dropped)
    return;
  Diagnostic note;
  note.level = Level::Note;
  note.code = "sqlite-row-locks";
  note.where = dialects["sqlite"];
  note.message = "the only database configured is SQLite, which has no row "
                 "locks: with_for_update() and select_for_update() lock "
                 "nothing, so the reads they guard are analysed as unlocked";
  result.diagnostics.push_back(std::move(note));
}

/// One isolation level for every engine the Python code creates
/// (`create_engine(..., isolation_level="SERIALIZABLE")`): the level of its
/// sessions' transactions that set none of their own.
void applyEngineIsolation(ScanResult &result) {
  std::set<Isolation> levels;
  for (const FileAnalysis &file : result.files)
    levels.insert(file.engineIsolations.begin(), file.engineIsolations.end());
  if (levels.size() != 1)
    return;
  Isolation isolation = *levels.begin();
  forEachOrmEvent(result, [&](Event &event) {
    if (event.kind == EventKind::TxBegin &&
        event.isolation == Isolation::Unspecified)
      event.isolation = isolation;
  });
}

/// A table named without its schema is found as PostgreSQL's search path
/// would find it: in `public`, or else in the one other schema the
/// migrations create it in (an application kept in `app.orders` that its
/// code calls `orders`).
void resolveUnqualifiedTables(ScanResult &result) {
  std::map<std::string, std::set<std::string>> schemasOf;
  for (const auto &[name, table] : result.schema.tables())
    if (std::size_t dot = name.rfind('.'); dot != std::string::npos)
      schemasOf[name.substr(dot + 1)].insert(name);
  if (schemasOf.empty())
    return;
  for (FileAnalysis &file : result.files)
    for (Unit &unit : file.units)
      for (Event &event : unit.events)
        if (auto it = schemasOf.find(event.table);
            it != schemasOf.end() && it->second.size() == 1 &&
            !result.schema.findTable(event.table))
          event.table = *it->second.begin();
}

} // namespace

void buildSchemaAndCheck(ScanResult &result,
                         const std::vector<std::unique_ptr<Rule>> &rules) {
  std::map<std::string, std::string> alembicParents;
  for (const FileAnalysis &file : result.files)
    if (!file.migrationRevision.empty())
      alembicParents[file.migrationRevision] = file.migrationParent;
  std::map<std::string, std::uint64_t> alembicOrder =
      revisionChainOrder(alembicParents);
  std::vector<std::pair<MigrationOrderKey, const FileAnalysis *>> migrations;
  for (const FileAnalysis &file : result.files) {
    if (file.schemaChanges.empty())
      continue;
    MigrationOrderKey key = migrationOrderKey(file.path);
    if (auto position = alembicOrder.find(file.migrationRevision);
        position != alembicOrder.end()) {
      key.group = 0; // by the revision chain, whatever the file names say
      key.version = {position->second};
    }
    migrations.emplace_back(std::move(key), &file);
  }
  std::sort(migrations.begin(), migrations.end(),
            [](const auto &a, const auto &b) { return a.first < b.first; });
  std::map<std::string, std::string> aliases;
  for (const FileAnalysis &file : result.files)
    aliases.insert(file.tableAliases.begin(), file.tableAliases.end());
  for (const auto &[key, file] : migrations)
    for (const SchemaChange &change : file->schemaChanges) {
      auto alias = aliases.find(change.table);
      if (alias == aliases.end()) {
        applySchemaChange(result.schema, change);
        continue;
      }
      SchemaChange renamed = change;
      renamed.table = alias->second;
      applySchemaChange(result.schema, renamed);
    }

  dropRepeatedUnits(result.files);
  dropLocksSqliteIgnores(result);
  applyEngineIsolation(result);
  // Splicing names tables by entity classes; resolving maps them after.
  spliceCalls(result.files);
  resolveNames(result.files);
  resolveUnqualifiedTables(result);
  RuleInput input{result.schema, result.files};
  for (const auto &rule : rules)
    rule->check(input, result.findings);

  for (Finding &finding : result.findings) {
    auto source = result.sources.find(finding.where.file);
    if (source != result.sources.end())
      finding.suppression = findSuppression(source->second, finding);
  }
  addCallSites(result.files, result.findings);
  auto findingKey = [](const Finding &f) {
    return std::tie(f.where.file, f.where.line, f.where.column, f.ruleId,
                    f.message);
  };
  // The same act reported in several calling contexts is reported once,
  // with the longest code flow: from the outermost caller, the handler.
  auto flowWheres = [](const Finding &f) {
    std::vector<SourceLocation> wheres;
    for (const RelatedLocation &step : f.flow)
      wheres.push_back(step.where);
    return wheres;
  };
  std::sort(result.findings.begin(), result.findings.end(),
            [&](const Finding &a, const Finding &b) {
              if (findingKey(a) != findingKey(b))
                return findingKey(a) < findingKey(b);
              if (a.flow.size() != b.flow.size())
                return a.flow.size() > b.flow.size();
              return flowWheres(a) < flowWheres(b);
            });
  // It is reached from the calls of every context that reported it.
  for (std::size_t kept = 0, i = 1; i < result.findings.size(); ++i) {
    if (findingKey(result.findings[i]) != findingKey(result.findings[kept])) {
      kept = i;
      continue;
    }
    for (const RelatedLocation &related : result.findings[i].related)
      if (related.message == kReachedFromCall)
        addCallSite(result.findings[kept], related.where);
  }
  result.findings.erase(std::unique(result.findings.begin(),
                                    result.findings.end(),
                                    [&](const Finding &a, const Finding &b) {
                                      return findingKey(a) == findingKey(b);
                                    }),
                        result.findings.end());

  for (const FileAnalysis &file : result.files)
    result.diagnostics.insert(result.diagnostics.end(),
                              file.diagnostics.begin(), file.diagnostics.end());
  std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                   [](const Diagnostic &a, const Diagnostic &b) {
                     return locationLess(a.where, b.where);
                   });
  // A header's compile error is met by every translation unit including it.
  result.diagnostics.erase(
      std::unique(result.diagnostics.begin(), result.diagnostics.end(),
                  [](const Diagnostic &a, const Diagnostic &b) {
                    return a.where == b.where && a.code == b.code &&
                           a.message == b.message;
                  }),
      result.diagnostics.end());
}

ScanResult scan(const ScanOptions &options,
                const std::vector<std::unique_ptr<Frontend>> &frontends,
                const std::vector<std::unique_ptr<Rule>> &rules) {
  ScanResult result;
  DiscoveryResult discovered = discoverFiles(
      options.paths, options.baseDirectory,
      [&](const std::string &path) {
        return frontendFor(frontends, path) != nullptr;
      },
      options.excludedNames);
  result.missingPath = discovered.missingPath;

  result.diagnostics = std::move(discovered.diagnostics);
  {
    // Its workers end here.
    FileAnalyzer analyzer(discovered.files, frontends, options);
    std::vector<std::size_t> everyFile(discovered.files.size());
    for (std::size_t i = 0; i < everyFile.size(); ++i)
      everyFile[i] = i;
    std::vector<FileOutcome> outcomes = analyzer.analyze(everyFile, {});
    // In discovery order (sorted paths), whatever the job count.
    for (FileOutcome &outcome : outcomes) {
      if (outcome.source)
        result.sources.emplace(outcome.analysis.path,
                               std::move(*outcome.source));
      result.files.push_back(std::move(outcome.analysis));
    }
    lowerAgainWithHandles(analyzer, options, result);
  }
  readIncludedSources(result, options);
  buildSchemaAndCheck(result, rules);
  return result;
}

} // namespace racelint
