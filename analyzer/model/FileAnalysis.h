#pragma once

#include "Diagnostics.h"
#include "Program.h"
#include "SchemaChange.h"

#include <string>
#include <vector>

namespace racelint {

/// What one front-end learned from one file. Produced in parallel; merged by
/// the engine in a deterministic order.
struct FileAnalysis {
  std::string path;
  std::vector<SchemaChange> schemaChanges;
  std::vector<Unit> units;
  std::vector<Diagnostic> diagnostics;
};

} // namespace racelint
