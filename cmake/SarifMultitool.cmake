# The SARIF Multitool from the npm registry validates our SARIF the way GitHub
# code scanning does. Fetched once into the build tree, like the grammars.
set(multitool_package "@microsoft/sarif-multitool-linux@5.7.0")
set(multitool_dir "${CMAKE_BINARY_DIR}/_deps/sarif-multitool")
set(SARIF_MULTITOOL "${multitool_dir}/package/Sarif.Multitool")
if(NOT EXISTS "${SARIF_MULTITOOL}")
  file(MAKE_DIRECTORY "${multitool_dir}")
  message(STATUS "Fetching ${multitool_package} with npm pack")
  execute_process(
    COMMAND "${NPM_EXECUTABLE}" pack "${multitool_package}" --silent
    WORKING_DIRECTORY "${multitool_dir}"
    OUTPUT_VARIABLE tarball
    OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE npm_status)
  if(NOT npm_status EQUAL 0)
    message(FATAL_ERROR "npm pack ${multitool_package} failed (${npm_status})")
  endif()
  string(REGEX REPLACE ".*\n" "" tarball "${tarball}")
  file(ARCHIVE_EXTRACT INPUT "${multitool_dir}/${tarball}" DESTINATION "${multitool_dir}")
  file(REMOVE "${multitool_dir}/${tarball}")
  file(CHMOD "${SARIF_MULTITOOL}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
       GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endif()
