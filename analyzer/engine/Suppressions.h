#pragma once

#include "SourceFile.h"
#include "model/Diagnostics.h"

#include <optional>
#include <string>

namespace racelint {

/// The reason given by a `racelint-ignore RULE[, RULE...]: reason` comment on
/// the finding's line or the line above, if one names the finding's rule. The
/// marker is read from the raw line, as NOLINT comments are, so that it works
/// the same behind any language's comment leader.
std::optional<std::string> findSuppression(const SourceFile &file,
                                           const Finding &finding);

} // namespace racelint
