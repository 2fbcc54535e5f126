// Python: SQLAlchemy, Alembic, Django, FastAPI and Flask code.
#include "ScanInput.h"
#include "frontends/python/PyFrontend.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  static const racelint::PythonFrontend frontend;
  // A `views.py` also makes Django function views handlers.
  racelint::fuzz::scanInput(frontend, "app/views.py", data, size);
  return 0;
}
