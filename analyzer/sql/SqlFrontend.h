#pragma once

#include "engine/Driver.h"

namespace racelint::sql {

/// PostgreSQL files: DDL becomes schema changes, PL/pgSQL functions become
/// units, and top-level DML becomes one script unit per file.
class SqlFrontend : public Frontend {
public:
  bool handles(const std::string &path) const override;
  FileAnalysis analyze(const SourceFile &file) const override;
};

} // namespace racelint::sql
