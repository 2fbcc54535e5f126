#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace racelint {

/// The length of the well-formed UTF-8 sequence at `at` (RFC 3629: no
/// overlong forms, no surrogates, nothing above U+10FFFF), or 0.
std::size_t utf8SequenceLength(std::string_view text, std::size_t at);

/// `text` with every byte that is not well-formed UTF-8 replaced by U+FFFD,
/// for writers whose formats must be UTF-8 (JSON, SARIF, a terminal).
std::string validUtf8(std::string_view text);

} // namespace racelint
