// Proves the dependency plumbing the TypeScript, Python and C++ front-ends
// build on: grammars and the tree-sitter runtime fetched with npm pack, and
// LibTooling.

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/Frontend/ASTUnit.h>
#include <clang/Tooling/Tooling.h>
#include <gtest/gtest.h>
#include <tree_sitter/api.h>

#include <cstring>

extern "C" const TSLanguage *tree_sitter_typescript();
extern "C" const TSLanguage *tree_sitter_python();

namespace {

std::string parseToSExpression(const TSLanguage *language, const char *code) {
  TSParser *parser = ts_parser_new();
  EXPECT_TRUE(ts_parser_set_language(parser, language));
  TSTree *tree =
      ts_parser_parse_string(parser, nullptr, code, std::strlen(code));
  TSNode root = ts_tree_root_node(tree);
  EXPECT_FALSE(ts_node_has_error(root));
  char *text = ts_node_string(root);
  std::string result = text;
  free(text);
  ts_tree_delete(tree);
  ts_parser_delete(parser);
  return result;
}

TEST(Dependencies, TypeScriptGrammarParses) {
  std::string tree = parseToSExpression(
      tree_sitter_typescript(), "async function buy(id: string) { await "
                                "repo.findOne({ where: { id } }); }");
  EXPECT_NE(tree.find("function_declaration"), std::string::npos) << tree;
  EXPECT_NE(tree.find("await_expression"), std::string::npos) << tree;
}

TEST(Dependencies, PythonGrammarParses) {
  std::string tree = parseToSExpression(
      tree_sitter_python(), "def buy(session, id):\n    row = "
                            "session.get(Lead, id)\n    row.sold = True\n");
  EXPECT_NE(tree.find("function_definition"), std::string::npos) << tree;
}

TEST(Dependencies, ClangBuildsAnAst) {
  std::unique_ptr<clang::ASTUnit> unit = clang::tooling::buildASTFromCode(
      "int withdraw(int balance, int amount) { return balance - amount; }");
  ASSERT_TRUE(unit);
  bool found = false;
  for (const clang::Decl *decl :
       unit->getASTContext().getTranslationUnitDecl()->decls())
    if (const auto *function = llvm::dyn_cast<clang::FunctionDecl>(decl))
      found |= function->getNameAsString() == "withdraw";
  EXPECT_TRUE(found);
}

} // namespace
