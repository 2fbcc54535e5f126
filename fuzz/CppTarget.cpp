// One C++ translation unit, compiled as a file without a compile command is
// (`-std=c++17`). The in-memory input's path has no extension: `-x c++` says
// what it is.
#include "ScanInput.h"
#include "frontends/cpp/CppFrontend.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  static const racelint::CppFrontend frontend([] {
    racelint::CppOptions options;
    options.baseDirectory = "/";
    options.fixedArguments = {"-x", "c++", "-std=c++17"};
    return options;
  }());
  racelint::fuzz::scanInput(frontend, "src/fuzz.cpp", data, size);
  return 0;
}
