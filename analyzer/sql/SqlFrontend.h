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

/// The schema changes of SQL embedded in another language's file (a TypeORM
/// migration's `queryRunner.query(...)`): `sql` is the file's text from byte
/// `begin`, so that locations and diagnostics point into that file.
std::vector<SchemaChange>
schemaChangesOfEmbeddedSql(const SourceFile &file, std::size_t begin,
                           const std::string &sql,
                           std::vector<Diagnostic> &diagnostics);

} // namespace racelint::sql
