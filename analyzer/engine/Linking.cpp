#include "Linking.h"
#include "NameResolution.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace racelint {
namespace {

void renameColumns(std::vector<std::string> &columns,
                   const std::map<std::string, std::string> &names) {
  for (std::string &column : columns)
    if (auto it = names.find(column); it != names.end())
      column = it->second;
}

/// A unit whose calls, expanded, would hold more events than this keeps
/// the rest of its calls unexpanded (and says so): call graphs that fan out
/// at every level grow exponentially when spliced.
constexpr std::size_t kMaxExpandedEvents = 20000;

void appendUnique(std::vector<EventIndex> &to,
                  const std::vector<EventIndex> &from) {
  for (EventIndex index : from)
    if (std::find(to.begin(), to.end(), index) == to.end())
      to.push_back(index);
}

/// The argument a call passes in the callee's parameter `parameter`: by
/// position (after the bound receiver) or by name.
const CallArgument *argumentFor(const Event &call, const Unit &callee,
                                bool bindsFirst, unsigned parameter) {
  if (parameter == 0 && bindsFirst)
    for (const CallArgument &argument : call.arguments)
      if (argument.receiver)
        return &argument;
  unsigned position = bindsFirst ? 1 : 0;
  for (const CallArgument &argument : call.arguments) {
    if (!argument.keyword.empty() || argument.receiver)
      continue;
    if (position++ == parameter)
      return &argument;
  }
  if (parameter < callee.parameterNames.size() &&
      !callee.parameterNames[parameter].empty())
    for (const CallArgument &argument : call.arguments)
      if (argument.keyword == callee.parameterNames[parameter])
        return &argument;
  return nullptr;
}

/// Renumbers the reads whose rows key values and arguments name (`#N`) by
/// `map`; a value whose read maps to no one event of the new numbering is
/// no longer known.
template <typename Map> void renumberReadOrigins(Event &event, Map map) {
  std::vector<std::pair<std::string, std::string>> keyValues;
  for (auto &[column, origin] : event.keyValues) {
    std::optional<EventIndex> read = readOfOrigin(origin);
    if (!read)
      keyValues.emplace_back(column, std::move(origin));
    else if (std::optional<EventIndex> mapped = map(*read))
      keyValues.emplace_back(column, withRead(origin, *mapped));
  }
  event.keyValues = std::move(keyValues);
  for (CallArgument &argument : event.arguments)
    if (std::optional<EventIndex> read = readOfOrigin(argument.origin)) {
      std::optional<EventIndex> mapped = map(*read);
      argument.origin = mapped ? withRead(argument.origin, *mapped) : "";
    }
}

/// Expands each unit's calls into the events of the units they reach, once
/// per unit and receiver class (memoized), with no depth limit; a call back
/// into a unit being expanded (recursion) stays a call.
class Expander {
public:
  Expander(const std::vector<FileAnalysis> &files, const ProjectIndex &index)
      : files_(files), index_(index) {}

  /// A unit's events with its calls spliced in, and which of them its
  /// result derives from (empty: not known).
  struct Expansion {
    std::vector<Event> events;
    std::vector<EventIndex> returned;
    /// Unit::exitGuards, in `events`' indices, with those of the calls it
    /// makes unconditionally.
    std::vector<EventIndex> exitGuards;
  };

  const Expansion &expand(std::size_t file, const Unit &unit,
                          ClassRef receiver) {
    Key key{&unit, receiver.facts};
    if (auto it = done_.find(key); it != done_.end())
      return it->second;
    active_.insert(key);
    Expansion expansion = expandNow(file, unit, receiver);
    active_.erase(key);
    return done_[key] = std::move(expansion);
  }

  /// Files whose units stopped expanding at kMaxExpandedEvents.
  std::set<std::pair<std::size_t, const Unit *>> truncated;

private:
  using Key = std::pair<const Unit *, const ClassFacts *>;

