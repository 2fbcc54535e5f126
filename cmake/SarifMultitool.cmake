# The SARIF Multitool from the npm registry validates our SARIF the way GitHub
# code scanning does. Fetched once into the build tree, like the grammars.
set(multitool_package "@microsoft/sarif-multitool-linux@5.7.0")
set(multitool_dir "${CMAKE_BINARY_DIR}/_deps/sarif-multitool")
set(SARIF_MULTITOOL "${multitool_dir}/package/Sarif.Multitool")
if(NOT EXISTS "${SARIF_MULTITOOL}")
  racelint_npm_pack("${multitool_package}" "${multitool_dir}")
  file(CHMOD "${SARIF_MULTITOOL}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
       GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endif()
