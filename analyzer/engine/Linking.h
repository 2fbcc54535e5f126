#pragma once

// Whole-program steps that need every file: names one file declares for
// another (entity classes, Prisma delegates) and calls between units.

#include "model/Diagnostics.h"
#include "model/FileAnalysis.h"

#include <vector>

namespace racelint {

/// Gives every event with a `tableRef` the table some file declared for it,
/// and maps field names to database column names where a model renames them.
void resolveNames(std::vector<FileAnalysis> &files);

/// Replaces each Call event whose callee is a unit of the scan (one unit of
/// that qualified name) by the callee's events, following calls two levels
/// deep (controller -> service -> helper). Spliced events keep their own
/// links and also depend on whatever guarded the call; a read of the caller
/// that used the call's result now refers to the callee's reads.
void spliceCalls(std::vector<FileAnalysis> &files);

/// Adds to each finding whose act was spliced into a caller the call sites
/// that reach it ("reached from this call"), so that a race inside a
/// function is shown where the application calls it too.
void addCallSites(const std::vector<FileAnalysis> &files,
                  std::vector<Finding> &findings);

} // namespace racelint
