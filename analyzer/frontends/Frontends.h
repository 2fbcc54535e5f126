#pragma once

#include "engine/Driver.h"

#include <memory>
#include <vector>

namespace racelint {

/// Every built-in front-end: SQL, TypeScript/JavaScript, Prisma schema.
std::vector<std::unique_ptr<Frontend>> createFrontends();

} // namespace racelint
