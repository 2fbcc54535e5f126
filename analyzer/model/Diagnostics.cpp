#include "Diagnostics.h"

namespace racelint {

const char *toString(Level level) {
  switch (level) {
  case Level::Error:
    return "error";
  case Level::Warning:
    return "warning";
  case Level::Note:
    return "note";
  }
  return "warning";
}

} // namespace racelint
