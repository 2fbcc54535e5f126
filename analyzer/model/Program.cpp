#include "Program.h"

namespace racelint {

bool isWrite(EventKind kind) {
  return kind == EventKind::Insert || kind == EventKind::Update ||
         kind == EventKind::Delete || kind == EventKind::Upsert;
}

bool isDataEvent(EventKind kind) {
  return kind == EventKind::Read || isWrite(kind);
}

const char *toString(EventKind kind) {
  switch (kind) {
  case EventKind::Read:
    return "read";
  case EventKind::Insert:
    return "insert";
  case EventKind::Update:
    return "update";
  case EventKind::Delete:
    return "delete";
  case EventKind::Upsert:
    return "upsert";
  case EventKind::TxBegin:
    return "transaction begin";
  case EventKind::TxEnd:
    return "transaction end";
  case EventKind::Lock:
    return "lock";
  case EventKind::ExternalEffect:
    return "external effect";
  case EventKind::HeaderRead:
    return "header read";
  case EventKind::Call:
    return "call";
  }
  return "event";
}

} // namespace racelint
