#pragma once

#include "Diagnostics.h"
#include "Program.h"
#include "SchemaChange.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace racelint {

/// A name an import binds: the module as the import spells it
/// ("app.services.portfolio", ".utils" with a leading dot per level up),
/// and the name imported from it, empty when the name is the module itself.
struct ImportedName {
  std::string module;
  std::string name;
};

/// What a module-level name or an attribute holds, as the code declares it.
struct BoundValue {
  enum class Kind {
    Name,      // another name, looked up in the declaring module's scope
    Instance,  // `Class(...)`: an instance of `name`
    Parameter, // the constructor's parameter at `parameter` (self is 0)
  };
  Kind kind = Kind::Name;
  /// Dotted as written: "PortfolioService", "services.PortfolioService".
  std::string name;
  unsigned parameter = 0;
};

/// A class the file declares, for method lookup along its bases and for what
/// `self.attribute` holds.
struct ClassFacts {
  std::string name;
  /// How events name the table the class maps to if it is a model class
  /// (see Event::tableRef), and the table's conventional name.
  std::string tableRef, table;
  /// As written, dotted, in order (the method resolution order follows it).
  std::vector<std::string> bases;
  /// `self.a = ...` in its methods, and `a = ...` in its body.
  std::map<std::string, BoundValue> attributes;
  /// `super().__init__(...)` in its constructor: what it passes its base's.
  std::vector<BoundValue> baseConstructorArguments;
};

/// What a declared name gives the code that uses it, in the declaring
/// front-end's own terms (a handle: TypeScript's "SupabaseClient",
/// "Repository:Band"): the value itself, the result of calling it, or its
/// instances. Known where it is declared, or the same as what another name
/// of the declaring module gives (`via`, as `viaOf`), which only the
/// project's index can tell when that name is imported.
struct HandleFact {
  enum class Of { Value, CallResult, Instance };
  Of of = Of::Value;
  std::string handle;
  /// The handle names the project's own code (an instance of one of its
  /// classes), not a framework's: a subclass keeps its own name then.
  bool application = false;
  std::string via;
  Of viaOf = Of::Value;
};

/// The handles the project's index resolved for names of one file's scope
/// (imported, or declared through an import), by name: each is known.
using NameHandles = std::map<std::string, HandleFact>;

/// The declarations of one source file that other files' names reach: its
/// imports, module-level values and classes. The engine merges them into
/// the project's index (engine/NameResolution.h) and resolves calls with it.
struct ModuleFacts {
  std::map<std::string, ImportedName> imports;
  std::map<std::string, BoundValue> values;
  std::vector<ClassFacts> classes;
  /// ES modules: exported name ("default" too) -> the local name it exports,
  /// and the modules whose every export this one re-exports (`export *`).
  std::map<std::string, std::string> exports;
  std::vector<std::string> starExports;
  /// By declared name (TypeScript).
  std::map<std::string, HandleFact> handles;
  /// What lowering took imported names to give, not knowing (a call's
  /// result is plain data, `new X()` a fresh entity): the index lowers the
  /// file again with the handles it resolves where they differ.
  std::map<std::string, HandleFact> assumed;
};

/// What one front-end learned from one file. Produced in parallel; merged by
/// the engine in a deterministic order.
struct FileAnalysis {
  std::string path;
  std::vector<SchemaChange> schemaChanges;
  std::vector<Unit> units;
  std::vector<Diagnostic> diagnostics;
  /// Table names the code refers to indirectly ("typeorm:Band" -> "band").
  std::map<std::string, std::string> tableNames;
  /// Per table, the database column of each field name the code uses.
  std::map<std::string, std::map<std::string, std::string>> columnNames;
  /// Tables known by a conventional name elsewhere: Django's migrations name
  /// a model's table `<app>_<model>` unless its `db_table` (declared in
  /// another file) says otherwise. Default name -> declared name.
  std::map<std::string, std::string> tableAliases;
  /// Databases the file's configuration names (a SQLAlchemy URL, a Django
  /// ENGINE): dialect ("sqlite", "postgresql", ...) -> where. Row locks of
  /// code whose only database is SQLite lock nothing.
  std::map<std::string, SourceLocation> databaseDialects;
  /// Isolation levels the file's engines are created with
  /// (`create_engine(url, isolation_level="SERIALIZABLE")`).
  std::set<Isolation> engineIsolations;
  /// The file is ORM code (Python): its row locks and transactions are the
  /// ORM's (which SQLite runs without locks, which an engine's isolation
  /// level governs), not SQL written for PostgreSQL.
  bool ormCode = false;
  /// An Alembic migration: its revision and the one it follows; migrations
  /// apply in the order of that chain, not of their file names.
  std::string migrationRevision, migrationParent;
  ModuleFacts module;
};

} // namespace racelint
