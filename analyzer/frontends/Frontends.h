#pragma once

#include "cpp/CppFrontend.h"
#include "engine/Driver.h"

#include <memory>
#include <vector>

namespace racelint {

/// Every built-in front-end: SQL, TypeScript/JavaScript, Prisma schema,
/// Python, C/C++ (finding compile commands as `cpp` says).
std::vector<std::unique_ptr<Frontend>> createFrontends(CppOptions cpp = {});

} // namespace racelint
