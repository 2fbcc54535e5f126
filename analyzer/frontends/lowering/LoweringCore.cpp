// The language-neutral half of lowering (see LoweringCore.h).

#include "LoweringCore.h"

#include "sql/SqlStatement.h"

#include <algorithm>
#include <cctype>

namespace racelint::lowering {
namespace {

bool isIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

} // namespace

void Value::absorb(const Value &other) {
  reads.insert(other.reads.begin(), other.reads.end());
  writeResults.insert(other.writeResults.begin(), other.writeResults.end());
  headers.insert(other.headers.begin(), other.headers.end());
  parameters.insert(other.parameters.begin(), other.parameters.end());
  fromRequest |= other.fromRequest;
  eventId |= other.eventId;
}

std::string positionalVariable(std::string_view digits) {
  return "__p" + std::string(digits);
}

std::string positionalVariable(std::size_t position) {
  return positionalVariable(std::to_string(position));
}

std::string namedVariable(std::string_view name) {
  return "__" + std::string(name);
}

/// Rewrites the value placeholders of a SQL string (`$1`, `:name`,
/// `:...names`) to identifiers the SQL front-end treats as variables, so that
/// it can tell which values land in SET and VALUES. Quoted text is kept.
std::string placeholdersToVariables(const std::string &sql,
                                    std::set<std::string> &variables) {
  std::string result;
  std::size_t at = 0;
  while (at < sql.size()) {
    char c = sql[at];
    if (c == '\'' || c == '"') {
      std::size_t close = sql.find(c, at + 1);
      close = close == std::string::npos ? sql.size() : close + 1;
      result += sql.substr(at, close - at);
      at = close;
    } else if (c == '$' && at + 1 < sql.size() &&
               std::isdigit(static_cast<unsigned char>(sql[at + 1]))) {
      std::size_t end = at + 1;
      while (end < sql.size() &&
             std::isdigit(static_cast<unsigned char>(sql[end])))
        ++end;
      std::string name = positionalVariable(
          std::string_view(sql).substr(at + 1, end - at - 1));
      variables.insert(name);
      result += name;
      at = end;
    } else if (c == ':' && at + 1 < sql.size() && sql[at + 1] != ':' &&
               (at == 0 || sql[at - 1] != ':')) {
      std::size_t begin = at + 1;
      if (sql.compare(begin, 3, "...") == 0)
        begin += 3;
      std::size_t end = begin;
      while (end < sql.size() && isIdentifierChar(sql[end]))
        ++end;
      if (end == begin) {
        result += c;
        ++at;
        continue;
      }
      std::string name =
          namedVariable(std::string_view(sql).substr(begin, end - begin));
      variables.insert(name);
      result += name;
      at = end;
    } else {
      result += c;
      ++at;
    }
  }
  return result;
}

void addUnique(std::vector<std::string> &names, const std::string &name) {
  if (!name.empty() &&
      std::find(names.begin(), names.end(), name) == names.end())
    names.push_back(name);
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

Value *LoweringCore::lookup(const std::string &name) {
  for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope)
    if (auto it = scope->find(name); it != scope->end())
      return &it->second;
  return nullptr;
}

/// Which entity object a variable holds, for the edits made to it: the read
/// that loaded it (shared by aliases: `const b = Object.assign(a, dto)`),
/// or the variable itself for a new one.
std::string LoweringCore::entityKey(const std::string &name) {
  const Value *value = lookup(name);
  if (value && value->loadedBy && value->role == Role::EntityInstance)
    return "#" + std::to_string(*value->loadedBy);
  return name;
}

EventIndex EventBuilder::emit(Event event, const SourceLocation &where) {
  event.where = where;
  for (EventIndex guard : guards_)
    if (std::find(event.guardedBy.begin(), event.guardedBy.end(), guard) ==
        event.guardedBy.end())
      event.guardedBy.push_back(guard);
  if (!event.inTx)
    event.inTx = tx_;
  if (isWrite(event.kind) && uniqueHandled_)
    event.uniqueViolationHandled = true;
  unit_.events.push_back(std::move(event));
  return unit_.events.size() - 1;
}

/// A header value reaches something that can recognise a replay with it: a
/// database write or query, a call into the scanned code, an idempotency
/// option. Testing it, logging it or returning it is no use of it.
void EventBuilder::markUsed(const Value &value) {
  for (EventIndex header : value.headers)
    unit_.events[header].resultChecked = true;
}

/// Evaluates a condition: writes whose result it inspects are checked, and
/// reads whose result it tests learn which columns (none: existence).
Value LoweringCore::condition(Node node) {
  return evaluateCondition([&] { return expression(node); });
}

void EventBuilder::tested(const Value &value) {
  for (EventIndex write : value.writeResults)
    unit_.events[write].resultChecked = true;
  for (EventIndex read : value.reads) {
    Event &source = unit_.events[read];
    if ((source.kind == EventKind::Read || source.kind == EventKind::Call) &&
        !source.testedColumns)
      source.testedColumns.emplace();
  }
}

void LoweringCore::noteTestedColumn(const Value &object,
                                    const std::string &property) {
  if (conditionDepth_ > 0 && object.loadedBy &&
      object.role == Role::EntityInstance)
    addTestedColumn(*object.loadedBy, property);
}

void EventBuilder::addTestedColumn(EventIndex read, const std::string &column) {
  auto &tested = unit_.events[read].testedColumns;
  if (!tested)
    tested.emplace();
  addUnique(*tested, column);
}

void EventBuilder::addExitGuards(const std::set<EventIndex> &reads) {
  for (EventIndex read : reads)
    if (std::find(unit_.exitGuards.begin(), unit_.exitGuards.end(), read) ==
        unit_.exitGuards.end())
      unit_.exitGuards.push_back(read);
}

void EventBuilder::pushGuards(const std::set<EventIndex> &reads) {
  for (EventIndex read : reads)
    if ((unit_.events[read].kind == EventKind::Read ||
         unit_.events[read].kind == EventKind::Call) &&
        std::find(guards_.begin(), guards_.end(), read) == guards_.end())
      guards_.push_back(read);
}

/// Emits a data event and returns the value its result carries: for a
/// read, one row, the rows, or a value (see OperationModel::result).
Value EventBuilder::finishEvent(Event event, const SourceLocation &where,
                                const std::string &entity,
                                const std::string &resultKind) {
  bool read = event.kind == EventKind::Read;
  EventIndex index = emit(std::move(event), where);
  Value result;
  if (!read) {
    result.writeResults.insert(index);
    return result;
  }
  result.reads.insert(index);
  result.name = entity;
  if (resultKind != "value")
    result.loadedBy = index;
  if (resultKind == "row")
    result.role = Role::EntityInstance;
  return result;
}

Value EventBuilder::sqlEvents(
    const std::string &sql, const std::set<std::string> &variables,
    const std::map<std::string, Value> &parameterValues, const Value &setValues,
    const SourceLocation &where, const std::string &table,
    const std::string &tableRef) {
  sql::SqlContext sqlContext;
  sqlContext.variables = variables;
  std::string error;
  bool tooDeep = false;
  auto facts = sql::analyzeSql(sql, sqlContext, &error, &tooDeep);
  Value result;
  if (tooDeep && diagnostics_) {
    Diagnostic diagnostic;
    diagnostic.level = Level::Warning;
    diagnostic.code = "too-deeply-nested";
    diagnostic.message = "SQL not analysed, though valid: " + error;
    diagnostic.where = where;
    diagnostics_->push_back(std::move(diagnostic));
  }
  // Not PostgreSQL we can read (often another dialect): no events from a
  // guess.
  if (!facts)
    return result;
  if (facts->setIsolation && tx_)
    unit_.events[*tx_].isolation = *facts->setIsolation;
  for (sql::StatementEvent &statementEvent : facts->events) {
    Event event = std::move(statementEvent.event);
    if (event.table == "__entity") {
      event.table = table;
      event.tableRef = tableRef;
    }
    for (const auto &[variable, value] : parameterValues)
      markUsed(value);
    Value carried = setValues;
    for (const std::string &variable : statementEvent.valueVariables) {
      if (auto it = parameterValues.find(variable); it != parameterValues.end())
        carried.absorb(it->second);
    }
    for (const auto &[column, variable] : statementEvent.keyVariables)
      if (auto it = parameterValues.find(variable);
          it != parameterValues.end()) {
        for (EventIndex read : it->second.reads)
          event.predicateValueFrom.emplace_back(column, read);
        addKeyValue(event, column, it->second);
      }
    for (EventIndex read : carried.reads)
      event.valueFrom.push_back(read);
    // `SET balance = $1` with `$1` computed from the row read: an increment
    // done by the application.
    for (SetColumn &set : event.setColumns)
      for (const std::string &variable :
           statementEvent.columnVariables[set.column])
        if (auto it = parameterValues.find(variable);
            it != parameterValues.end() && it->second.arithmetic)
          set.fromCurrentValue = true;
    event.valueParameters.assign(carried.parameters.begin(),
                                 carried.parameters.end());
    event.valuesFromRequest |= carried.fromRequest;
    if (event.kind == EventKind::TxBegin) {
      tx_ = emit(std::move(event), where);
      continue;
    }
    if (event.kind == EventKind::TxEnd) {
      emit(std::move(event), where);
      tx_.reset();
      continue;
    }
    bool read = event.kind == EventKind::Read;
    EventIndex index = emit(std::move(event), where);
    if (read)
      result.reads.insert(index);
    else if (isWrite(unit_.events[index].kind))
      result.writeResults.insert(index);
  }
  if (result.reads.size() == 1) // the rows of one SELECT
    result.loadedBy = *result.reads.begin();
  return result;
}

Value EventBuilder::callUnitWith(const std::string &callee,
                                 const SourceLocation &where,
                                 const std::vector<Value> &arguments,
                                 const std::vector<std::string> &keywords) {
  Event event;
  event.kind = EventKind::Call;
  event.detail = callee;
  Value result;
  for (const Value &value : arguments) {
    // If the callee is not part of the scan, what it returns is taken to
    // derive from what it was given.
    result.reads.insert(value.reads.begin(), value.reads.end());
    result.headers.insert(value.headers.begin(), value.headers.end());
    markUsed(value); // the callee may store it
    CallArgument passed;
    std::size_t position = event.arguments.size();
    if (position < keywords.size())
      passed.keyword = keywords[position];
    passed.fromRequest = value.fromRequest;
    passed.fresh = value.fresh;
    passed.parameters.assign(value.parameters.begin(), value.parameters.end());
    if (value.role == Role::EntityInstance || value.role == Role::Plain)
      passed.row = value.loadedBy; // a row, or the rows, a read loaded
    else if (value.role == Role::EntityClass)
      describeEntityClass(value, passed);
    passed.receiverAttribute = value.receiverAttribute;
    passed.origin = value.origin;
    event.arguments.push_back(std::move(passed));
    event.valuesFromRequest |= value.fromRequest;
    for (EventIndex read : value.reads)
      event.valueFrom.push_back(read);
  }
  event.onEveryPath =
      blockDepth_ - sequentialBlocks_ <= 1 && conditionDepth_ == 0;
  EventIndex index = emit(std::move(event), where);
  // What the callee returns derives from its reads: spliceCalls points
  // these links at them, and hands them the columns the caller tests.
  result.role = Role::EntityInstance;
  result.reads.insert(index);
  result.loadedBy = index;
  return result;
}

std::string snakeCase(const std::string &name) {
  std::string result;
  for (std::size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (std::isupper(c)) {
      bool previousLower =
          i > 0 && (std::islower(static_cast<unsigned char>(name[i - 1])) ||
                    std::isdigit(static_cast<unsigned char>(name[i - 1])));
      bool nextLower = i + 1 < name.size() &&
                       std::islower(static_cast<unsigned char>(name[i + 1]));
      if (i > 0 && (previousLower ||
                    (nextLower &&
                     std::isupper(static_cast<unsigned char>(name[i - 1])))))
        result += '_';
      result += static_cast<char>(std::tolower(c));
    } else {
      result += static_cast<char>(c);
    }
  }
  return result;
}

void addKeyValue(Event &event, const std::string &column, const Value &value) {
  if (!value.origin.empty())
    event.keyValues.emplace_back(column, value.origin);
}

std::string memberOrigin(const Value &value, std::string_view member) {
  // A row a read loaded is that read's row: its columns are told apart.
  std::string origin = !value.origin.empty() ? value.origin
                       : value.loadedBy && value.role == Role::EntityInstance
                           ? readOrigin(*value.loadedBy)
                           : "";
  if (origin.empty())
    return "";
  origin += '.';
  origin += member;
  return origin;
}

void collectHeadersRead(Unit &unit) {
  if (!unit.http)
    return;
  std::vector<std::string> &headers = unit.http->headersRead;
  for (const Event &event : unit.events)
    if (event.kind == EventKind::HeaderRead &&
        std::find(headers.begin(), headers.end(), event.detail) ==
            headers.end())
      headers.push_back(event.detail);
}

void LoweringCore::addEqualities(
    const std::vector<std::pair<std::string, Node>> &equal, Event &event) {
  for (const auto &[column, valueNode] : equal) {
    Value value = expression(valueNode);
    markUsed(value);
    addUnique(event.keyColumns, column);
    addUnique(event.predicateColumns, column);
    for (EventIndex read : value.reads)
      event.predicateValueFrom.emplace_back(column, read);
    addKeyValue(event, column, value);
  }
}

Value LoweringCore::verifiedWebhookEvent(const PaymentProvider &provider,
                                         Node at) {
  Event signature;
  signature.kind = EventKind::HeaderRead;
  signature.detail = provider.signatureHeader;
  signature.resultChecked = true;
  emit(std::move(signature), at);
  Value event;
  event.role = Role::WebhookEvent;
  event.name = provider.provider;
  return event;
}

EventIndex addHeaderRead(Unit &unit, const std::string &header,
                         const SourceLocation &where) {
  Event event;
  event.kind = EventKind::HeaderRead;
  event.detail = header;
  event.where = where;
  unit.events.push_back(std::move(event));
  return unit.events.size() - 1;
}

} // namespace racelint::lowering
