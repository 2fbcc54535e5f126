# Fetches a pinned package from the npm registry with `npm pack` into the
# build tree (never committed): `racelint_npm_pack(name@version DIR)` unpacks
# it as DIR/package. A package already unpacked is not fetched again.
find_program(NPM_EXECUTABLE npm REQUIRED)

function(racelint_npm_pack package unpack_dir)
  if(EXISTS "${unpack_dir}/package/package.json")
    return()
  endif()
  file(MAKE_DIRECTORY "${unpack_dir}")
  message(STATUS "Fetching ${package} with npm pack")
  execute_process(
    COMMAND "${NPM_EXECUTABLE}" pack "${package}" --silent
    WORKING_DIRECTORY "${unpack_dir}"
    OUTPUT_VARIABLE tarball
    OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE npm_status)
  if(NOT npm_status EQUAL 0)
    message(FATAL_ERROR "npm pack ${package} failed (${npm_status})")
  endif()
  string(REGEX REPLACE ".*\n" "" tarball "${tarball}")
  file(ARCHIVE_EXTRACT INPUT "${unpack_dir}/${tarball}" DESTINATION "${unpack_dir}")
  file(REMOVE "${unpack_dir}/${tarball}")
endfunction()
