// Runs a fuzz target's entry point over saved inputs without libFuzzer, so
// that any compiler builds it: the regression tests replay the inputs that
// once crashed a target (fuzz/regressions/<target>/) on every test run. A
// directory's subdirectories are not entered: open/ holds the inputs whose
// crash is not fixed yet.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size);

namespace fs = std::filesystem;

int main(int argc, char **argv) {
  // Sorted, so that a crash always happens after the same inputs.
  std::set<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    fs::path argument(argv[i]);
    if (fs::is_directory(argument)) {
      for (const auto &entry : fs::directory_iterator(argument))
        if (entry.is_regular_file())
          inputs.insert(entry.path());
    } else if (fs::exists(argument)) {
      inputs.insert(argument);
    } else {
      std::cerr << argument.string() << ": no such file or directory\n";
      return 2;
    }
  }
  for (const fs::path &input : inputs) {
    std::cout << "replaying " << input.string() << std::endl;
    std::ifstream stream(input, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(stream)),
                            std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t *>(bytes.data()),
                           bytes.size());
  }
  std::cout << inputs.size() << " input(s) replayed without a crash\n";
  return 0;
}