  Expansion expandNow(std::size_t file, const Unit &unit, ClassRef receiver) {
    std::vector<Event> result;
    // Each original event's indices in `result`: one for a plain event; for
    // a spliced call, the callee's reads (what the call's result carries).
    std::vector<std::vector<EventIndex>> newIndices(unit.events.size());
    auto remap = [&](const std::vector<EventIndex> &old) {
      std::vector<EventIndex> mapped;
      for (EventIndex index : old)
        if (index < newIndices.size())
          appendUnique(mapped, newIndices[index]);
      return mapped;
    };
    auto remapOne = [&](std::optional<EventIndex> old) {
      std::optional<EventIndex> mapped;
      if (old && *old < newIndices.size() && !newIndices[*old].empty())
        mapped = newIndices[*old].front();
      return mapped;
    };
    // A row's read, where it is one event still (a call that returns one
    // of several reads' rows is none of them).
    auto remapSingle = [&](EventIndex old) {
      std::optional<EventIndex> mapped;
      if (old < newIndices.size() && newIndices[old].size() == 1)
        mapped = newIndices[old].front();
      return mapped;
    };

    // Reads (in `result`'s indices) that a callee made on every path threw
    // unless they found their row: what follows the call ran only if they
    // did. That decides the updates and deletes of the row, not an insert
    // (a row that exists is not what an insert checked for).
    std::vector<EventIndex> existenceGuards;
    auto addExitGuards = [&](EventKind kind, std::vector<EventIndex> &guards) {
      if (kind != EventKind::Insert && kind != EventKind::Upsert)
        appendUnique(guards, existenceGuards);
    };

    for (EventIndex i = 0; i < unit.events.size(); ++i) {
      const Event &event = unit.events[i];
      std::optional<CallTarget> target;
      if (event.kind == EventKind::Call && result.size() < kMaxExpandedEvents) {
        target = index_.resolveCall(file, unit, event, receiver);
        if (target && (target->unit == &unit ||
                       active_.count({target->unit, target->receiver.facts})))
          target.reset(); // recursion: its events are being expanded
      } else if (event.kind == EventKind::Call) {
        truncated.insert({file, &unit});
      }
      if (!target) {
        Event copy = event;
        copy.guardedBy = remap(event.guardedBy);
        addExitGuards(event.kind, copy.guardedBy);
        copy.valueFrom = remap(event.valueFrom);
        copy.inTx = remapOne(event.inTx);
        std::vector<std::pair<std::string, EventIndex>> predicateValueFrom;
        for (const auto &[column, read] : event.predicateValueFrom)
          for (EventIndex mapped : remap({read}))
            predicateValueFrom.emplace_back(column, mapped);
        copy.predicateValueFrom = std::move(predicateValueFrom);
        for (CallArgument &argument : copy.arguments)
          if (argument.row)
            argument.row = remapOne(argument.row);
        renumberReadOrigins(copy, remapSingle);
        nameTableFromReceiver(copy, receiver);
        nameRowFromRead(copy, result);
        newIndices[i] = {result.size()};
        result.push_back(std::move(copy));
        continue;
      }
      std::vector<EventIndex> callGuards = remap(event.guardedBy);
      std::optional<EventIndex> callTx = remapOne(event.inTx);
      Event call = event;
      for (CallArgument &argument : call.arguments)
        if (argument.row)
          argument.row = remapOne(argument.row);
      renumberReadOrigins(call, remapSingle);
      EventIndex offset = result.size();
      const Expansion &callee =
          expand(target->file, *target->unit, target->receiver);
      // What the call's result carries: the rows the callee returns, or
      // when that is not known, every row it read.
      auto returned = [&](EventIndex inner) {
        return callee.returned.empty()
                   ? callee.events[inner].kind == EventKind::Read
                   : std::find(callee.returned.begin(), callee.returned.end(),
                               inner) != callee.returned.end();
      };
      // Reads that already decide the callee's own writes: the caller's
      // tests of the result come after those writes, so they are not
      // what decided them.
      std::vector<bool> decidesWrite(callee.events.size(), false);
      for (const Event &inner : callee.events)
        if (isWrite(inner.kind))
          for (EventIndex guard : inner.guardedBy)
            if (guard < decidesWrite.size())
              decidesWrite[guard] = true;
      for (EventIndex inner = 0; inner < callee.events.size(); ++inner) {
        Event spliced = callee.events[inner];
        auto shift = [&](std::vector<EventIndex> &indices) {
          for (EventIndex &index : indices)
            index += offset;
        };
        shift(spliced.guardedBy);
        shift(spliced.valueFrom);
        for (CallArgument &argument : spliced.arguments)
          if (argument.row)
            *argument.row += offset;
        for (auto &[column, read] : spliced.predicateValueFrom)
          read += offset;
        renumberReadOrigins(spliced, [&](EventIndex read) {
          return std::optional<EventIndex>(read + offset);
        });
        // After the shifts: what the call passes is in the caller's indices.
        bindParameters(spliced, call, *target);
        if (spliced.inTx)
          *spliced.inTx += offset;
        else
          spliced.inTx = callTx;
        nameTableFromReceiver(spliced, receiver);
        nameRowFromRead(spliced, result);
        appendUnique(spliced.guardedBy, callGuards);
        addExitGuards(spliced.kind, spliced.guardedBy);
        spliced.callPath.insert(spliced.callPath.begin(), event.where);
        if (returned(inner)) {
          newIndices[i].push_back(result.size());
          // The caller tested the returned row: those columns count too.
          if (event.testedColumns && !decidesWrite[inner]) {
            if (!spliced.testedColumns)
              spliced.testedColumns.emplace();
            for (const std::string &column : *event.testedColumns)
              if (std::find(spliced.testedColumns->begin(),
                            spliced.testedColumns->end(),
                            column) == spliced.testedColumns->end())
                spliced.testedColumns->push_back(column);
          }
        }
        result.push_back(std::move(spliced));
      }
      // Only a finder's check of existence: the helper returns the row it
      // checked (a precondition that returns nothing, such as an
      // authorization check, is about another row than the caller's), and
      // tests nothing else of it (a helper that tests the row's state
      // decides its own writes with it, not its callers').
      if (event.onEveryPath)
        for (EventIndex read : callee.exitGuards)
          if (const auto &tested = callee.events[read].testedColumns;
              tested && tested->empty() &&
              std::find(callee.returned.begin(), callee.returned.end(), read) !=
                  callee.returned.end())
            appendUnique(existenceGuards, {read + offset});
    }
    // The unit's own exits guard its callers too.
    std::vector<EventIndex> exitGuards = std::move(existenceGuards);
    appendUnique(exitGuards, remap(unit.exitGuards));
    Expansion expansion{std::move(result), remap(unit.returnedReads),
                        std::move(exitGuards)};
    dropEditsOfUnresolvedResults(expansion);
    return expansion;
  }

