#pragma once

#include "engine/Driver.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace racelint::fuzz {

/// Scans one fuzz input as the file `displayPath` the way `racelint scan`
/// does: read from an in-memory file (so the binary, size and UTF-8 checks
/// run), analysed by `frontend`, then the schema, the rules and the reports
/// (SARIF when something was found). Aborts when the front-end threw: the
/// scan survives that, but it is a bug.
void scanInput(const Frontend &frontend, const std::string &displayPath,
               const std::uint8_t *data, std::size_t size);

} // namespace racelint::fuzz
