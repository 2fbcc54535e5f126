# The TypeScript compiler from the npm registry: its own parser is the judge
# of which files are valid TypeScript, for a test that racelint's parse
# agrees. Fetched once into the build tree, like the grammars. 7.x is the
# native port, which has no JavaScript API (ts.createSourceFile).
set(typescript_package "typescript@6.0.3")
set(TYPESCRIPT_COMPILER_DIR "${CMAKE_BINARY_DIR}/_deps/typescript/package")
find_program(NODE_EXECUTABLE node REQUIRED)
if(NOT EXISTS "${TYPESCRIPT_COMPILER_DIR}/package.json")
  set(download_dir "${CMAKE_BINARY_DIR}/_deps/typescript")
  file(MAKE_DIRECTORY "${download_dir}")
  message(STATUS "Fetching ${typescript_package} with npm pack")
  execute_process(
    COMMAND "${NPM_EXECUTABLE}" pack "${typescript_package}" --silent
    WORKING_DIRECTORY "${download_dir}"
    OUTPUT_VARIABLE tarball
    OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE npm_status)
  if(NOT npm_status EQUAL 0)
    message(FATAL_ERROR "npm pack ${typescript_package} failed (${npm_status})")
  endif()
  string(REGEX REPLACE ".*\n" "" tarball "${tarball}")
  file(ARCHIVE_EXTRACT INPUT "${download_dir}/${tarball}" DESTINATION "${download_dir}")
  file(REMOVE "${download_dir}/${tarball}")
endif()