  /// An update or delete of a row that lowering knew only as a value: no
  /// table, table parameter or attribute, or row parameter names it yet,
  /// only the read (or call) its row came from (Event::predicateValueFrom).
  static bool editsRowNamedLater(const Event &event) {
    return (event.kind == EventKind::Update ||
            event.kind == EventKind::Delete) &&
           event.table.empty() && event.tableRef.empty() &&
           !event.tableParameter && event.tableAttribute.empty() &&
           !event.rowParameter;
  }

  /// Lowering takes what a call returns for a row the callee loaded; when
  /// the call reaches no unit of the scan (a library's `model_validate`),
  /// the edits made to its result are no write to the database.
  static void dropEditsOfUnresolvedResults(Expansion &expansion) {
    const std::vector<Event> &events = expansion.events;
    std::vector<bool> drop(events.size(), false);
    for (std::size_t i = 0; i < events.size(); ++i) {
      const Event &event = events[i];
      if (!editsRowNamedLater(event))
        continue;
      for (const auto &[column, source] : event.predicateValueFrom)
        if (column.empty() && source < events.size() &&
            events[source].kind == EventKind::Call)
          drop[i] = true;
    }
    dropEvents(expansion, drop);
  }

public:
  /// A unit's events as rules see them: a save of a row some caller had to
  /// pass in, where none did (or none that is a row), writes nothing known.
  static std::vector<Event> withoutUnboundRows(Expansion expansion) {
    std::vector<bool> drop(expansion.events.size(), false);
    for (std::size_t i = 0; i < expansion.events.size(); ++i)
      drop[i] = expansion.events[i].rowParameter.has_value() &&
                expansion.events[i].kind != EventKind::Upsert;
    dropEvents(expansion, drop);
    return std::move(expansion.events);
  }

private:
  /// Removes the events `drop` marks, keeping the links between the rest.
  static void dropEvents(Expansion &expansion, const std::vector<bool> &drop) {
    if (std::find(drop.begin(), drop.end(), true) == drop.end())
      return;
    std::vector<Event> &events = expansion.events;
    std::vector<std::optional<EventIndex>> moved(events.size());
    std::vector<Event> kept;
    for (std::size_t i = 0; i < events.size(); ++i)
      if (!drop[i]) {
        moved[i] = kept.size();
        kept.push_back(std::move(events[i]));
      }
    auto remap = [&](std::vector<EventIndex> &indices) {
      std::vector<EventIndex> mapped;
      for (EventIndex index : indices)
        if (index < moved.size() && moved[index])
          mapped.push_back(*moved[index]);
      indices = std::move(mapped);
    };
    auto remapOne = [&](std::optional<EventIndex> &index) {
      if (index)
        index = *index < moved.size() ? moved[*index] : std::nullopt;
    };
    remap(expansion.returned);
    remap(expansion.exitGuards);
    for (Event &event : kept) {
      remap(event.guardedBy);
      remap(event.valueFrom);
      remapOne(event.inTx);
      for (CallArgument &argument : event.arguments)
        remapOne(argument.row);
      std::vector<std::pair<std::string, EventIndex>> predicateValueFrom;
      for (const auto &[column, source] : event.predicateValueFrom)
        if (source < moved.size() && moved[source])
          predicateValueFrom.emplace_back(column, *moved[source]);
      event.predicateValueFrom = std::move(predicateValueFrom);
      renumberReadOrigins(event, [&](EventIndex read) {
        return read < moved.size() ? moved[read] : std::nullopt;
      });
    }
    events = std::move(kept);
  }

