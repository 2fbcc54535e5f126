#pragma once

// What the C++ lowering asks of Clang's AST: names of declarations, the
// value an expression stands for, the text of SQL built from constants, and
// source locations as racelint reports them.

#include "CppLowering.h"
#include "frontends/FrameworkModels.h"
#include "model/Program.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/ExprCXX.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace racelint::cpp {

/// A construction from one value (a copy, a move, `std::string` from a
/// literal), as opposed to one from several arguments.
bool isConversion(const clang::CXXConstructExpr *construct);

/// The constructor call that initialises a variable, if any.
const clang::CXXConstructExpr *constructionOf(const clang::VarDecl *variable);

/// Looks through what Clang adds around a value without changing it:
/// implicit conversions and copies, temporaries, parentheses, functional
/// casts (`std::string("...")`).
const clang::Expr *strip(const clang::Expr *expr);

/// The variable an expression names, through `&` (an out-parameter).
const clang::ValueDecl *variableOf(const clang::Expr *expr);

/// The class of a value of this type, through references, const and smart
/// pointers (`std::shared_ptr<HttpRequest>`).
const clang::CXXRecordDecl *recordOf(clang::QualType type);

/// Calls `visit` with the class and each class it derives from, until
/// `visit` returns true.
bool anyClass(const clang::CXXRecordDecl *record,
              const std::function<bool(const clang::CXXRecordDecl *)> &visit);

/// The class, or one it derives from, is named in `names`.
bool classIs(const clang::CXXRecordDecl *record, const NameSet &names);

/// The names a call's target answers to: its qualified name, and for a
/// method the same name in every class its own derives from.
std::vector<std::string> calleeNames(const clang::FunctionDecl *function);

/// The entry of `map` for the first of a callee's names it holds.
template <typename Map>
const typename Map::mapped_type *
findCallee(const Map &map, const std::vector<std::string> &names) {
  for (const std::string &name : names)
    if (auto found = map.find(name); found != map.end())
      return &found->second;
  return nullptr;
}

/// One of a callee's names is in `set`.
bool anyCallee(const NameSet &set, const std::vector<std::string> &names);

std::string upper(std::string text);

/// The enumerators an expression names, anywhere inside it (`{Post, Put}`).
void collectEnumerators(const clang::Stmt *node,
                        std::vector<std::string> &names);

/// A model class of an ORM mapper: it declares the static member naming its
/// table.
bool isModel(const clang::CXXRecordDecl *record, const CppMapperApi &api);

/// The column a model's accessor names: `setBalance` with prefix "set" is
/// `balance`, `getValueOfUserName` is `user_name`.
std::optional<std::string>
accessorColumn(const std::string &method,
               const std::vector<std::string> &prefixes);

/// What one translation unit knows before its functions are lowered.
class TranslationUnit {
public:
  TranslationUnit(clang::ASTContext &context, const CppModel &model,
                  const PathNames &names, FileAnalysis &analysis)
      : context(context), sources(context.getSourceManager()), model(model),
        analysis(analysis), names_(names) {}

  /// The span of `range` as reports name it (macro expansions at their use).
  racelint::SourceLocation location(clang::SourceRange range);

  /// Code of the scanned project: not a system header (`-isystem`, the
  /// compiler's and the libraries' own headers).
  bool inProject(clang::SourceLocation at) const;

  /// The text of a string the code builds from literals, constants and
  /// concatenations; nothing for anything computed at run time.
  std::optional<std::string> text(const clang::Expr *expr, int depth = 0);

  /// An HTTP method named by an argument: `"POST"_method`, `"POST"`,
  /// `HTTPMethod::Post`, `drogon::Post`.
  std::optional<std::string> httpMethod(const clang::Expr *expr);

  clang::ASTContext &context;
  const clang::SourceManager &sources;
  const CppModel &model;
  FileAnalysis &analysis;
  /// Statements prepared by name (`conn.prepare("debit", "UPDATE ...")`).
  std::map<std::string, std::string> prepared;
  /// Handlers registered for HTTP routes: lambdas, and methods (`&C::m`).
  std::map<const clang::LambdaExpr *, HttpFacts> handlerLambdas;
  std::map<const clang::FunctionDecl *, HttpFacts> handlerFunctions;

private:
  unsigned codePointColumn(clang::SourceLocation at) const;
  std::string displayName(clang::FileID file, llvm::StringRef name) {
    auto [it, inserted] = displayNames_.emplace(file.getHashValue(), "");
    if (inserted)
      it->second = names_.display(name);
    return it->second;
  }

  const PathNames &names_;
  std::map<unsigned, std::string> displayNames_;
};

/// The object a member call (or a member operator) is made on, and its
/// other arguments.
struct CallParts {
  const clang::FunctionDecl *callee = nullptr;
  const clang::Expr *object = nullptr;
  std::vector<const clang::Expr *> arguments;
};

/// A call's callee, object and arguments (defaulted ones left out).
CallParts callParts(const clang::CallExpr *call);

} // namespace racelint::cpp
