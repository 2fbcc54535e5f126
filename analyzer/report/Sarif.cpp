#include "JsonWriter.h"
#include "Report.h"

#include <cstdint>
#include <cstdio>
#include <map>

namespace racelint {
namespace {

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

void physicalLocation(JsonWriter &json, const SourceLocation &where,
                      const ScanResult &scan) {
  json.key("physicalLocation");
  json.beginObject();
  json.key("artifactLocation");
  json.beginObject();
  json.member("uri", uriFor(where.file));
  json.member("uriBaseId", "%SRCROOT%");
  json.endObject();
  if (where.valid()) {
    json.key("region");
    json.beginObject();
    json.member("startLine", std::uint64_t(where.line));
    json.member("startColumn", std::uint64_t(where.column));
    if (where.endLine) {
      json.member("endLine", std::uint64_t(where.endLine));
      json.member("endColumn", std::uint64_t(where.endColumn));
    }
    if (auto source = scan.sources.find(where.file);
        source != scan.sources.end()) {
      json.key("snippet");
      json.beginObject();
      json.member("text", source->second.line(where.line));
      json.endObject();
    }
    json.endObject();
  }
  json.endObject();
}

/// `{"text": text}`, SARIF's message object.
void messageObject(JsonWriter &json, std::string_view name,
                   std::string_view text) {
  json.key(name);
  json.beginObject();
  json.member("text", text);
  json.endObject();
}

/// `[{"physicalLocation": ...}]`, a result's or notification's locations.
void locations(JsonWriter &json, const SourceLocation &where,
               const ScanResult &scan) {
  json.key("locations");
  json.beginArray();
  json.beginObject();
  physicalLocation(json, where, scan);
  json.endObject();
  json.endArray();
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

void ruleDescriptor(JsonWriter &json, const RuleMetadata &rule) {
  json.beginObject();
  json.member("id", rule.id);
  json.member("name", rule.name);
  messageObject(json, "shortDescription", rule.shortDescription);
  messageObject(json, "fullDescription", rule.fullDescription);
  json.key("help");
  json.beginObject();
  json.member("text", rule.helpMarkdown);
  json.member("markdown", rule.helpMarkdown);
  json.endObject();
  json.key("defaultConfiguration");
  json.beginObject();
  json.member("level", sarifLevel(rule.defaultLevel));
  json.endObject();
  json.key("properties");
  json.beginObject();
  json.key("tags");
  json.beginArray();
  for (const std::string &tag : rule.tags)
    json.value(tag);
  json.endArray();
  json.member("precision", rule.precision);
  json.member("problem.severity", sarifLevel(rule.defaultLevel));
  json.member("security-severity", rule.securitySeverity);
  json.endObject();
  json.endObject();
}

void result(JsonWriter &json, const Finding &finding, const ScanResult &scan,
            const std::map<std::string, std::size_t> &ruleIndex,
            std::map<std::string, int> &occurrences) {
  json.beginObject();
  json.member("ruleId", finding.ruleId);
  if (auto it = ruleIndex.find(finding.ruleId); it != ruleIndex.end())
    json.member("ruleIndex", std::uint64_t(it->second));
  json.member("level", sarifLevel(finding.level));
  messageObject(json, "message", sarifMessage(finding.message));
  locations(json, finding.where, scan);
  std::string hash = lineHash(finding, scan);
  int occurrence = ++occurrences[finding.where.file + "\n" + hash];
  json.key("partialFingerprints");
  json.beginObject();
  json.member("primaryLocationLineHash",
              hash + ":" + std::to_string(occurrence));
  json.endObject();
  if (!finding.related.empty()) {
    json.key("relatedLocations");
    json.beginArray();
    for (std::size_t i = 0; i < finding.related.size(); ++i) {
      json.beginObject();
      json.member("id", std::uint64_t(i + 1));
      physicalLocation(json, finding.related[i].where, scan);
      messageObject(json, "message", finding.related[i].message);
      json.endObject();
    }
    json.endArray();
  }
  if (!finding.flow.empty()) {
    json.key("codeFlows");
    json.beginArray();
    json.beginObject();
    json.key("threadFlows");
    json.beginArray();
    json.beginObject();
    json.key("locations");
    json.beginArray();
    for (const RelatedLocation &step : finding.flow) {
      json.beginObject();
      json.key("location");
      json.beginObject();
      physicalLocation(json, step.where, scan);
      messageObject(json, "message", step.message);
      json.endObject();
      json.endObject();
    }
    json.endArray();
    json.endObject();
    json.endArray();
    json.endObject();
    json.endArray();
  }
  if (finding.suppression) {
    json.key("suppressions");
    json.beginArray();
    json.beginObject();
    json.member("kind", "inSource");
    json.member("justification", *finding.suppression);
    json.endObject();
    json.endArray();
  }
  json.endObject();
}

} // namespace

std::string writeSarif(const ReportInput &input) {
  const ScanResult &scan = input.scan;
  std::string out;
  JsonWriter json(out);
  json.beginObject();
  json.member("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  json.member("version", "2.1.0");
  json.key("runs");
  json.beginArray();
  json.beginObject();

  json.key("tool");
  json.beginObject();
  json.key("driver");
  json.beginObject();
  json.member("name", "racelint");
  json.member("version", input.toolVersion);
  json.member("semanticVersion", input.toolVersion);
  json.member("informationUri", "https://racelint.dev/");
  json.key("rules");
  json.beginArray();
  std::map<std::string, std::size_t> ruleIndex;
  for (const auto &rule : input.rules) {
    ruleIndex.emplace(rule->metadata().id, ruleIndex.size());
    ruleDescriptor(json, rule->metadata());
  }
  json.endArray();
  json.endObject();
  json.endObject();

  json.key("invocations");
  json.beginArray();
  json.beginObject();
  json.member("executionSuccessful", true);
  json.key("toolExecutionNotifications");
  json.beginArray();
  for (const Diagnostic &diagnostic : scan.diagnostics) {
    json.beginObject();
    json.key("descriptor");
    json.beginObject();
    json.member("id", diagnostic.code);
    json.endObject();
    json.member("level", sarifLevel(diagnostic.level));
    messageObject(json, "message", diagnostic.message + ".");
    locations(json, diagnostic.where, scan);
    json.endObject();
  }
  json.endArray();
  json.endObject();
  json.endArray();

  json.member("columnKind", "unicodeCodePoints");
  json.key("results");
  json.beginArray();
  std::map<std::string, int> occurrences;
  for (const Finding &finding : scan.findings)
    result(json, finding, scan, ruleIndex, occurrences);
  json.endArray();

  json.endObject();
  json.endArray();
  json.endObject();
  out += '\n';
  return out;
}

} // namespace racelint
