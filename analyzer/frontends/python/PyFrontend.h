#pragma once

#include "engine/Driver.h"

namespace racelint {

/// Python (`.py`, `.pyi`) with tree-sitter: SQLAlchemy and Flask-SQLAlchemy
/// models and Alembic migrations become schema changes; functions, methods,
/// FastAPI and Flask handlers become units whose events come from sessions,
/// queries and statements.
class PythonFrontend : public Frontend {
public:
  bool handles(const std::string &path) const override;
  FileAnalysis analyze(const SourceFile &file) const override;
};

} // namespace racelint
