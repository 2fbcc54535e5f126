#pragma once

// The project's index of what each file declares (ModuleFacts, units), and
// the resolution of a call to the unit it reaches: through the caller's
// imports, its module's names, classes and their bases, and what a
// receiver's constructor stores in it. A call resolves only to code the
// caller can reach in its own language; what cannot be resolved is left
// unresolved, never guessed.

#include "model/FileAnalysis.h"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace racelint {

/// A class of the project, and the file that declares it.
struct ClassRef {
  std::size_t file = 0;
  const ClassFacts *facts = nullptr;
  explicit operator bool() const { return facts != nullptr; }
};

/// The unit a call reaches, with the class of the instance it runs on (for
/// what `self.attribute` holds there), and whether the call binds the
/// callee's first parameter (`self`, `cls`).
struct CallTarget {
  std::size_t file = 0;
  const Unit *unit = nullptr;
  ClassRef receiver;
  bool bindsFirstParameter = false;
};

/// An entity class's table, as events name it.
struct EntityTable {
  std::string table, tableRef;
};

class ProjectIndex {
public:
  explicit ProjectIndex(const std::vector<FileAnalysis> &files);

  /// What the Call event `call` of `caller` (declared in `file`) reaches;
  /// `receiver` is the class the caller runs on, when it is a method.
  std::optional<CallTarget> resolveCall(std::size_t file, const Unit &caller,
                                        const Event &call,
                                        ClassRef receiver) const;

  /// The class of a method unit (`Class.method`) of `file`.
  ClassRef classOf(std::size_t file, const Unit &unit) const;

  /// The entity class that `receiver`'s attribute holds (`self.model`,
  /// stored by a constructor from what a subclass passes to it).
  std::optional<EntityTable>
  attributeEntity(ClassRef receiver, const std::string &attribute) const;

private:
  enum class Language { Python, EcmaScript, Cpp, Sql, Other };

  /// What a name denotes in a module's scope.
  struct Symbol {
    enum class Kind {
      None,
      Module,
      Class,
      Function,
      Instance
    } kind = Kind::None;
    std::size_t file = 0;
    const ClassFacts *facts = nullptr; // Class and Instance
    const Unit *unit = nullptr;        // Function
  };

  static Language languageOf(const std::string &path);
  std::optional<std::size_t> resolveModule(std::size_t from,
                                           const std::string &module) const;
  Symbol lookup(std::size_t file, const std::string &name, int depth) const;
  Symbol member(const Symbol &of, const std::string &name, int depth) const;
  Symbol resolveDotted(std::size_t file, const std::string &dotted,
                       int depth) const;
  const Unit *method(ClassRef owner, const std::string &name, int depth,
                     ClassRef *declaredIn = nullptr) const;
  Symbol attribute(ClassRef owner, const std::string &name,
                   std::vector<ClassRef> &subclasses, int depth) const;
  Symbol boundSymbol(std::size_t file, const BoundValue &value,
                     std::vector<ClassRef> &subclasses, int depth) const;
  std::optional<CallTarget> resolvePython(std::size_t file, const Unit &caller,
                                          const Event &call,
                                          ClassRef receiver) const;

  const std::vector<FileAnalysis> &files_;
  std::vector<Language> languages_;
  /// Python modules by dotted path from the scan's root
  /// ("backend.app.services.portfolio"), and each file's.
  std::map<std::string, std::size_t> modules_;
  /// Each module under every dotted suffix of its name ("services.portfolio"
  /// for "backend.app.services.portfolio"), with the root that prefixes it.
  std::map<std::string, std::vector<std::pair<std::string, std::size_t>>>
      bySuffix_;
  std::vector<std::string> moduleNames_;
  /// Per file, its units by qualified name (a name two units share maps to
  /// none) and its classes by name.
  std::vector<std::map<std::string, const Unit *>> units_;
  std::vector<std::map<std::string, const ClassFacts *>> classes_;
  /// Units by qualified name within each language, for the front-ends whose
  /// calls do not name imports yet (TypeScript, C++), and SQL functions.
  std::map<Language,
           std::map<std::string, std::pair<std::size_t, const Unit *>>>
      byLanguage_;
};

} // namespace racelint
