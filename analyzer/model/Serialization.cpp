#include "Serialization.h"

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <type_traits>

namespace racelint {
namespace {

// A field added to these structs must be added to the archive below, in both
// directions; the sizes make the compiler point here when one is. (The
// round trip of every fixture's model is tested too.) The sizes are those of
// the one platform CI builds on.
#if defined(__x86_64__) && defined(__GLIBCXX__)
static_assert(sizeof(Event) == 640, "update Serialization.cpp for Event");
static_assert(sizeof(Unit) == 328, "update Serialization.cpp for Unit");
static_assert(sizeof(SchemaChange) == 608,
              "update Serialization.cpp for SchemaChange");
static_assert(sizeof(FileAnalysis) == 704,
              "update Serialization.cpp for FileAnalysis");
#endif

class Writer {
public:
  std::string bytes;

  template <typename T> void operator()(const T &value) { write(value); }

private:
  void write(bool value) { bytes.push_back(value ? 1 : 0); }
  template <typename T>
  requires std::is_integral_v<T>
  void write(T value) {
    auto wide = static_cast<std::uint64_t>(value);
    bytes.append(reinterpret_cast<const char *>(&wide), sizeof wide);
  }
  template <typename T>
  requires std::is_enum_v<T>
  void write(T value) { write(static_cast<std::int64_t>(value)); }
  void write(const std::string &value) {
    write(value.size());
    bytes.append(value);
  }
  template <typename T> void write(const std::optional<T> &value) {
    write(value.has_value());
    if (value)
      write(*value);
  }
  template <typename T> void write(const std::vector<T> &values) {
    write(values.size());
    for (const T &value : values)
      write(value);
  }
  template <typename T> void write(const std::set<T> &values) {
    write(values.size());
    for (const T &value : values)
      write(value);
  }
  template <typename K, typename V> void write(const std::map<K, V> &values) {
    write(values.size());
    for (const auto &[key, value] : values) {
      write(key);
      write(value);
    }
  }
  template <typename A, typename B> void write(const std::pair<A, B> &value) {
    write(value.first);
    write(value.second);
  }
  template <typename T>
  requires std::is_class_v<T>
  void write(const T &value) { fields(*this, const_cast<T &>(value)); }
};

class Reader {
public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool done() const { return at_ == bytes_.size(); }

  template <typename T> void operator()(T &value) { read(value); }

private:
  std::string_view take(std::size_t size) {
    if (size > bytes_.size() - at_)
      throw std::runtime_error("truncated analysis results");
    std::string_view taken = bytes_.substr(at_, size);
    at_ += size;
    return taken;
  }
  std::size_t readSize() {
    std::uint64_t size = 0;
    read(size);
    if (size > bytes_.size() - at_)
      throw std::runtime_error("corrupt analysis results");
    return static_cast<std::size_t>(size);
  }
  void read(bool &value) { value = take(1)[0] != 0; }
  template <typename T>
  requires std::is_integral_v<T>
  void read(T &value) {
    std::uint64_t wide = 0;
    std::memcpy(&wide, take(sizeof wide).data(), sizeof wide);
    value = static_cast<T>(wide);
  }
  template <typename T>
  requires std::is_enum_v<T>
  void read(T &value) {
    std::int64_t raw = 0;
    read(raw);
    value = static_cast<T>(raw);
  }
  void read(std::string &value) { value = std::string(take(readSize())); }
  template <typename T> void read(std::optional<T> &value) {
    bool present = false;
    read(present);
    value.reset();
    if (present) {
      value.emplace();
      read(*value);
    }
  }
  template <typename T> void read(std::vector<T> &values) {
    values.resize(readSize());
    for (T &value : values)
      read(value);
  }
  template <typename T> void read(std::set<T> &values) {
    std::size_t size = readSize();
    values.clear();
    for (std::size_t i = 0; i < size; ++i) {
      T value{};
      read(value);
      values.insert(std::move(value));
    }
  }
  template <typename K, typename V> void read(std::map<K, V> &values) {
    std::size_t size = readSize();
    values.clear();
    for (std::size_t i = 0; i < size; ++i) {
      K key{};
      read(key);
      read(values[key]);
    }
  }
  template <typename A, typename B> void read(std::pair<A, B> &value) {
    read(value.first);
    read(value.second);
  }
  template <typename T>
  requires std::is_class_v<T>
  void read(T &value) { fields(*this, value); }