  /// The callee's parameters become what the call passes in them: the
  /// values it stores, the entity class that names its table, the row it
  /// saves.
  static void bindParameters(Event &spliced, const Event &call,
                             const CallTarget &target) {
    auto argument = [&](unsigned parameter) {
      return argumentFor(call, *target.unit, target.bindsFirstParameter,
                         parameter);
    };
    // A value the callee names by its parameter (`$N...`), restated from
    // the argument bound to it, when the caller's code names that; empty
    // otherwise.
    auto restate = [&](const std::string &origin) -> std::string {
      std::optional<ParameterPath> named = parameterOfOrigin(origin);
      if (!named)
        return origin; // a literal, the request, what a call passed
      const CallArgument *passed = argument(named->parameter);
      if (!passed || passed->origin.empty())
        return "";
      return passed->origin + named->path;
    };
    // A parameter's value is also what this call passed in it, whatever the
    // caller names: two of the callee's parameters stay two values.
    std::vector<std::pair<std::string, std::string>> keyValues;
    for (const auto &[column, origin] : spliced.keyValues) {
      if (std::string restated = restate(origin); !restated.empty())
        keyValues.emplace_back(column, std::move(restated));
      if (parameterOfOrigin(origin))
        keyValues.emplace_back(column, passedOrigin(call.where, origin));
    }
    spliced.keyValues = std::move(keyValues);
    std::vector<unsigned> callerParameters;
    for (unsigned parameter : spliced.valueParameters) {
      const CallArgument *passed = argument(parameter);
      if (!passed)
        continue;
      spliced.valuesFromRequest |= passed->fromRequest;
      for (unsigned outer : passed->parameters)
        if (std::find(callerParameters.begin(), callerParameters.end(),
                      outer) == callerParameters.end())
          callerParameters.push_back(outer);
    }
    spliced.valueParameters = std::move(callerParameters);
    for (CallArgument &inner : spliced.arguments) {
      // A call inside the callee passes on what the callee was given.
      inner.origin = restate(inner.origin);
      std::vector<unsigned> outerParameters;
      for (unsigned parameter : inner.parameters)
        if (const CallArgument *passed = argument(parameter)) {
          inner.fromRequest |= passed->fromRequest;
          if (!inner.row && passed->row)
            inner.row = passed->row;
          if (inner.entityTableRef.empty() && inner.receiverAttribute.empty()) {
            inner.entityTable = passed->entityTable;
            inner.entityTableRef = passed->entityTableRef;
            inner.receiverAttribute = passed->receiverAttribute;
          }
          outerParameters.insert(outerParameters.end(),
                                 passed->parameters.begin(),
                                 passed->parameters.end());
        }
      inner.parameters = std::move(outerParameters);
    }
    if (spliced.tableParameter) {
      const CallArgument *passed = argument(*spliced.tableParameter);
      spliced.tableParameter.reset();
      if (passed && !passed->entityTableRef.empty()) {
        spliced.table = passed->entityTable;
        spliced.tableRef = passed->entityTableRef;
      } else if (passed && !passed->receiverAttribute.empty()) {
        spliced.tableAttribute = passed->receiverAttribute;
      } else if (passed && passed->parameters.size() == 1) {
        spliced.tableParameter = passed->parameters.front();
      }
    }
    if (spliced.rowParameter) {
      const CallArgument *passed = argument(*spliced.rowParameter);
      spliced.rowParameter.reset();
      bool upsert = spliced.kind == EventKind::Upsert; // TypeORM's save()
      if (passed && passed->row) {
        spliced.predicateValueFrom.emplace_back("", *passed->row);
        if (upsert)
          spliced.kind = EventKind::Update;
      } else if (upsert && passed && passed->fresh) {
        spliced.kind = EventKind::Insert; // an object the caller built
      } else if (passed && passed->parameters.size() == 1) {
        spliced.rowParameter = passed->parameters.front();
      } else if (upsert) {
        // Neither loaded nor built by the caller: save() decides.
      } else if (!passed || passed->entityTableRef.empty()) {
        spliced.rowParameter = Event::kUnboundRow;
      } else {
        // A new instance the caller made: saving it inserts it.
        spliced.kind = EventKind::Insert;
        spliced.table = passed->entityTable;
        spliced.tableRef = passed->entityTableRef;
        spliced.predicateValueFrom.clear();
        spliced.testsDeclaredVersion = false;
        spliced.resultChecked = false;
      }
    }
  }

