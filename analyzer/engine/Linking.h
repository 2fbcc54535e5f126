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

/// Replaces each Call event that resolves to a unit of the scan (see
/// NameResolution.h) by the callee's events, at any depth, each unit
/// expanded once per receiver class. Spliced events keep their own links
/// and also depend on whatever guarded the call; the callee's parameters
/// become what the call passed (values, an entity class naming a table, a
/// row to save); a read of the caller that used the call's result now refers
/// to the callee's reads.
void spliceCalls(std::vector<FileAnalysis> &files);

/// Adds to each finding whose act was spliced into a caller the call sites
/// that reach it ("reached from this call"), so that a race inside a
/// function is shown where the application calls it too.
void addCallSites(const std::vector<FileAnalysis> &files,
                  std::vector<Finding> &findings);

/// The related location of a call that reaches a finding's act.
inline constexpr const char *kReachedFromCall = "reached from this call";

/// Lists `site` among the calls that reach the finding's act (the first
/// three, each once).
void addCallSite(Finding &finding, const SourceLocation &site);

} // namespace racelint
