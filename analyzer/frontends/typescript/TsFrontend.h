#pragma once

#include "engine/Driver.h"

namespace racelint {

/// TypeScript and JavaScript (`.ts .tsx .mts .cts .js .jsx .mjs .cjs`) with
/// tree-sitter: TypeORM entities and migrations become schema changes;
/// functions, class methods, NestJS controllers and Express routes become
/// units whose events come from TypeORM, Prisma and raw SQL calls.
class TypeScriptFrontend : public Frontend {
public:
  bool handles(const std::string &path) const override;
  FileAnalysis analyze(const SourceFile &file) const override;
  FileAnalysis analyzeWith(const SourceFile &file,
                           const NameHandles *handles) const override;
};

} // namespace racelint
