#pragma once

#include "engine/Driver.h"

namespace racelint {

/// `schema.prisma` (and `prisma/schema/*.prisma`): each model declares a
/// table, its columns, unique keys and names. The client's delegate name
/// (`prisma.invoice` for `model Invoice`) is declared as "prisma:invoice".
class PrismaFrontend : public Frontend {
public:
  bool handles(const std::string &path) const override;
  FileAnalysis analyze(const SourceFile &file) const override;
};

} // namespace racelint
