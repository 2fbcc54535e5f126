#include "NameResolution.h"

#include <algorithm>

namespace racelint {
namespace {

/// Aliases and re-exports chain; a cycle of them must end.
constexpr int kMaxLookupDepth = 24;

std::vector<std::string> splitDotted(const std::string &dotted) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = dotted.find('.', start);
    parts.push_back(dotted.substr(start, dot - start));
    if (dot == std::string::npos)
      return parts;
    start = dot + 1;
  }
}

/// "backend/app/services/portfolio.py" -> "backend.app.services.portfolio";
/// a package's `__init__.py` is the package.
std::string dottedModuleName(std::string path) {
  for (const char *extension : {".pyi", ".py"})
    if (path.ends_with(extension)) {
      path.resize(path.size() - std::string(extension).size());
      break;
    }
  if (path.ends_with("/__init__"))
    path.resize(path.size() - std::string("/__init__").size());
  else if (path == "__init__")
    path.clear();
  if (path.starts_with("./"))
    path.erase(0, 2);
  std::replace(path.begin(), path.end(), '/', '.');
  return path;
}

bool isPackageFile(const std::string &path) {
  return path.ends_with("__init__.py") || path.ends_with("__init__.pyi");
}

} // namespace

ProjectIndex::Language ProjectIndex::languageOf(const std::string &path) {
  auto endsWithAny = [&](std::initializer_list<const char *> extensions) {
    return std::any_of(extensions.begin(), extensions.end(),
                       [&](const char *e) { return path.ends_with(e); });
  };
  if (endsWithAny({".py", ".pyi"}))
    return Language::Python;
  if (endsWithAny(
          {".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"}))
    return Language::EcmaScript;
  if (endsWithAny({".sql"}))
    return Language::Sql;
  if (endsWithAny({".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".hxx"}))
    return Language::Cpp;
  return Language::Other;
}

ProjectIndex::ProjectIndex(const std::vector<FileAnalysis> &files)
    : files_(files) {
  languages_.reserve(files.size());
  units_.resize(files.size());
  classes_.resize(files.size());
  moduleNames_.resize(files.size());
  for (std::size_t f = 0; f < files.size(); ++f) {
    const FileAnalysis &file = files[f];
    Language language = languageOf(file.path);
    languages_.push_back(language);
    if (language == Language::Python) {
      moduleNames_[f] = dottedModuleName(file.path);
      // `pkg.py` and `pkg/__init__.py` both claiming one name: neither.
      auto [it, inserted] = modules_.emplace(moduleNames_[f], f);
      if (!inserted)
        it->second = files.size();
      const std::string &name = moduleNames_[f];
      for (std::size_t dot = name.find('.'); dot != std::string::npos;
           dot = name.find('.', dot + 1))
        bySuffix_[name.substr(dot + 1)].emplace_back(name.substr(0, dot + 1),
                                                     f);
    }
    for (const Unit &unit : file.units) {
      if (unit.qualifiedName.empty())
        continue;
      auto [it, inserted] = units_[f].emplace(unit.qualifiedName, &unit);
      if (!inserted)
        it->second = nullptr;
      auto &named = byLanguage_[language];
      auto [other, fresh] =
          named.emplace(unit.qualifiedName, std::make_pair(f, &unit));
      if (!fresh)
        other->second.second = nullptr;
    }
    for (const ClassFacts &facts : file.module.classes)
      classes_[f].emplace(facts.name, &facts);
  }
}

std::optional<std::size_t>
ProjectIndex::resolveModule(std::size_t from, const std::string &module) const {
  std::string target;
  if (module.starts_with(".")) {
    // Relative: the importing module's package, one level up per extra dot.
    std::size_t dots = module.find_first_not_of('.');
    if (dots == std::string::npos)
      dots = module.size();
    std::vector<std::string> package = splitDotted(moduleNames_[from]);
    if (!isPackageFile(files_[from].path) && !package.empty())
      package.pop_back();
    for (std::size_t up = 1; up < dots; ++up) {
      if (package.empty())
        return std::nullopt;
      package.pop_back();
    }
    if (dots < module.size())
      package.push_back(module.substr(dots));
    for (const std::string &part : package) {
      if (!target.empty())
        target += '.';
      target += part;
    }
    auto it = modules_.find(target);
    if (it == modules_.end() || it->second >= files_.size())
      return std::nullopt;
    return it->second;
  }
  // Absolute: the scan's root is not necessarily the import root (the
  // application may live in `backend/`). A module `<root>.<module>` counts
  // when the importing file lies under that root; the nearest root wins.
  std::optional<std::size_t> best;
  std::size_t bestRoot = 0;
  const std::string &importer = moduleNames_[from];
  if (auto it = modules_.find(module);
      it != modules_.end() && it->second < files_.size())
    return it->second; // rooted at the scan's root itself
  auto candidates = bySuffix_.find(module);
  if (candidates == bySuffix_.end())
    return std::nullopt;
  for (const auto &[root, file] : candidates->second) {
    if (modules_.at(moduleNames_[file]) != file || !importer.starts_with(root))
      continue;
    if (!best || root.size() > bestRoot) {
      best = file;
      bestRoot = root.size();
    }
  }
  return best;
}

ProjectIndex::Symbol ProjectIndex::lookup(std::size_t file,
                                          const std::string &name,
                                          int depth) const {
  Symbol symbol;
  if (depth > kMaxLookupDepth || file >= files_.size())
    return symbol;
  symbol.file = file;
  if (auto it = classes_[file].find(name); it != classes_[file].end()) {
    symbol.kind = Symbol::Kind::Class;
    symbol.facts = it->second;
    return symbol;
  }
  if (auto it = units_[file].find(name);
      it != units_[file].end() && it->second &&
      it->second->kind != Unit::Kind::Method) {
    symbol.kind = Symbol::Kind::Function;
    symbol.unit = it->second;
    return symbol;
  }
  const ModuleFacts &facts = files_[file].module;
  if (auto it = facts.values.find(name); it != facts.values.end()) {
    std::vector<ClassRef> none;
    return boundSymbol(file, it->second, none, depth + 1);
  }
  auto imported = facts.imports.find(name);
  if (imported == facts.imports.end())
    return {};
  auto module = resolveModule(file, imported->second.module);
  if (!module)
    return {};
  if (imported->second.name.empty()) {
    symbol.kind = Symbol::Kind::Module;
    symbol.file = *module;
    return symbol;
  }
  Symbol module_;
  module_.kind = Symbol::Kind::Module;
  module_.file = *module;
  return member(module_, imported->second.name, depth + 1);
}

ProjectIndex::Symbol ProjectIndex::member(const Symbol &of,
                                          const std::string &name,
                                          int depth) const {
  if (depth > kMaxLookupDepth)
    return {};
  if (of.kind == Symbol::Kind::Module) {
    Symbol found = lookup(of.file, name, depth + 1);
    if (found.kind != Symbol::Kind::None)
      return found;
    // `from pkg import module`: a submodule of the package.
    if (isPackageFile(files_[of.file].path)) {
      std::string submodule = moduleNames_[of.file].empty()
                                  ? name
                                  : moduleNames_[of.file] + "." + name;
      if (auto it = modules_.find(submodule);
          it != modules_.end() && it->second < files_.size()) {
        Symbol module;
        module.kind = Symbol::Kind::Module;
        module.file = it->second;
        return module;
      }
    }
  }
  return {};
}

ProjectIndex::Symbol ProjectIndex::resolveDotted(std::size_t file,
                                                 const std::string &dotted,
                                                 int depth) const {
  std::vector<std::string> parts = splitDotted(dotted);
  Symbol symbol = lookup(file, parts.front(), depth + 1);
  for (std::size_t i = 1; i < parts.size() && symbol.kind != Symbol::Kind::None;
       ++i)
    symbol = member(symbol, parts[i], depth + 1);
  return symbol;
}

ProjectIndex::Symbol
ProjectIndex::boundSymbol(std::size_t file, const BoundValue &value,
                          std::vector<ClassRef> &subclasses, int depth) const {
  if (depth > kMaxLookupDepth)
    return {};
  switch (value.kind) {
  case BoundValue::Kind::Name:
    return value.name.empty() ? Symbol{}
                              : resolveDotted(file, value.name, depth);
  case BoundValue::Kind::Instance: {
    Symbol type = resolveDotted(file, value.name, depth);
    if (type.kind != Symbol::Kind::Class)
      return {};
    type.kind = Symbol::Kind::Instance;
    return type;
  }
  case BoundValue::Kind::Parameter: {
    // What the subclass below passed to this constructor's parameter.
    if (subclasses.empty() || value.parameter == 0)
      return {};
    ClassRef subclass = subclasses.back();
    const auto &passed = subclass.facts->baseConstructorArguments;
    if (value.parameter - 1 >= passed.size())
      return {};
    subclasses.pop_back();
    Symbol symbol = boundSymbol(subclass.file, passed[value.parameter - 1],
                                subclasses, depth + 1);
    subclasses.push_back(subclass);
    return symbol;
  }
  }
  return {};
}

const Unit *ProjectIndex::method(ClassRef owner, const std::string &name,
                                 int depth, ClassRef *declaredIn) const {
  if (!owner || depth > kMaxLookupDepth)
    return nullptr;
  if (auto it = units_[owner.file].find(owner.facts->name + "." + name);
      it != units_[owner.file].end() && it->second) {
    if (declaredIn)
      *declaredIn = owner;
    return it->second;
  }
  for (const std::string &base : owner.facts->bases) {
    Symbol symbol = resolveDotted(owner.file, base, depth + 1);
    if (symbol.kind != Symbol::Kind::Class)
      continue;
    if (const Unit *found =
            method({symbol.file, symbol.facts}, name, depth + 1, declaredIn))
      return found;
  }
  return nullptr;
}

ProjectIndex::Symbol ProjectIndex::attribute(ClassRef owner,
                                             const std::string &name,
                                             std::vector<ClassRef> &subclasses,
                                             int depth) const {
  if (!owner || depth > kMaxLookupDepth)
    return {};
  if (auto it = owner.facts->attributes.find(name);
      it != owner.facts->attributes.end())
    return boundSymbol(owner.file, it->second, subclasses, depth + 1);
  for (const std::string &base : owner.facts->bases) {
    Symbol symbol = resolveDotted(owner.file, base, depth + 1);
    if (symbol.kind != Symbol::Kind::Class)
      continue;
    subclasses.push_back(owner);
    Symbol found =
        attribute({symbol.file, symbol.facts}, name, subclasses, depth + 1);
    subclasses.pop_back();
    if (found.kind != Symbol::Kind::None)
      return found;
  }
  return {};
}

ClassRef ProjectIndex::classOf(std::size_t file, const Unit &unit) const {
  if (unit.kind != Unit::Kind::Method || file >= files_.size())
    return {};
  std::size_t dot = unit.qualifiedName.rfind('.');
  if (dot == std::string::npos)
    return {};
  auto it = classes_[file].find(unit.qualifiedName.substr(0, dot));
  if (it == classes_[file].end())
    return {};
  return {file, it->second};
}

std::optional<EntityTable>
ProjectIndex::attributeEntity(ClassRef receiver,
                              const std::string &attribute) const {
  std::vector<ClassRef> subclasses;
  Symbol symbol = this->attribute(receiver, attribute, subclasses, 0);
  if (symbol.kind != Symbol::Kind::Class || symbol.facts->tableRef.empty())
    return std::nullopt;
  return EntityTable{symbol.facts->table, symbol.facts->tableRef};
}

std::optional<CallTarget> ProjectIndex::resolvePython(std::size_t file,
                                                      const Unit &caller,
                                                      const Event &call,
                                                      ClassRef receiver) const {
  std::vector<std::string> parts = splitDotted(call.detail);
  std::string name = parts.back();
  parts.pop_back();
  CallTarget target;
  ClassRef owner;
  if (!parts.empty() && parts.front() == "self") {
    ClassRef self = receiver ? receiver : classOf(file, caller);
    if (!self)
      return std::nullopt;
    if (parts.size() == 1) {
      owner = self;
    } else if (parts.size() == 2) {
      std::vector<ClassRef> subclasses;
      Symbol held = attribute(self, parts[1], subclasses, 0);
      if (held.kind != Symbol::Kind::Instance &&
          held.kind != Symbol::Kind::Class)
        return std::nullopt;
      owner = {held.file, held.facts};
    } else {
      return std::nullopt;
    }
  } else if (parts.empty()) {
    Symbol function = lookup(file, name, 0);
    if (function.kind != Symbol::Kind::Function)
      return std::nullopt;
    target.file = function.file;
    target.unit = function.unit;
    return target;
  } else {
    std::string prefix = parts.front();
    for (std::size_t i = 1; i < parts.size(); ++i)
      prefix += "." + parts[i];
    Symbol scope = resolveDotted(file, prefix, 0);
    if (scope.kind == Symbol::Kind::Module) {
      Symbol function = lookup(scope.file, name, 0);
      if (function.kind != Symbol::Kind::Function)
        return std::nullopt;
      target.file = function.file;
      target.unit = function.unit;
      return target;
    }
    if (scope.kind != Symbol::Kind::Class &&
        scope.kind != Symbol::Kind::Instance)
      return std::nullopt;
    owner = {scope.file, scope.facts};
  }
  ClassRef declaredIn;
  const Unit *unit = method(owner, name, 0, &declaredIn);
  if (!unit)
    return std::nullopt;
  target.file = declaredIn.file;
  target.unit = unit;
  target.receiver = owner;
  target.bindsFirstParameter = unit->bindsFirstParameter;
  return target;
}

std::optional<CallTarget> ProjectIndex::resolveCall(std::size_t file,
                                                    const Unit &caller,
                                                    const Event &call,
                                                    ClassRef receiver) const {
  if (call.detail.empty() || file >= files_.size())
    return std::nullopt;
  Language language = languages_[file];
  if (call.callsDatabaseFunction || language == Language::Sql)
    language = Language::Sql; // database functions: global by name
  else if (language == Language::Python)
    return resolvePython(file, caller, call, receiver);
  auto named = byLanguage_.find(language);
  if (named == byLanguage_.end())
    return std::nullopt;
  auto it = named->second.find(call.detail);
  if (it == named->second.end() || !it->second.second)
    return std::nullopt;
  CallTarget target;
  target.file = it->second.first;
  target.unit = it->second.second;
  return target;
}

} // namespace racelint
