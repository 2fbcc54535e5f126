#pragma once

// Pieces of the TypeScript front-end shared between its translation units.

#include "frontends/FrameworkModels.h"
#include "frontends/lowering/LoweringCore.h"
#include "frontends/lowering/Syntax.h"
#include "frontends/lowering/Value.h"
#include "model/FileAnalysis.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace racelint::ts {

using lowering::QueryBuilderState;
using lowering::Role;
using lowering::SupabaseQueryState;
using lowering::Value;

/// What a class declares about its members: `this.x` values.
struct ClassContext {
  std::string name;
  std::map<std::string, Value> fields;
  /// The methods it declares, and what its instances are besides (a class
  /// that extends `Repository<Band>` is one): `this.find()` of a method it
  /// inherits from such a base is the framework's.
  std::set<std::string> methods;
  Value instance;
};

/// The class's instances are a framework's handle (a TypeORM repository),
/// not only application code.
inline bool inheritsFramework(const ClassContext &owner) {
  return owner.instance.role != Role::Plain &&
         owner.instance.role != Role::Service;
}

struct FileContext {
  const Source &source;
  const FrameworkModels &models;
  /// Values of module-level names (`const prisma = new PrismaClient()`).
  std::map<std::string, Value> moduleValues;
  /// The file's diagnostics, for what lowering cannot analyse.
  std::vector<Diagnostic> *diagnostics = nullptr;
  /// The file's declarations (imports, handles), and what the project's
  /// index resolved for its names when the file is lowered again.
  ModuleFacts *module = nullptr;
  const NameHandles *handles = nullptr;
  /// Classes the file declares that are not entities: `new X()` of one is
  /// an instance of application code, not a row.
  std::set<std::string> serviceClasses;

  /// What `name` gives as `of` when the index or the file's declarations
  /// so far know it; otherwise nullopt, and `assumed` is recorded as what
  /// lowering took it to give.
  std::optional<Value> handled(const std::string &name, HandleFact::Of of,
                               const Value &assumed) const;
};

/// A value as a handle another file's lowering can use (see HandleFact):
/// "Repository:Band", "SupabaseClient", "Service:BandsService"; empty for a
/// value that is none (data, rows, requests).
std::string handleOf(const Value &value);
/// The value a handle stands for.
Value valueOfHandle(const std::string &handle);
/// Sets `fact`'s handle to `value`'s.
void setHandle(HandleFact &fact, const Value &value);

/// The file's imports and exports.
void declareModule(const Source &source, Node root, ModuleFacts &module);

/// The role a declared type gives a value (`Repository<Band>`,
/// `EntityManager`, `PrismaService`, `BandsService`), from its annotation.
Value valueOfType(const FileContext &context, Node typeAnnotation);
/// The same, of a type named `name` with these type arguments (null for
/// none): what `extends Repository<Band>` makes a class's instances.
Value valueOfNamedType(const FileContext &context, const std::string &name,
                       Node typeArguments);

/// What a function returns, for the handle it is a factory of: the first
/// returned value that is a handle, and the first returned expression that
/// names where one comes from (see handleSource).
struct Returned {
  Value value;
  Node expression{};
};

/// Lowers a function-like node (function, method, arrow function) into
/// `unit.events`. `parameters` are values already bound (NestJS parameter
/// decorators, Express's req).
Returned lowerFunction(const FileContext &context, const ClassContext *owner,
                       Node function, std::map<std::string, Value> parameters,
                       Unit &unit);

/// Where the handle of `expression` comes from, when another name gives it:
/// `f()` (that function's result), `new X()` (X's instances), `x` (x's
/// value). Sets `fact.via` and `fact.viaOf`; leaves them otherwise.
void handleSource(const Source &source, Node expression, HandleFact &fact);

/// The values of module-level names: `const prisma = new PrismaClient()`,
/// `export const repo = dataSource.getRepository(User)`.
std::map<std::string, Value> moduleValues(const FileContext &context,
                                          Node root);

using lowering::addHeaderRead;

/// TypeORM entities and migrations in a class declaration.
void declareEntity(const FileContext &context, Node classNode,
                   const std::vector<Node> &decorators, FileAnalysis &analysis);
bool declareMigration(const FileContext &context, Node classNode,
                      FileAnalysis &analysis);

using lowering::snakeCase;

} // namespace racelint::ts
