#pragma once

// The per-file results of analysis as bytes, so that a file can be analysed
// in a worker process and its results read back by the scan that runs the
// rules (fault containment: a crash costs the worker, not the scan).

#include "FileAnalysis.h"

#include <string>
#include <string_view>

namespace racelint {

std::string serialize(const FileAnalysis &analysis);
/// Throws std::runtime_error when `bytes` is not what serialize() wrote.
FileAnalysis deserializeFileAnalysis(std::string_view bytes);
/// What the project's index resolved for a file's names, sent to the worker
/// that lowers the file again.
std::string serialize(const NameHandles &handles);
NameHandles deserializeNameHandles(std::string_view bytes);

} // namespace racelint
