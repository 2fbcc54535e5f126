// TypeScript, TSX or JavaScript, by the extension of RACELINT_FUZZ_PATH (one
// executable each): the front-end picks its grammar by the file name.
#include "ScanInput.h"
#include "frontends/typescript/TsFrontend.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  static const racelint::TypeScriptFrontend frontend;
  racelint::fuzz::scanInput(frontend, RACELINT_FUZZ_PATH, data, size);
  return 0;
}
