#include "EsModules.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace racelint {
namespace {

/// Re-exports and names given through other names chain; a cycle of them
/// must end.
constexpr int kMaxChain = 32;

const std::vector<std::string> &moduleExtensions() {
  static const std::vector<std::string> extensions = {
      ".ts", ".tsx", ".d.ts", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"};
  return extensions;
}

bool isEsModule(const std::string &path) {
  for (const std::string &extension : moduleExtensions())
    if (path.ends_with(extension))
      return true;
  return false;
}

/// `directory/relative`, lexically normal, with '/' separators and no
/// leading "./".
std::string joinPath(const std::string &directory,
                     const std::string &relative) {
  std::filesystem::path joined =
      (std::filesystem::path(directory) / relative).lexically_normal();
  std::string text = joined.generic_string();
  while (text.starts_with("./"))
    text.erase(0, 2);
  if (text == ".")
    text.clear();
  if (text.size() > 1 && text.ends_with("/"))
    text.pop_back();
  return text;
}

/// tsconfig.json is JSON with comments and trailing commas, as tsc reads
/// it: the commas that close nothing are dropped (the JSON parser skips the
/// comments itself).
std::string withoutTrailingCommas(const std::string &text) {
  std::string kept;
  kept.reserve(text.size());
  auto skipComment = [&](std::size_t at) {
    if (text.compare(at, 2, "//") == 0) {
      std::size_t end = text.find('\n', at);
      return end == std::string::npos ? text.size() : end;
    }
    if (text.compare(at, 2, "/*") == 0) {
      std::size_t end = text.find("*/", at + 2);
      return end == std::string::npos ? text.size() : end + 2;
    }
    return at;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') { // a string, escapes and all
      std::size_t end = i + 1;
      while (end < text.size() && text[end] != '"')
        end += text[end] == '\\' ? 2 : 1;
      kept.append(text, i, std::min(end + 1, text.size()) - i);
      i = end;
      continue;
    }
    if (std::size_t after = skipComment(i); after != i) {
      kept.append(text, i, after - i);
      i = after - 1;
      continue;
    }
    if (c == ',') {
      std::size_t next = i + 1;
      for (;;) {
        while (next < text.size() &&
               std::isspace(static_cast<unsigned char>(text[next])))
          ++next;
        std::size_t after = next < text.size() ? skipComment(next) : next;
        if (after == next)
          break;
        next = after;
      }
      if (next < text.size() && (text[next] == '}' || text[next] == ']'))
        continue;
    }
    kept.push_back(c);
  }
  return kept;
}

std::string directoryOf(const std::string &path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

} // namespace

EsModules::EsModules(const std::vector<FileAnalysis> &files,
                     const std::string &baseDirectory)
    : files_(files), baseDirectory_(baseDirectory) {
  fileMappings_.assign(files.size(), nullptr);
  for (std::size_t f = 0; f < files.size(); ++f) {
    if (!isEsModule(files[f].path))
      continue;
    byPath_.emplace(joinPath("", files[f].path), f);
    fileMappings_[f] = mappingFor(directoryOf(joinPath("", files[f].path)));
  }
}

const EsModules::PathMapping *
EsModules::mappingFor(const std::string &directory) {
  if (auto known = mappings_.find(directory); known != mappings_.end())
    return known->second ? &*known->second : nullptr;
  std::optional<PathMapping> mapping;
  for (const char *name : {"tsconfig.json", "jsconfig.json"})
    if (!mapping)
      mapping = readConfig(joinPath(directory, name), directory, 0);
  if (!mapping && !directory.empty() && directory != "/" && directory != "..") {
    const PathMapping *above = mappingFor(directoryOf(directory));
    if (above)
      mapping = *above;
  }
  auto [it, inserted] = mappings_.emplace(directory, std::move(mapping));
  return it->second ? &*it->second : nullptr;
}

std::optional<EsModules::PathMapping>
EsModules::readConfig(const std::string &file, const std::string &directory,
                      int depth) {
  std::filesystem::path onDisk(file);
  if (onDisk.is_relative())
    onDisk = std::filesystem::path(baseDirectory_) / onDisk;
  std::error_code error;
  if (depth > kMaxChain || !std::filesystem::is_regular_file(onDisk, error))
    return std::nullopt;
  std::ifstream in(onDisk, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json config =
      nlohmann::json::parse(withoutTrailingCommas(text.str()), nullptr,
                            /*allow_exceptions=*/false,
                            /*ignore_comments=*/true);
  PathMapping mapping;
  if (!config.is_object()) {
    Diagnostic note;
    note.level = Level::Note;
    note.code = "config-not-read";
    note.message = "not read as JSON: imports that its `paths` would map "
                   "are not resolved";
    note.where.file = file;
    diagnostics_.push_back(std::move(note));
    return mapping; // found: the directories above do not apply either
  }
  if (auto base = config.find("extends");
      base != config.end() && base->is_string() &&
      base->get<std::string>().starts_with("."))
    if (auto inherited = readConfig(
            joinPath(directory, base->get<std::string>()),
            directoryOf(joinPath(directory, base->get<std::string>())),
            depth + 1))
      mapping = *inherited;
  auto options = config.find("compilerOptions");
  if (options == config.end() || !options->is_object())
    return mapping;
  if (auto baseUrl = options->find("baseUrl");
      baseUrl != options->end() && baseUrl->is_string())
    mapping.baseUrl = joinPath(directory, baseUrl->get<std::string>());
  if (auto paths = options->find("paths");
      paths != options->end() && paths->is_object()) {
    mapping.paths.clear();
    std::string from = mapping.baseUrl.value_or(directory);
    for (const auto &[pattern, targets] : paths->items()) {
      std::vector<std::string> joined;
      if (targets.is_array())
        for (const auto &target : targets)
          if (target.is_string())
            joined.push_back(joinPath(from, target.get<std::string>()));
      mapping.paths.emplace_back(pattern, std::move(joined));
    }
  }
  return mapping;
}

std::optional<std::size_t> EsModules::fileAt(const std::string &path) const {
  if (auto known = filesAt_.find(path); known != filesAt_.end())
    return known->second;
  std::optional<std::size_t> &answer = filesAt_[path];
  std::vector<std::string> candidates = {path};
  for (const std::string &extension : moduleExtensions()) {
    candidates.push_back(path + extension);
    candidates.push_back(joinPath(path, "index" + extension));
  }
  // ESM TypeScript imports its own files by their output name (`./x.js`).
  for (const char *output : {".js", ".jsx", ".mjs", ".cjs"})
    if (path.ends_with(output)) {
      std::string stem = path.substr(0, path.size() - std::strlen(output));
      for (const char *input : {".ts", ".tsx", ".mts", ".cts"})
        candidates.push_back(stem + input);
    }
  for (const std::string &candidate : candidates)
    if (auto found = byPath_.find(candidate); found != byPath_.end())
      return answer = found->second;
  return answer;
}

std::optional<std::size_t>
EsModules::resolve(std::size_t from, const std::string &specifier) const {
  std::string importer = joinPath("", files_[from].path);
  if (specifier.starts_with("./") || specifier.starts_with("../") ||
      specifier == "." || specifier == "..")
    return fileAt(joinPath(directoryOf(importer), specifier));
  const PathMapping *mapping = fileMappings_[from];
  if (!mapping)
    return std::nullopt;
  for (const auto &[pattern, targets] : mapping->paths) {
    std::size_t star = pattern.find('*');
    std::string matched;
    if (star == std::string::npos) {
      if (pattern != specifier)
        continue;
    } else {
      std::string prefix = pattern.substr(0, star);
      std::string suffix = pattern.substr(star + 1);
      if (specifier.size() < prefix.size() + suffix.size() ||
          !specifier.starts_with(prefix) || !specifier.ends_with(suffix))
        continue;
      matched = specifier.substr(
          prefix.size(), specifier.size() - prefix.size() - suffix.size());
    }
    for (std::string target : targets) {
      if (std::size_t at = target.find('*'); at != std::string::npos)
        target.replace(at, 1, matched);
      if (auto file = fileAt(target))
        return file;
    }
  }
  if (mapping->baseUrl)
    return fileAt(joinPath(*mapping->baseUrl, specifier));
  return std::nullopt;
}

std::optional<HandleFact> EsModules::handle(std::size_t file,
                                            const std::string &name,
                                            HandleFact::Of of,
                                            int depth) const {
  if (depth > kMaxChain)
    return std::nullopt;
  const ModuleFacts &module = files_[file].module;
  if (auto declared = module.handles.find(name);
      declared != module.handles.end() && declared->second.of == of) {
    const HandleFact &fact = declared->second;
    if (!fact.via.empty())
      // What another name gives wins over an application class's own name
      // only when it is a framework's handle (a class that extends a
      // project class that extends Repository<Band> is a repository).
      if (auto via = handle(file, fact.via, fact.viaOf, depth + 1);
          via && (fact.handle.empty() || !via->application))
        return via;
    if (!fact.handle.empty())
      return fact;
    return std::nullopt;
  }
  auto imported = module.imports.find(name);
  if (imported == module.imports.end() || imported->second.name.empty())
    return std::nullopt;
  std::optional<std::size_t> target = resolve(file, imported->second.module);
  if (!target)
    return std::nullopt;
  return exported(*target, imported->second.name, of, depth + 1);
}

std::optional<HandleFact> EsModules::exported(std::size_t file,
                                              const std::string &name,
                                              HandleFact::Of of,
                                              int depth) const {
  if (depth > kMaxChain)
    return std::nullopt;
  const ModuleFacts &module = files_[file].module;
  if (auto local = module.exports.find(name); local != module.exports.end())
    return handle(file, local->second, of, depth + 1);
  for (const std::string &star : module.starExports)
    if (auto target = resolve(file, star))
      if (auto found = exported(*target, name, of, depth + 1))
        return found;
  return std::nullopt;
}

std::vector<NameHandles> EsModules::learnedHandles() const {
  std::vector<NameHandles> learned(files_.size());
  for (std::size_t f = 0; f < files_.size(); ++f)
    for (const auto &[name, assumed] : files_[f].module.assumed)
      if (auto known = handle(f, name, assumed.of, 0);
          known && known->handle != assumed.handle) {
        HandleFact fact;
        fact.of = assumed.of;
        fact.handle = known->handle;
        fact.application = known->application;
        learned[f].emplace(name, std::move(fact));
      }
  return learned;
}

} // namespace racelint
