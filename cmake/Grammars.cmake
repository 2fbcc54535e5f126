# Fetches the pinned tree-sitter grammars from the npm registry with `npm pack`
# into the build tree (never committed) and builds one static library each.
# A grammar already unpacked is not fetched again.
set(RACELINT_GRAMMARS
    "tree-sitter-typescript@0.23.2|typescript/src|typescript"
    "tree-sitter-typescript@0.23.2|tsx/src|tsx"
    "tree-sitter-javascript@0.23.1|src|javascript"
    "tree-sitter-python@0.23.6|src|python")

set(grammar_root "${CMAKE_BINARY_DIR}/_deps/grammars")
find_program(NPM_EXECUTABLE npm REQUIRED)

foreach(entry IN LISTS RACELINT_GRAMMARS)
  string(REPLACE "|" ";" fields "${entry}")
  list(GET fields 0 package)
  list(GET fields 1 source_subdir)
  list(GET fields 2 language)
  string(REPLACE "@" "-" unpack_name "${package}")
  set(unpack_dir "${grammar_root}/${unpack_name}")
  if(NOT EXISTS "${unpack_dir}/package/package.json")
    file(MAKE_DIRECTORY "${grammar_root}")
    message(STATUS "Fetching ${package} with npm pack")
    execute_process(
      COMMAND "${NPM_EXECUTABLE}" pack "${package}" --silent
      WORKING_DIRECTORY "${grammar_root}"
      OUTPUT_VARIABLE tarball
      OUTPUT_STRIP_TRAILING_WHITESPACE
      RESULT_VARIABLE npm_status)
    if(NOT npm_status EQUAL 0)
      message(FATAL_ERROR "npm pack ${package} failed (${npm_status})")
    endif()
    string(REGEX REPLACE ".*\n" "" tarball "${tarball}")
    file(MAKE_DIRECTORY "${unpack_dir}")
    file(ARCHIVE_EXTRACT INPUT "${grammar_root}/${tarball}" DESTINATION "${unpack_dir}")
    file(REMOVE "${grammar_root}/${tarball}")
  endif()
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
  target_compile_options(tree-sitter-${language} PRIVATE -w)
endforeach()
