// The benchmark's baseline: what any SQL analysis must pay at least. Splits
// each file into statements and parses each with libpg_query, PL/pgSQL bodies
// included, and nothing else.
//   racelint_parse_only FILE...

#include <pg_query.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

int main(int argc, char **argv) {
  std::size_t statements = 0, errors = 0;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    PgQuerySplitResult split = pg_query_split_with_scanner(text.c_str());
    for (int s = 0; s < split.n_stmts; ++s) {
      std::string statement =
          text.substr(split.stmts[s]->stmt_location, split.stmts[s]->stmt_len);
      PgQueryParseResult parsed = pg_query_parse(statement.c_str());
      errors += parsed.error != nullptr;
      bool function = !parsed.error &&
                      std::strstr(parsed.parse_tree, "\"CreateFunctionStmt\"");
      pg_query_free_parse_result(parsed);
      if (function) {
        PgQueryPlpgsqlParseResult body =
            pg_query_parse_plpgsql(statement.c_str());
        errors += body.error != nullptr;
        pg_query_free_plpgsql_parse_result(body);
      }
      ++statements;
    }
    pg_query_free_split_result(split);
  }
  std::cout << statements << " statements, " << errors << " errors\n";
  return 0;
}
