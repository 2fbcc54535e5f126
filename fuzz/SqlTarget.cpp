// SQL migrations, scripts and PL/pgSQL functions (the SQL front-end).
#include "ScanInput.h"
#include "sql/SqlFrontend.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  static const racelint::sql::SqlFrontend frontend;
  racelint::fuzz::scanInput(frontend, "migrations/0001_fuzz.sql", data, size);
  return 0;
}