  std::string_view bytes_;
  std::size_t at_ = 0;
};

// One list of fields per struct serves both directions.
template <typename Archive> void fields(Archive &a, SourceLocation &v) {
  a(v.file), a(v.line), a(v.column), a(v.endLine), a(v.endColumn);
}
template <typename Archive> void fields(Archive &a, Diagnostic &v) {
  a(v.level), a(v.code), a(v.message), a(v.where);
}
template <typename Archive> void fields(Archive &a, Column &v) {
  a(v.name), a(v.type), a(v.nullable), a(v.hasDefault), a(v.declared);
}
template <typename Archive> void fields(Archive &a, UniqueKey &v) {
  a(v.name), a(v.columns), a(v.primary), a(v.partial), a(v.declared);
}
template <typename Archive> void fields(Archive &a, Table &v) {
  a(v.name), a(v.columns), a(v.uniqueKeys), a(v.declaredVersionColumn),
      a(v.declared);
}
template <typename Archive> void fields(Archive &a, SchemaChange &v) {
  a(v.kind), a(v.table), a(v.name), a(v.newName), a(v.tableDefinition),
      a(v.ifNotExists), a(v.column), a(v.key), a(v.setNullable),
      a(v.setHasDefault), a(v.setType), a(v.where);
}
template <typename Archive> void fields(Archive &a, SetColumn &v) {
  a(v.column), a(v.atomic), a(v.fromCurrentValue);
}
template <typename Archive> void fields(Archive &a, CallArgument &v) {
  a(v.keyword), a(v.receiver), a(v.fromRequest), a(v.fresh), a(v.parameters),
      a(v.row), a(v.entityTable), a(v.entityTableRef), a(v.receiverAttribute),
      a(v.origin);
}
template <typename Archive> void fields(Archive &a, Event &v) {
  a(v.kind), a(v.where), a(v.table), a(v.tableRef), a(v.keyColumns),
      a(v.predicateColumns), a(v.keyMatchesMany), a(v.testedColumns),
      a(v.readColumns), a(v.readsAllColumns), a(v.setColumns),
      a(v.incrementsDeclaredVersion), a(v.testsDeclaredVersion),
      a(v.valuesFromRequest), a(v.valueParameters), a(v.tableParameter),
      a(v.tableAttribute), a(v.rowParameter), a(v.arguments),
      a(v.callsDatabaseFunction), a(v.onEveryPath), a(v.predicateValueFrom),
      a(v.keyValues), a(v.lock), a(v.lockWaits), a(v.advisory),
      a(v.transactionScoped), a(v.resultChecked), a(v.uniqueViolationHandled),
      a(v.isolation), a(v.implicit), a(v.detail), a(v.idempotencyKeyPassed),
      a(v.effectKind), a(v.idempotencyKeyRandom), a(v.eventIdColumns),
      a(v.guardedBy), a(v.valueFrom), a(v.inTx), a(v.callPath);
}
template <typename Archive> void fields(Archive &a, HttpFacts &v) {
  a(v.method), a(v.route), a(v.headersRead), a(v.webhook),
      a(v.idempotencyMiddleware);
}
template <typename Archive> void fields(Archive &a, Unit &v) {
  a(v.kind), a(v.name), a(v.qualifiedName), a(v.parameterNames),
      a(v.bindsFirstParameter), a(v.returnedReads), a(v.exitGuards),
      a(v.declared), a(v.http), a(v.events);
}
template <typename Archive> void fields(Archive &a, ImportedName &v) {
  a(v.module), a(v.name);
}
template <typename Archive> void fields(Archive &a, BoundValue &v) {
  a(v.kind), a(v.name), a(v.parameter);
}
template <typename Archive> void fields(Archive &a, ClassFacts &v) {
  a(v.name), a(v.tableRef), a(v.table), a(v.bases), a(v.attributes),
      a(v.baseConstructorArguments);
}
template <typename Archive> void fields(Archive &a, HandleFact &v) {
  a(v.of), a(v.handle), a(v.application), a(v.via), a(v.viaOf);
}
template <typename Archive> void fields(Archive &a, ModuleFacts &v) {
  a(v.imports), a(v.values), a(v.classes), a(v.exports), a(v.starExports),
      a(v.handles), a(v.assumed);
}
template <typename Archive> void fields(Archive &a, FileAnalysis &v) {
  a(v.path), a(v.schemaChanges), a(v.units), a(v.diagnostics), a(v.tableNames),
      a(v.columnNames), a(v.tableAliases), a(v.databaseDialects),
      a(v.engineIsolations), a(v.ormCode), a(v.migrationRevision),
      a(v.migrationParent), a(v.module);
}

template <typename T> std::string bytesOf(const T &value) {
  Writer writer;
  writer(value);
  return std::move(writer.bytes);
}

template <typename T> T valueOf(std::string_view bytes, const char *what) {
  Reader reader(bytes);
  T value;
  reader(value);
  if (!reader.done())
    throw std::runtime_error(std::string("corrupt ") + what);
  return value;
}

} // namespace

std::string serialize(const FileAnalysis &analysis) {
  return bytesOf(analysis);
}

FileAnalysis deserializeFileAnalysis(std::string_view bytes) {
  return valueOf<FileAnalysis>(bytes, "analysis results");
}

std::string serialize(const NameHandles &handles) { return bytesOf(handles); }

NameHandles deserializeNameHandles(std::string_view bytes) {
  return valueOf<NameHandles>(bytes, "name handles");
}

} // namespace racelint
