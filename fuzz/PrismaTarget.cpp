// `schema.prisma`.
#include "ScanInput.h"
#include "frontends/prisma/PrismaFrontend.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  static const racelint::PrismaFrontend frontend;
  racelint::fuzz::scanInput(frontend, "prisma/schema.prisma", data, size);
  return 0;
}
