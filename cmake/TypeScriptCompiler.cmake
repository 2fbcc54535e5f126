# The TypeScript compiler from the npm registry: its own parser is the judge
# of which files are valid TypeScript, for a test that racelint's parse
# agrees. 7.x is the native port, which has no JavaScript API
# (ts.createSourceFile).
find_program(NODE_EXECUTABLE node REQUIRED)
racelint_npm_pack("typescript@6.0.3" "${CMAKE_BINARY_DIR}/_deps/typescript")
set(TYPESCRIPT_COMPILER_DIR "${CMAKE_BINARY_DIR}/_deps/typescript/package")
