#pragma once

// Pieces of the TypeScript front-end shared between its translation units.

#include "frontends/FrameworkModels.h"
#include "frontends/lowering/LoweringCore.h"
#include "frontends/lowering/Syntax.h"
#include "frontends/lowering/Value.h"
#include "model/FileAnalysis.h"

#include <map>
#include <memory>
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
};

struct FileContext {
  const Source &source;
  const FrameworkModels &models;
  /// Values of module-level names (`const prisma = new PrismaClient()`).
  std::map<std::string, Value> moduleValues;
  /// The file's diagnostics, for what lowering cannot analyse.
  std::vector<Diagnostic> *diagnostics = nullptr;
};

/// The role a declared type gives a value (`Repository<Band>`,
/// `EntityManager`, `PrismaService`, `BandsService`), from its annotation.
Value valueOfType(const FileContext &context, Node typeAnnotation);

/// Lowers a function-like node (function, method, arrow function) into
/// `unit.events`. `parameters` are values already bound (NestJS parameter
/// decorators, Express's req).
void lowerFunction(const FileContext &context, const ClassContext *owner,
                   Node function, std::map<std::string, Value> parameters,
                   Unit &unit);

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
