# The tree-sitter runtime and the pinned grammars, from the npm registry
# (cmake/NpmPack.cmake), each built as a static library.
include(${CMAKE_CURRENT_LIST_DIR}/NpmPack.cmake)

# The runtime: the one vendored in the Node binding's package. Debian's
# libtree-sitter 0.20.7 corrupts its heap on some valid input (`a<b,` written
# thousands of times: `free(): invalid size`); 0.22's does not, and it reads
# the same ABI 14 grammars.
set(tree_sitter_runtime "tree-sitter@0.22.4")
set(runtime_dir "${CMAKE_BINARY_DIR}/_deps/tree-sitter-runtime")
racelint_npm_pack("${tree_sitter_runtime}" "${runtime_dir}")
set(runtime_lib "${runtime_dir}/package/vendor/tree-sitter/lib")
add_library(tree-sitter-runtime STATIC "${runtime_lib}/src/lib.c")
target_include_directories(tree-sitter-runtime PRIVATE "${runtime_lib}/src")
set_target_properties(tree-sitter-runtime PROPERTIES C_STANDARD 11
                      POSITION_INDEPENDENT_CODE ON)
target_compile_options(tree-sitter-runtime PRIVATE -w
                       ${RACELINT_THIRD_PARTY_FUZZ_OPTIONS})
# Its <tree_sitter/api.h> for every target, ahead of any installed one.
include_directories(BEFORE SYSTEM "${runtime_lib}/include")
set(TREE_SITTER_LIBRARY tree-sitter-runtime)

set(RACELINT_GRAMMARS
    "tree-sitter-typescript@0.23.2|typescript/src|typescript"
    "tree-sitter-typescript@0.23.2|tsx/src|tsx"
    "tree-sitter-javascript@0.23.1|src|javascript"
    "tree-sitter-python@0.23.6|src|python")

set(grammar_root "${CMAKE_BINARY_DIR}/_deps/grammars")
foreach(entry IN LISTS RACELINT_GRAMMARS)
  string(REPLACE "|" ";" fields "${entry}")
  list(GET fields 0 package)
  list(GET fields 1 source_subdir)
  list(GET fields 2 language)
  string(REPLACE "@" "-" unpack_name "${package}")
  set(unpack_dir "${grammar_root}/${unpack_name}")
  racelint_npm_pack("${package}" "${unpack_dir}")
  set(source_dir "${unpack_dir}/package/${source_subdir}")
  set(sources "${source_dir}/parser.c")
  if(EXISTS "${source_dir}/scanner.c")
    list(APPEND sources "${source_dir}/scanner.c")
  endif()
  add_library(tree-sitter-${language} STATIC ${sources})
  target_include_directories(tree-sitter-${language} PRIVATE "${source_dir}")
  set_target_properties(tree-sitter-${language} PROPERTIES C_STANDARD 11
                        POSITION_INDEPENDENT_CODE ON)
  # Generated parsers are not our code: keep their warnings out of our build.
  target_compile_options(tree-sitter-${language} PRIVATE -w
                         ${RACELINT_THIRD_PARTY_FUZZ_OPTIONS})
endforeach()
