#include "Linking.h"

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

constexpr int kMaxCallDepth = 2;

using UnitIndex = std::map<std::string, const Unit *>;

void appendUnique(std::vector<EventIndex> &to,
                  const std::vector<EventIndex> &from) {
  for (EventIndex index : from)
    if (std::find(to.begin(), to.end(), index) == to.end())
      to.push_back(index);
}

/// The events of `unit` with its calls expanded `depth` levels down.
std::vector<Event> expand(const Unit &unit, const UnitIndex &units, int depth) {
  std::vector<Event> result;
  // Each original event's indices in `result`: one for a plain event; for a
  // spliced call, the callee's reads (what the call's result carries).
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

  for (EventIndex i = 0; i < unit.events.size(); ++i) {
    const Event &event = unit.events[i];
    auto callee = event.kind == EventKind::Call && depth > 0
                      ? units.find(event.detail)
                      : units.end();
    if (callee == units.end() || !callee->second || callee->second == &unit) {
      Event copy = event;
      copy.guardedBy = remap(event.guardedBy);
      copy.valueFrom = remap(event.valueFrom);
      copy.inTx = remapOne(event.inTx);
      std::vector<std::pair<std::string, EventIndex>> predicateValueFrom;
      for (const auto &[column, read] : event.predicateValueFrom)
        for (EventIndex mapped : remap({read}))
          predicateValueFrom.emplace_back(column, mapped);
      copy.predicateValueFrom = std::move(predicateValueFrom);
      newIndices[i] = {result.size()};
      result.push_back(std::move(copy));
      continue;
    }
    std::vector<EventIndex> callGuards = remap(event.guardedBy);
    std::optional<EventIndex> callTx = remapOne(event.inTx);
    EventIndex offset = result.size();
    for (Event spliced : expand(*callee->second, units, depth - 1)) {
      auto shift = [&](std::vector<EventIndex> &indices) {
        for (EventIndex &index : indices)
          index += offset;
      };
      shift(spliced.guardedBy);
      shift(spliced.valueFrom);
      // The callee's parameters become what the call passed in them.
      std::vector<unsigned> callerParameters;
      for (unsigned parameter : spliced.valueParameters) {
        if (parameter >= event.arguments.size())
          continue;
        const CallArgument &argument = event.arguments[parameter];
        spliced.valuesFromRequest |= argument.fromRequest;
        for (unsigned outer : argument.parameters)
          if (std::find(callerParameters.begin(), callerParameters.end(),
                        outer) == callerParameters.end())
            callerParameters.push_back(outer);
      }
      spliced.valueParameters = std::move(callerParameters);
      for (auto &[column, read] : spliced.predicateValueFrom)
        read += offset;
      if (spliced.inTx)
        *spliced.inTx += offset;
      else
        spliced.inTx = callTx;
      appendUnique(spliced.guardedBy, callGuards);
      spliced.calledFrom = event.where;
      if (spliced.kind == EventKind::Read) {
        newIndices[i].push_back(result.size());
        // The caller tested the returned row: those columns count too.
        if (event.testedColumns) {
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
  }
  return result;
}

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
      }
}

void addCallSites(const std::vector<FileAnalysis> &files,
                  std::vector<Finding> &findings) {
  constexpr std::size_t kMaxCallSites = 3;
  std::map<SourceLocation, std::set<SourceLocation>> callSites;
  for (const FileAnalysis &file : files)
    for (const Unit &unit : file.units)
      for (const Event &event : unit.events)
        if (event.calledFrom.valid())
          callSites[event.where].insert(event.calledFrom);
  for (Finding &finding : findings) {
    auto sites = callSites.find(finding.where);
    if (sites == callSites.end())
      continue;
    std::size_t added = 0;
    for (const SourceLocation &site : sites->second)
      if (added++ < kMaxCallSites)
        finding.related.push_back({site, "reached from this call"});
  }
}

void spliceCalls(std::vector<FileAnalysis> &files) {
  // A name two units share is ambiguous: such calls stay unresolved.
  UnitIndex units;
  for (const FileAnalysis &file : files)
    for (const Unit &unit : file.units)
      if (!unit.qualifiedName.empty()) {
        auto [it, inserted] = units.emplace(unit.qualifiedName, &unit);
        if (!inserted)
          it->second = nullptr;
      }
  std::vector<std::vector<std::vector<Event>>> expanded;
  for (const FileAnalysis &file : files) {
    auto &perFile = expanded.emplace_back();
    for (const Unit &unit : file.units)
      perFile.push_back(expand(unit, units, kMaxCallDepth));
  }
  for (std::size_t f = 0; f < files.size(); ++f)
    for (std::size_t u = 0; u < files[f].units.size(); ++u)
      files[f].units[u].events = std::move(expanded[f][u]);
}

} // namespace racelint
