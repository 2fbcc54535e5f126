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

} // namespace

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
  return document.dump(2) + "\n";
}

} // namespace racelint
