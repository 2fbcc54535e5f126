#include "Report.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

namespace racelint {
namespace {

using Json = nlohmann::ordered_json;

const char *sarifLevel(Level level) { return toString(level); }

/// Percent-encodes what a relative URI reference may not hold verbatim.
std::string uriFor(const std::string &path) {
  std::string uri;
  for (unsigned char c : path) {
    bool plain = std::isalnum(c) ||
                 std::string_view("/-._~").find(c) != std::string_view::npos;
    if (plain) {
      uri += static_cast<char>(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      uri += escaped;
    }
  }
  return uri;
}

Json physicalLocation(const SourceLocation &where, const ScanResult &scan) {
  Json location;
  location["artifactLocation"] = {{"uri", uriFor(where.file)},
                                  {"uriBaseId", "%SRCROOT%"}};
  if (where.valid()) {
    Json region = {{"startLine", where.line}, {"startColumn", where.column}};
    if (where.endLine) {
      region["endLine"] = where.endLine;
      region["endColumn"] = where.endColumn;
    }
    if (auto source = scan.sources.find(where.file);
        source != scan.sources.end())
      region["snippet"] = {
          {"text", std::string(source->second.line(where.line))}};
    location["region"] = std::move(region);
  }
  return location;
}

/// A stable hash of the finding's rule and primary line text (white space
/// ignored), so the fingerprint survives edits elsewhere in the file.
std::string lineHash(const Finding &finding, const ScanResult &scan) {
  std::uint64_t hash = 1469598103934665603ull;
  auto mix = [&](char c) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  };
  for (char c : finding.ruleId)
    mix(c);
  if (auto source = scan.sources.find(finding.where.file);
      source != scan.sources.end())
    for (char c : source->second.line(finding.where.line))
      if (!std::isspace(static_cast<unsigned char>(c)))
        mix(c);
  char text[17];
  std::snprintf(text, sizeof text, "%016llx",
                static_cast<unsigned long long>(hash));
  return text;
}

Json ruleDescriptor(const RuleMetadata &rule) {
  Json descriptor;
  descriptor["id"] = rule.id;
  descriptor["name"] = rule.name;
  descriptor["shortDescription"] = {{"text", rule.shortDescription}};
  descriptor["fullDescription"] = {{"text", rule.fullDescription}};
  descriptor["help"] = {{"text", rule.helpMarkdown},
                        {"markdown", rule.helpMarkdown}};
  descriptor["defaultConfiguration"] = {
      {"level", sarifLevel(rule.defaultLevel)}};
  descriptor["properties"] = {
      {"tags", rule.tags},
      {"precision", rule.precision},
      {"problem.severity", sarifLevel(rule.defaultLevel)},
      {"security-severity", rule.securitySeverity}};
  return descriptor;
}

} // namespace

std::string writeSarif(const ReportInput &input) {
  const ScanResult &scan = input.scan;
  Json driver;
  driver["name"] = "racelint";
  driver["version"] = input.toolVersion;
  driver["semanticVersion"] = input.toolVersion;
  driver["informationUri"] = "https://racelint.dev/";
  driver["rules"] = Json::array();
  std::map<std::string, std::size_t> ruleIndex;
  for (const auto &rule : input.rules) {
    ruleIndex[rule->metadata().id] = driver["rules"].size();
    driver["rules"].push_back(ruleDescriptor(rule->metadata()));
  }

  Json results = Json::array();
  std::map<std::string, int> occurrences;
  for (const Finding &finding : scan.findings) {
    Json result;
    result["ruleId"] = finding.ruleId;
    if (auto it = ruleIndex.find(finding.ruleId); it != ruleIndex.end())
      result["ruleIndex"] = it->second;
    result["level"] = sarifLevel(finding.level);
    result["message"] = {{"text", sarifMessage(finding.message)}};
    result["locations"] = Json::array(
        {{{"physicalLocation", physicalLocation(finding.where, scan)}}});
    std::string hash = lineHash(finding, scan);
    int occurrence = ++occurrences[finding.where.file + "\n" + hash];
    result["partialFingerprints"] = {
        {"primaryLocationLineHash", hash + ":" + std::to_string(occurrence)}};
    if (!finding.related.empty()) {
      Json related = Json::array();
      for (std::size_t i = 0; i < finding.related.size(); ++i)
        related.push_back(
            {{"id", i + 1},
             {"physicalLocation",
              physicalLocation(finding.related[i].where, scan)},
             {"message", {{"text", finding.related[i].message}}}});
      result["relatedLocations"] = std::move(related);
    }
    if (!finding.flow.empty()) {
      Json steps = Json::array();
      for (const RelatedLocation &step : finding.flow)
        steps.push_back(
            {{"location",
              {{"physicalLocation", physicalLocation(step.where, scan)},
               {"message", {{"text", step.message}}}}}});
      result["codeFlows"] =
          Json::array({{{"threadFlows",
                         Json::array({{{"locations", std::move(steps)}}})}}});
    }
    if (finding.suppression)
      result["suppressions"] = Json::array(
          {{{"kind", "inSource"}, {"justification", *finding.suppression}}});
    results.push_back(std::move(result));
  }

  Json notifications = Json::array();
  for (const Diagnostic &diagnostic : scan.diagnostics) {
    Json notification;
    notification["descriptor"] = {{"id", diagnostic.code}};
    notification["level"] = sarifLevel(diagnostic.level);
    notification["message"] = {{"text", diagnostic.message + "."}};
    notification["locations"] = Json::array(
        {{{"physicalLocation", physicalLocation(diagnostic.where, scan)}}});
    notifications.push_back(std::move(notification));
  }

  Json run;
  run["tool"] = {{"driver", std::move(driver)}};
  run["invocations"] =
      Json::array({{{"executionSuccessful", true},
                    {"toolExecutionNotifications", std::move(notifications)}}});
  run["columnKind"] = "unicodeCodePoints";
  run["results"] = std::move(results);

  Json log;
  log["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  log["version"] = "2.1.0";
  log["runs"] = Json::array({std::move(run)});
  return log.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

} // namespace racelint
