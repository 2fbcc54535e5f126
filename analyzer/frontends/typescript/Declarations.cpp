// What a TypeScript file declares for other files: its imports and exports
// (ModuleFacts), and the handles its names give (HandleFact), as strings
// the project's index carries between files.

#include "TsInternal.h"

namespace racelint::ts {

namespace {

/// The roles that are handles, by the name a handle spells them with.
const std::map<std::string, Role> &handleRoles() {
  static const std::map<std::string, Role> roles = {
      {"Repository", Role::Repository},
      {"Manager", Role::Manager},
      {"DataSource", Role::DataSource},
      {"QueryRunner", Role::QueryRunner},
      {"PrismaClient", Role::PrismaClient},
      {"PrismaDelegate", Role::PrismaDelegate},
      {"SupabaseClient", Role::SupabaseClient},
      {"SqlClient", Role::SqlClient},
      {"PaymentClient", Role::PaymentClient},
      {"EmailClient", Role::EmailClient},
      {"HttpClient", Role::HttpClient},
      {"Service", Role::Service},
  };
  return roles;
}

} // namespace

// A handle is spelled `Role[:name][@Class]`.
std::string handleOf(const Value &value) {
  for (const auto &[name, role] : handleRoles())
    if (role == value.role)
      return name + (value.name.empty() ? "" : ":" + value.name) +
             (value.className.empty() ? "" : "@" + value.className);
  return "";
}

void setHandle(HandleFact &fact, const Value &value) {
  fact.handle = handleOf(value);
  fact.application = value.role == Role::Service;
}

Value valueOfHandle(const std::string &handle) {
  Value value;
  std::size_t at = handle.find('@');
  std::string spelled = handle.substr(0, at);
  std::size_t colon = spelled.find(':');
  auto role = handleRoles().find(spelled.substr(0, colon));
  if (role == handleRoles().end())
    return value;
  value.role = role->second;
  if (colon != std::string::npos)
    value.name = spelled.substr(colon + 1);
  if (at != std::string::npos)
    value.className = handle.substr(at + 1);
  return value;
}

std::optional<Value> FileContext::handled(const std::string &name,
                                          HandleFact::Of of,
                                          const Value &assumed) const {
  if (handles)
    if (auto it = handles->find(name);
        it != handles->end() && it->second.of == of)
      return valueOfHandle(it->second.handle);
  if (!module)
    return std::nullopt;
  // Declared above in this file, and known here.
  if (auto it = module->handles.find(name);
      it != module->handles.end() && it->second.of == of &&
      it->second.via.empty() && !it->second.handle.empty())
    return valueOfHandle(it->second.handle);
  HandleFact fact;
  fact.of = of;
  setHandle(fact, assumed);
  module->assumed.emplace(name, fact);
  return std::nullopt;
}

void handleSource(const Source &source, Node expression, HandleFact &fact) {
  Node plain = unwrap(expression);
  if (is(plain, "call_expression")) {
    if (Node function = unwrap(field(plain, "function"));
        is(function, "identifier")) {
      fact.via = source.str(function);
      fact.viaOf = HandleFact::Of::CallResult;
    }
  } else if (is(plain, "new_expression")) {
    if (Node constructor = field(plain, "constructor");
        is(constructor, "identifier")) {
      fact.via = source.str(constructor);
      fact.viaOf = HandleFact::Of::Instance;
    }
  } else if (is(plain, "identifier")) {
    fact.via = source.str(plain);
    fact.viaOf = HandleFact::Of::Value;
  }
}

void declareModule(const Source &source, Node root, ModuleFacts &module) {
  auto specifier = [&](Node statement) {
    return source.stringValue(field(statement, "source")).value_or("");
  };
  for (Node item : namedChildren(root)) {
    if (is(item, "import_statement")) {
      std::string from = specifier(item);
      for (Node clause : namedChildren(item)) {
        if (!is(clause, "import_clause"))
          continue;
        for (Node part : namedChildren(clause)) {
          if (is(part, "identifier")) { // import X from '...'
            module.imports[source.str(part)] = {from, "default"};
          } else if (is(part, "namespace_import")) { // import * as x
            for (Node name : namedChildren(part))
              module.imports[source.str(name)] = {from, ""};
          } else if (is(part, "named_imports")) {
            for (Node imported : namedChildren(part)) {
              if (!is(imported, "import_specifier"))
                continue;
              Node name = field(imported, "name");
              Node alias = field(imported, "alias");
              module.imports[source.str(isNull(alias) ? name : alias)] = {
                  from, source.stringValue(name).value_or(source.str(name))};
            }
          }
        }
      }
      continue;
    }
    if (!is(item, "export_statement"))
      continue;
    std::string from = specifier(item);
    bool isDefault = false;
    for (uint32_t i = 0; i < childCount(item); ++i)
      isDefault |= is(child(item, i), "default");
    if (Node declaration = field(item, "declaration"); !isNull(declaration)) {
      std::vector<std::string> names;
      if (Node name = field(declaration, "name"); !isNull(name))
        names.push_back(source.str(name));
      if (is(declaration, "lexical_declaration") ||
          is(declaration, "variable_declaration"))
        for (Node declarator : namedChildren(declaration))
          if (Node name = field(declarator, "name"); is(name, "identifier"))
            names.push_back(source.str(name));
      for (const std::string &name : names)
        module.exports[isDefault ? "default" : name] = name;
      continue;
    }
    if (Node value = field(item, "value"); is(value, "identifier")) {
      module.exports["default"] = source.str(value); // export default X
      continue;
    }
    bool clause = false;
    for (Node part : namedChildren(item)) {
      if (is(part, "export_clause")) {
        clause = true;
        for (Node exported : namedChildren(part)) {
          if (!is(exported, "export_specifier"))
            continue;
          Node name = field(exported, "name");
          Node alias = field(exported, "alias");
          std::string local = source.str(name);
          std::string as = source.str(isNull(alias) ? name : alias);
          if (!from.empty()) { // export { a as b } from '...'
            module.imports.emplace(as, ImportedName{from, local});
            local = as;
          }
          module.exports[as] = local;
        }
      } else if (is(part, "namespace_export")) { // export * as ns from '...'
        clause = true;
        for (Node name : namedChildren(part)) {
          module.imports.emplace(source.str(name), ImportedName{from, ""});
          module.exports[source.str(name)] = source.str(name);
        }
      }
    }
    if (!clause && !from.empty()) // export * from '...'
      module.starExports.push_back(from);
  }
}

} // namespace racelint::ts
