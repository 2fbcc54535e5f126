// The TypeScript and Python benchmarks' baseline: what any tree-sitter
// analysis must pay at least. Reads each file and parses it with the grammar
// racelint uses for its extension, and nothing else.
//   racelint_tree_sitter_parse_only FILE...

#include <tree_sitter/api.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

extern "C" const TSLanguage *tree_sitter_typescript();
extern "C" const TSLanguage *tree_sitter_tsx();
extern "C" const TSLanguage *tree_sitter_javascript();
extern "C" const TSLanguage *tree_sitter_python();

namespace {

const TSLanguage *languageFor(const std::string &path) {
  auto endsWith = [&](const std::string &suffix) {
    return path.size() >= suffix.size() &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) ==
               0;
  };
  if (endsWith(".py") || endsWith(".pyi"))
    return tree_sitter_python();
  if (endsWith(".tsx"))
    return tree_sitter_tsx();
  if (endsWith(".ts") || endsWith(".mts") || endsWith(".cts"))
    return tree_sitter_typescript();
  return tree_sitter_javascript();
}

} // namespace

int main(int argc, char **argv) {
  std::size_t lines = 0, withErrors = 0;
  TSParser *parser = ts_parser_new();
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    for (char c : text)
      lines += c == '\n';
    ts_parser_set_language(parser, languageFor(argv[i]));
    TSTree *tree = ts_parser_parse_string(parser, nullptr, text.data(),
                                          static_cast<uint32_t>(text.size()));
    withErrors += ts_node_has_error(ts_tree_root_node(tree));
    ts_tree_delete(tree);
  }
  ts_parser_delete(parser);
  std::cout << argc - 1 << " files, " << lines << " lines, " << withErrors
            << " the grammar had to repair (a MISSING or ERROR node)\n";
  return 0;
}