  /// `db.query(self.model)`: the table the receiver's class holds.
  void nameTableFromReceiver(Event &event, ClassRef receiver) const {
    if (event.tableAttribute.empty() || !receiver)
      return;
    if (auto entity = index_.attributeEntity(receiver, event.tableAttribute)) {
      event.table = entity->table;
      event.tableRef = entity->tableRef;
      event.tableAttribute.clear();
    }
  }

  /// An update or delete of a row the code loaded through a call (or that
  /// a caller passed in): it names the table and key of the read that
  /// loaded it, now that the read is known.
  static void nameRowFromRead(Event &event, const std::vector<Event> &result) {
    if (!editsRowNamedLater(event))
      return;
    for (const auto &[column, read] : event.predicateValueFrom)
      if (column.empty() && read < result.size() &&
          result[read].kind == EventKind::Read) {
        const Event &load = result[read];
        event.table = load.table;
        event.tableRef = load.tableRef;
        event.tableAttribute = load.tableAttribute;
        event.tableParameter = load.tableParameter;
        event.keyColumns = load.keyColumns;
        if (std::find(event.keyColumns.begin(), event.keyColumns.end(), "id") ==
            event.keyColumns.end())
          event.keyColumns.push_back("id");
        event.predicateColumns = {"id"};
        return;
      }
  }

  const std::vector<FileAnalysis> &files_;
  const ProjectIndex &index_;
  std::map<Key, Expansion> done_;
  std::set<Key> active_;
};

} // namespace

void resolveNames(std::vector<FileAnalysis> &files) {
  std::map<std::string, std::string> tables;
  std::map<std::string, std::map<std::string, std::string>> columns;
  for (const FileAnalysis &file : files) {
    tables.insert(file.tableNames.begin(), file.tableNames.end());
    for (const auto &[table, names] : file.columnNames)
      columns[table].insert(names.begin(), names.end());
  }
  for (FileAnalysis &file : files)
    for (Unit &unit : file.units)
      for (Event &event : unit.events) {
        if (!event.tableRef.empty())
          if (auto it = tables.find(event.tableRef); it != tables.end())
            event.table = it->second;
        auto names = columns.find(event.table);
        if (names == columns.end())
          continue;
        renameColumns(event.keyColumns, names->second);
        renameColumns(event.predicateColumns, names->second);
        renameColumns(event.readColumns, names->second);
        renameColumns(event.eventIdColumns, names->second);
        for (SetColumn &set : event.setColumns)
          if (auto it = names->second.find(set.column);
              it != names->second.end())
            set.column = it->second;
        for (auto &[column, read] : event.predicateValueFrom)
          if (auto it = names->second.find(column); it != names->second.end())
            column = it->second;
        for (auto &[column, value] : event.keyValues)
          if (auto it = names->second.find(column); it != names->second.end())
            column = it->second;
      }
}

void addCallSite(Finding &finding, const SourceLocation &site) {
  constexpr std::size_t kMaxCallSites = 3;
  std::size_t listed = 0;
  for (const RelatedLocation &related : finding.related)
    if (related.message == kReachedFromCall) {
      if (related.where == site)
        return;
      ++listed;
    }
  if (listed < kMaxCallSites)
    finding.related.push_back({site, kReachedFromCall});
}

