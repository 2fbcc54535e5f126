#include "SqlInternal.h"

#include <cstdint>
#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

namespace racelint::sql {

std::vector<SqlToken> scanSql(const std::string &text) {
  std::vector<SqlToken> tokens;
  PgQueryScanResult scan = pg_query_scan(text.c_str());
  if (!scan.error)
    if (PgQuery__ScanResult *result = pg_query__scan_result__unpack(
            nullptr, scan.pbuf.len,
            reinterpret_cast<const std::uint8_t *>(scan.pbuf.data))) {
      for (std::size_t i = 0; i < result->n_tokens; ++i) {
        const PgQuery__ScanToken &token = *result->tokens[i];
        SqlToken scanned;
        scanned.begin = static_cast<std::size_t>(token.start);
        scanned.end = static_cast<std::size_t>(token.end);
        scanned.semicolon = token.token == PG_QUERY__TOKEN__ASCII_59;
        scanned.begins = token.token == PG_QUERY__TOKEN__BEGIN_P;
        scanned.identifier = token.token == PG_QUERY__TOKEN__IDENT;
        tokens.push_back(scanned);
      }
      pg_query__scan_result__free_unpacked(result, nullptr);
    }
  pg_query_free_scan_result(scan);
  return tokens;
}

} // namespace racelint::sql
