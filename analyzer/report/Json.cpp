#include "Report.h"

#include <nlohmann/json.hpp>

namespace racelint {
namespace {

nlohmann::ordered_json locationJson(const SourceLocation &where) {
  return {{"file", where.file},
          {"line", where.line},
          {"column", where.column},
          {"endLine", where.endLine},
          {"endColumn", where.endColumn}};
}

std::string position(const SourceLocation &where) {
  return where.file + ":" + std::to_string(where.line) + ":" +
         std::to_string(where.column);
}

nlohmann::ordered_json eventJson(const Event &event) {
  nlohmann::ordered_json item;
  item["kind"] = toString(event.kind);
  item["at"] = position(event.where);
  auto put = [&](const char *key, const auto &value, bool present) {
    if (present)
      item[key] = value;
  };
  put("table", event.table, !event.table.empty());
  put("detail", event.detail, !event.detail.empty());
  put("key", event.keyColumns, !event.keyColumns.empty());
  put("predicate", event.predicateColumns, !event.predicateColumns.empty());
  put("reads", event.readColumns, !event.readColumns.empty());
  put("readsAll", true, event.readsAllColumns);
  nlohmann::ordered_json sets = nlohmann::ordered_json::array();
  for (const SetColumn &set : event.setColumns)
    sets.push_back(set.column + (set.atomic ? " (atomic)" : ""));
  put("sets", sets, !event.setColumns.empty());
  put("lock", static_cast<int>(event.lock), event.lock != RowLock::None);
  put("isolation", static_cast<int>(event.isolation),
      event.isolation != Isolation::Unspecified);
  put("resultChecked", true, event.resultChecked);
  put("uniqueViolationHandled", true, event.uniqueViolationHandled);
  put("valuesFromRequest", true, event.valuesFromRequest);
  put("incrementsDeclaredVersion", true, event.incrementsDeclaredVersion);
  if (event.testedColumns)
    item["tested"] = *event.testedColumns;
  put("effect", event.effectKind, !event.effectKind.empty());
  put("idempotencyKeyPassed", true, event.idempotencyKeyPassed);
  put("idempotencyKeyRandom", true, event.idempotencyKeyRandom);
  put("eventIdColumns", event.eventIdColumns, !event.eventIdColumns.empty());
  put("guardedBy", event.guardedBy, !event.guardedBy.empty());
  put("valueFrom", event.valueFrom, !event.valueFrom.empty());
  nlohmann::ordered_json compared = nlohmann::ordered_json::array();
  for (const auto &[column, read] : event.predicateValueFrom)
    compared.push_back({column, read});
  put("predicateValueFrom", compared, !event.predicateValueFrom.empty());
  nlohmann::ordered_json keyValues = nlohmann::ordered_json::array();
  for (const auto &[column, value] : event.keyValues)
    keyValues.push_back({column, value});
  put("keyValues", keyValues, !event.keyValues.empty());
  if (event.inTx)
    item["inTx"] = *event.inTx;
  return item;
}

} // namespace

std::string writeModelJson(const ScanResult &scan) {
  nlohmann::ordered_json document;
  document["tables"] = nlohmann::ordered_json::object();
  for (const auto &[name, table] : scan.schema.tables()) {
    nlohmann::ordered_json item;
    nlohmann::ordered_json columns = nlohmann::ordered_json::array();
    for (const Column &column : table.columns)
      columns.push_back(column.name + (column.nullable ? "" : " not null") +
                        (column.hasDefault ? " default" : ""));
    item["columns"] = columns;
    nlohmann::ordered_json keys = nlohmann::ordered_json::array();
    for (const UniqueKey &key : table.uniqueKeys)
      keys.push_back({{"name", key.name},
                      {"columns", key.columns},
                      {"primary", key.primary},
                      {"partial", key.partial}});
    item["uniqueKeys"] = keys;
    if (const Column *version = table.versionColumn())
      item["version"] = version->name;
    document["tables"][name] = item;
  }
  document["units"] = nlohmann::ordered_json::array();
  for (const FileAnalysis &file : scan.files)
    for (const Unit &unit : file.units) {
      nlohmann::ordered_json item;
      item["name"] = unit.name;
      item["at"] = position(unit.declared);
      if (unit.http)
        item["http"] = {
            {"method", unit.http->method},
            {"route", unit.http->route},
            {"headersRead", unit.http->headersRead},
            {"webhook", unit.http->webhook},
            {"idempotencyMiddleware", unit.http->idempotencyMiddleware}};
      item["events"] = nlohmann::ordered_json::array();
      for (const Event &event : unit.events)
        item["events"].push_back(eventJson(event));
      document["units"].push_back(std::move(item));
    }
  return document.dump(2, ' ', false,
                       nlohmann::ordered_json::error_handler_t::replace) +
         "\n";
}

std::string writeJson(const ReportInput &input) {
  nlohmann::ordered_json document;
  document["tool"] = {{"name", "racelint"}, {"version", input.toolVersion}};
  document["findings"] = nlohmann::ordered_json::array();
  for (const Finding &finding : input.scan.findings) {
    nlohmann::ordered_json item;
    item["ruleId"] = finding.ruleId;
    item["level"] = toString(finding.level);
    item["message"] = plainMessage(finding.message);
    item["location"] = locationJson(finding.where);
    item["related"] = nlohmann::ordered_json::array();
    for (const RelatedLocation &related : finding.related) {
      nlohmann::ordered_json entry = locationJson(related.where);
      entry["message"] = related.message;
      item["related"].push_back(std::move(entry));
    }
    if (finding.suppression)
      item["suppressed"] = *finding.suppression;
    document["findings"].push_back(std::move(item));
  }
  document["notifications"] = nlohmann::ordered_json::array();
  for (const Diagnostic &diagnostic : input.scan.diagnostics) {
    nlohmann::ordered_json item;
    item["id"] = diagnostic.code;
    item["level"] = toString(diagnostic.level);
    item["message"] = diagnostic.message;
    item["location"] = locationJson(diagnostic.where);
    document["notifications"].push_back(std::move(item));
  }
  return document.dump(2, ' ', false,
                       nlohmann::ordered_json::error_handler_t::replace) +
         "\n";
}

} // namespace racelint
