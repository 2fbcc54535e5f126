#include "Frontends.h"

#include "prisma/PrismaFrontend.h"
#include "python/PyFrontend.h"
#include "sql/SqlFrontend.h"
#include "typescript/TsFrontend.h"

namespace racelint {

std::vector<std::unique_ptr<Frontend>> createFrontends(CppOptions cpp) {
  std::vector<std::unique_ptr<Frontend>> frontends;
  frontends.push_back(std::make_unique<sql::SqlFrontend>());
  frontends.push_back(std::make_unique<TypeScriptFrontend>());
  frontends.push_back(std::make_unique<PrismaFrontend>());
  frontends.push_back(std::make_unique<PythonFrontend>());
  frontends.push_back(std::make_unique<CppFrontend>(std::move(cpp)));
  return frontends;
}

} // namespace racelint
