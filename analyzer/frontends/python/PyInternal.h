#pragma once

// Pieces of the Python front-end shared between its translation units.

#include "frontends/FrameworkModels.h"
#include "frontends/lowering/LoweringCore.h"
#include "frontends/lowering/Syntax.h"
#include "frontends/lowering/Value.h"
#include "model/FileAnalysis.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace racelint::py {

using lowering::Role;
using lowering::Value;
using ts::Node;
using ts::Source;

struct PyContext {
  const Source &source;
  const FrameworkModels &models;
  /// Module-level names: routers with their prefixes, the Flask app...
  std::map<std::string, Value> moduleValues;
  std::map<std::string, std::string> routerPrefixes;
  /// The file's diagnostics, for what lowering cannot analyse.
  std::vector<Diagnostic> *diagnostics = nullptr;
  /// The model classes the file declares: their methods run on a row.
  std::set<std::string> modelClasses;
};

/// Positional and keyword arguments of a call.
struct Arguments {
  std::vector<Node> positional;
  std::vector<std::pair<std::string, Node>> keywords;
  Node keyword(const std::string &name) const;
};
Arguments argumentsOf(const Source &source, Node call);

/// The name a parameter binds (`x`, `x: T`, `x=1`, `*args`), or a null
/// node (the bare `*` separator).
Node parameterName(Node parameter);

/// The value of a string literal (no f-string interpolation), else nullopt.
std::optional<std::string> stringOf(const Source &source, Node node);

/// Lowers a function's body into `unit.events`; `parameters` are bound
/// already (handler parameters), `className` names `self`'s class.
void lowerPython(const PyContext &context, const std::string &className,
                 Node function, std::map<std::string, Value> parameters,
                 Unit &unit);

/// How events name a model class's table until linking resolves it:
/// `python:Order` (SQLAlchemy and Django models alike).
inline const std::string kModelRefPrefix = "python:";

/// Schema-reading helpers shared by the SQLAlchemy and Django readers.
std::string lastName(const Source &source, Node node);
bool isTrue(const Source &source, Node node);
std::vector<std::string> stringList(const Source &source, Node node);
void addKey(Table &table, std::vector<std::string> columns, bool primary,
            const std::string &name, const SourceLocation &declared);
/// A change of `kind` to `table`, reported at `at`.
SchemaChange schemaChangeAt(SchemaChange::Kind kind, const std::string &table,
                            const Source &source, Node at);

/// The module's imports, module-level values and classes, for resolving
/// the names its calls and other modules' calls use.
void declareModuleFacts(const Source &source, Node root, ModuleFacts &facts);

/// SQLAlchemy models of a class, and Alembic operations of a module.
bool declareModel(const PyContext &context, Node classNode,
                  FileAnalysis &analysis);
void declareAlembic(const PyContext &context, Node upgrade,
                    FileAnalysis &analysis);

/// A Django model class (`models.Model`), and the operations of a Django
/// migration class (`migrations.Migration`).
bool declareDjangoModel(const PyContext &context, Node classNode,
                        FileAnalysis &analysis);
bool declareDjangoMigration(const PyContext &context, Node classNode,
                            FileAnalysis &analysis);

} // namespace racelint::py
