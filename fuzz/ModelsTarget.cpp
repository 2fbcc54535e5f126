// The framework models' YAML loader: the first byte picks which of the eight
// model files the rest of the input replaces; the others are the built-in
// ones, so that the loader gets as far as the replaced file.
#include "EmbeddedModels.h"
#include "frontends/FrameworkModels.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  using namespace racelint::embedded;
  if (size == 0)
    return 0;
  std::array<std::string, 8> files = {
      kTypeormYaml,  kPrismaYaml,     kHttpYaml,   kEffectsYaml,
      kSupabaseYaml, kSqlClientsYaml, kPythonYaml, kCppYaml};
  files[data[0] % files.size()].assign(reinterpret_cast<const char *>(data + 1),
                                       size - 1);
  try {
    racelint::parseFrameworkModels(files[0], files[1], files[2], files[3],
                                   files[4], files[5], files[6], files[7]);
  } catch (const std::runtime_error &) {
    // The loader's way of reporting a bad file; anything else escapes.
  }
  return 0;
}
