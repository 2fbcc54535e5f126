// What the C++ lowering asks of Clang's AST (see CppAst.h).

#include "CppAst.h"

#include "frontends/lowering/LoweringCore.h"

#include <clang/Lex/Lexer.h>

#include <algorithm>
#include <cctype>

namespace racelint::cpp {

bool isConversion(const clang::CXXConstructExpr *construct) {
  unsigned given = 0;
  for (const clang::Expr *argument : construct->arguments())
    given += !argument->isDefaultArgument();
  return given == 1 && !construct->getArg(0)->isDefaultArgument();
}

const clang::CXXConstructExpr *constructionOf(const clang::VarDecl *variable) {
  const clang::Expr *init = variable->getInit();
  if (auto *cleanups = llvm::dyn_cast_or_null<clang::ExprWithCleanups>(init))
    init = cleanups->getSubExpr();
  return init ? llvm::dyn_cast<clang::CXXConstructExpr>(init->IgnoreImplicit())
              : nullptr;
}

const clang::Expr *strip(const clang::Expr *expr) {
  while (expr) {
    const clang::Expr *next = expr->IgnoreParenImpCasts();
    if (auto *cleanups = llvm::dyn_cast<clang::ExprWithCleanups>(next))
      next = cleanups->getSubExpr();
    else if (auto *temporary =
                 llvm::dyn_cast<clang::MaterializeTemporaryExpr>(next))
      next = temporary->getSubExpr();
    else if (auto *bind = llvm::dyn_cast<clang::CXXBindTemporaryExpr>(next))
      next = bind->getSubExpr();
    else if (auto *cast = llvm::dyn_cast<clang::CXXFunctionalCastExpr>(next))
      next = cast->getSubExpr();
    else if (auto *construct = llvm::dyn_cast<clang::CXXConstructExpr>(next);
             construct && isConversion(construct))
      next = construct->getArg(0);
    if (next == expr)
      return expr;
    expr = next;
  }
  return expr;
}

const clang::ValueDecl *variableOf(const clang::Expr *expr) {
  expr = strip(expr);
  if (auto *address = llvm::dyn_cast_or_null<clang::UnaryOperator>(expr);
      address && address->getOpcode() == clang::UO_AddrOf)
    expr = strip(address->getSubExpr());
  auto *reference = llvm::dyn_cast_or_null<clang::DeclRefExpr>(expr);
  return reference ? reference->getDecl() : nullptr;
}

const clang::CXXRecordDecl *recordOf(clang::QualType type) {
  if (type.isNull())
    return nullptr;
  const clang::CXXRecordDecl *record =
      type.getNonReferenceType()->getAsCXXRecordDecl();
  if (auto *pointer =
          llvm::dyn_cast_or_null<clang::ClassTemplateSpecializationDecl>(
              record)) {
    std::string name = pointer->getQualifiedNameAsString();
    if ((name == "std::shared_ptr" || name == "std::unique_ptr") &&
        pointer->getTemplateArgs().size() > 0 &&
        pointer->getTemplateArgs()[0].getKind() ==
            clang::TemplateArgument::Type)
      return pointer->getTemplateArgs()[0].getAsType()->getAsCXXRecordDecl();
  }
  return record;
}

bool anyClass(const clang::CXXRecordDecl *record,
              const std::function<bool(const clang::CXXRecordDecl *)> &visit) {
  if (!record)
    return false;
  if (visit(record))
    return true;
  const clang::CXXRecordDecl *definition = record->getDefinition();
  if (!definition)
    return false;
  for (const clang::CXXBaseSpecifier &base : definition->bases())
    if (anyClass(base.getType()->getAsCXXRecordDecl(), visit))
      return true;
  return false;
}

bool classIs(const clang::CXXRecordDecl *record, const NameSet &names) {
  return anyClass(record, [&](const clang::CXXRecordDecl *each) {
    return names.count(each->getQualifiedNameAsString()) > 0;
  });
}

std::vector<std::string> calleeNames(const clang::FunctionDecl *function) {
  std::vector<std::string> names;
  auto *method = llvm::dyn_cast<clang::CXXMethodDecl>(function);
  if (!method) {
    names.push_back(function->getQualifiedNameAsString());
    return names;
  }
  std::string member = "::" + method->getNameAsString();
  anyClass(method->getParent(), [&](const clang::CXXRecordDecl *each) {
    names.push_back(each->getQualifiedNameAsString() + member);
    return false;
  });
  return names;
}

bool anyCallee(const NameSet &set, const std::vector<std::string> &names) {
  return std::any_of(names.begin(), names.end(), [&](const std::string &name) {
    return set.count(name) > 0;
  });
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return text;
}

void collectEnumerators(const clang::Stmt *node,
                        std::vector<std::string> &names) {
  if (!node)
    return;
  if (auto *reference = llvm::dyn_cast<clang::DeclRefExpr>(node))
    if (llvm::isa<clang::EnumConstantDecl>(reference->getDecl()))
      names.push_back(upper(reference->getDecl()->getNameAsString()));
  for (const clang::Stmt *child : node->children())
    collectEnumerators(child, names);
}

bool isModel(const clang::CXXRecordDecl *record, const CppMapperApi &api) {
  if (!record || !record->hasDefinition())
    return false;
  for (const clang::Decl *member : record->getDefinition()->decls())
    if (auto *variable = llvm::dyn_cast<clang::VarDecl>(member))
      if (variable->getName() == api.tableMember)
        return true;
  return false;
}

std::optional<std::string>
accessorColumn(const std::string &method,
               const std::vector<std::string> &prefixes) {
  for (const std::string &prefix : prefixes)
    if (method.size() > prefix.size() && method.starts_with(prefix) &&
        std::isupper(static_cast<unsigned char>(method[prefix.size()])))
      return lowering::snakeCase(method.substr(prefix.size()));
  return std::nullopt;
}

CallParts callParts(const clang::CallExpr *call) {
  CallParts parts;
  parts.callee = call->getDirectCallee();
  unsigned first = 0;
  if (auto *member = llvm::dyn_cast<clang::CXXMemberCallExpr>(call)) {
    parts.object = member->getImplicitObjectArgument();
  } else if (llvm::isa<clang::CXXOperatorCallExpr>(call) &&
             llvm::isa_and_nonnull<clang::CXXMethodDecl>(parts.callee) &&
             call->getNumArgs() > 0) {
    parts.object = call->getArg(0);
    first = 1;
  }
  for (unsigned i = first; i < call->getNumArgs(); ++i)
    if (!call->getArg(i)->isDefaultArgument())
      parts.arguments.push_back(call->getArg(i));
  return parts;
}

/// The 1-based column of `at` in Unicode code points, as racelint reports
/// columns everywhere (Clang counts bytes).
unsigned TranslationUnit::codePointColumn(clang::SourceLocation at) const {
  auto [file, offset] = sources.getDecomposedLoc(at);
  bool invalid = false;
  llvm::StringRef buffer = sources.getBufferData(file, &invalid);
  if (invalid || offset > buffer.size())
    return sources.getColumnNumber(file, offset);
  std::size_t lineStart = buffer.rfind('\n', offset == 0 ? 0 : offset - 1);
  lineStart =
      lineStart == llvm::StringRef::npos || offset == 0 ? 0 : lineStart + 1;
  unsigned column = 1;
  for (std::size_t i = lineStart; i < offset; ++i)
    column += (static_cast<unsigned char>(buffer[i]) & 0xC0) != 0x80;
  return column;
}

racelint::SourceLocation TranslationUnit::location(clang::SourceRange range) {
  clang::SourceLocation begin = sources.getFileLoc(range.getBegin());
  clang::SourceLocation end = clang::Lexer::getLocForEndOfToken(
      sources.getFileLoc(range.getEnd()), 0, sources, context.getLangOpts());
  racelint::SourceLocation result;
  clang::PresumedLoc first = sources.getPresumedLoc(begin, false);
  if (first.isInvalid())
    return result;
  result.file = displayName(sources.getFileID(begin), first.getFilename());
  result.line = first.getLine();
  result.column = codePointColumn(begin);
  clang::PresumedLoc last =
      end.isValid() ? sources.getPresumedLoc(end, false) : clang::PresumedLoc();
  if (last.isValid() && last.getFileID() == first.getFileID()) {
    result.endLine = last.getLine();
    result.endColumn = codePointColumn(end);
  } else {
    result.endLine = result.line;
    result.endColumn = result.column + 1;
  }
  return result;
}

bool TranslationUnit::inProject(clang::SourceLocation at) const {
  clang::SourceLocation file = sources.getFileLoc(at);
  return file.isValid() && !sources.isInSystemHeader(file) &&
         sources.getFileEntryForID(sources.getFileID(file)) != nullptr;
}

std::optional<std::string> TranslationUnit::text(const clang::Expr *expr,
                                                 int depth) {
  expr = strip(expr);
  if (!expr || depth > 16)
    return std::nullopt;
  if (auto *literal = llvm::dyn_cast<clang::StringLiteral>(expr))
    return literal->getCharByteWidth() == 1
               ? std::optional<std::string>(literal->getString().str())
               : std::nullopt;
  if (auto *user = llvm::dyn_cast<clang::UserDefinedLiteral>(expr))
    return text(user->getCookedLiteral(), depth + 1);
  if (auto *reference = llvm::dyn_cast<clang::DeclRefExpr>(expr)) {
    auto *variable = llvm::dyn_cast<clang::VarDecl>(reference->getDecl());
    // Constants, locals, and `const char *kSql = "..."` (a pointer to
    // constant text, as C code declares its statements).
    if (variable && variable->getInit() &&
        (variable->getType().isConstQualified() || variable->isConstexpr() ||
         variable->isLocalVarDecl() ||
         (variable->getType()->isPointerType() &&
          variable->getType()->getPointeeType().isConstQualified())))
      return text(variable->getInit(), depth + 1);
    return std::nullopt;
  }
  const clang::Expr *left = nullptr, *right = nullptr;
  if (auto *op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(expr);
      op && op->getOperator() == clang::OO_Plus && op->getNumArgs() == 2) {
    left = op->getArg(0);
    right = op->getArg(1);
  }
  if (left && right) {
    auto head = text(left, depth + 1), tail = text(right, depth + 1);
    if (head && tail)
      return *head + *tail;
  }
  return std::nullopt;
}

std::optional<std::string>
TranslationUnit::httpMethod(const clang::Expr *expr) {
  expr = strip(expr);
  if (auto *reference = llvm::dyn_cast_or_null<clang::DeclRefExpr>(expr))
    if (llvm::isa<clang::EnumConstantDecl>(reference->getDecl()))
      return upper(reference->getDecl()->getNameAsString());
  if (auto value = text(expr))
    return upper(*value);
  return std::nullopt;
}

} // namespace racelint::cpp