void addCallSites(const std::vector<FileAnalysis> &files,
                  std::vector<Finding> &findings) {
  std::map<SourceLocation, std::set<SourceLocation>> callSites;
  // Of the paths that reach an act, the longest (from the outermost caller,
  // a handler), then the first in order: one path, the same on every run.
  std::map<SourceLocation, std::vector<SourceLocation>> paths;
  // And within each unit, the path by which it reaches an act: the one a
  // finding about that unit shows.
  using UnitKey = std::pair<std::string, SourceLocation>;
  std::map<UnitKey, std::map<SourceLocation, std::vector<SourceLocation>>>
      unitPaths;
  // The calls by which each unit reaches an act: a finding about a unit
  // names those, not the calls of callers where the act is no race.
  std::map<UnitKey, std::map<SourceLocation, std::set<SourceLocation>>>
      unitCallSites;
  auto keep = [](std::map<SourceLocation, std::vector<SourceLocation>> &in,
                 const Event &event) {
    auto [path, inserted] = in.emplace(event.where, event.callPath);
    bool longer = event.callPath.size() > path->second.size() ||
                  (event.callPath.size() == path->second.size() &&
                   event.callPath < path->second);
    if (!inserted && longer)
      path->second = event.callPath;
  };
  for (const FileAnalysis &file : files)
    for (const Unit &unit : file.units)
      for (const Event &event : unit.events) {
        if (event.callPath.empty())
          continue;
        callSites[event.where].insert(event.callPath.front());
        unitCallSites[{unit.name, unit.declared}][event.where].insert(
            event.callPath.front());
        keep(paths, event);
        keep(unitPaths[{unit.name, unit.declared}], event);
      }
  const std::map<SourceLocation, std::set<SourceLocation>> none;
  const std::map<SourceLocation, std::vector<SourceLocation>> noPaths;
  for (Finding &finding : findings) {
    const auto &sitesByAct = finding.unit.first.empty() ? callSites
                             : unitCallSites.count(finding.unit)
                                 ? unitCallSites.at(finding.unit)
                                 : none;
    if (auto sites = sitesByAct.find(finding.where); sites != sitesByAct.end())
      for (const SourceLocation &site : sites->second)
        addCallSite(finding, site);
    // Each step of the code flow (the act, the check; for a handler's
    // finding, the effects it names) is reached where the application calls
    // in, hop by hop; a hop two steps share is listed once.
    const auto &ownPaths = finding.unit.first.empty() ? paths
                           : unitPaths.count(finding.unit)
                               ? unitPaths.at(finding.unit)
                               : noPaths;
    std::vector<RelatedLocation> steps = finding.flow;
    bool actIsStep = std::any_of(steps.begin(), steps.end(),
                                 [&](const RelatedLocation &step) {
                                   return step.where == finding.where;
                                 });
    if (steps.empty() && !ownPaths.count(finding.where)) {
      for (const RelatedLocation &related : finding.related)
        if (ownPaths.count(related.where))
          steps.push_back(related);
    } else if (!actIsStep && ownPaths.count(finding.where)) {
      steps.insert(steps.begin(), {finding.where, "the act"});
    }
    std::vector<RelatedLocation> flow;
    std::set<SourceLocation> listed;
    for (const RelatedLocation &step : steps) {
      if (auto path = ownPaths.find(step.where); path != ownPaths.end())
        for (const SourceLocation &site : path->second)
          if (listed.insert(site).second)
            flow.push_back({site, "calls the code below"});
      flow.push_back(step);
    }
    if (flow.size() > finding.flow.size())
      finding.flow = std::move(flow);
  }
}

void spliceCalls(std::vector<FileAnalysis> &files) {
  ProjectIndex index(files);
  Expander expander(files, index);
  std::vector<std::vector<std::vector<Event>>> expanded;
  for (std::size_t f = 0; f < files.size(); ++f) {
    auto &perFile = expanded.emplace_back();
    for (const Unit &unit : files[f].units)
      perFile.push_back(Expander::withoutUnboundRows(
          expander.expand(f, unit, index.classOf(f, unit))));
  }
  for (const auto &[file, unit] : expander.truncated)
    files[file].diagnostics.push_back(
        {Level::Note, "call-graph-too-large",
         unit->name + ": the calls it makes reach more than " +
             std::to_string(kMaxExpandedEvents) +
             " events; the rest of its calls are not followed",
         unit->declared});
  for (std::size_t f = 0; f < files.size(); ++f)
    for (std::size_t u = 0; u < files[f].units.size(); ++u)
      files[f].units[u].events = std::move(expanded[f][u]);
}

} // namespace racelint
