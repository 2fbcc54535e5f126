// Function bodies -> program events. A walk over statements in program order
// that tracks what each local name holds (a repository, a query result, a
// header value...), which reads guard the code being walked, and which
// transaction it runs in.

#include "TsInternal.h"
#include "sql/SqlStatement.h"

#include <algorithm>
#include <cctype>

namespace racelint::ts {

void Value::absorb(const Value &other) {
  reads.insert(other.reads.begin(), other.reads.end());
  writeResults.insert(other.writeResults.begin(), other.writeResults.end());
  headers.insert(other.headers.begin(), other.headers.end());
  parameters.insert(other.parameters.begin(), other.parameters.end());
  fromRequest |= other.fromRequest;
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

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

bool isIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
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
      std::string name = "__p" + sql.substr(at + 1, end - at - 1);
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
      std::string name = "__" + sql.substr(begin, end - begin);
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

/// A handler's `catch` that tells a unique violation from other errors.
bool handlesUniqueViolation(const Source &source, const HttpModel &http,
                            Node node) {
  if (isNull(node))
    return false;
  std::string_view kind = type(node);
  if (kind == "string_fragment" || kind == "identifier" ||
      kind == "property_identifier" || kind == "type_identifier" ||
      kind == "number")
    if (http.uniqueViolationMarkers.count(source.str(node)))
      return true;
  for (Node child : namedChildren(node))
    if (handlesUniqueViolation(source, http, child))
      return true;
  return false;
}

std::string capitalized(std::string name) {
  if (!name.empty())
    name[0] =
        static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name;
}

void addUnique(std::vector<std::string> &names, const std::string &name) {
  if (!name.empty() &&
      std::find(names.begin(), names.end(), name) == names.end())
    names.push_back(name);
}

class Lowerer {
public:
  Lowerer(const FileContext &context, const ClassContext *owner, Unit &unit)
      : context_(context), source_(context.source), models_(context.models),
        owner_(owner), unit_(unit) {}

  /// The value of an expression outside any function (module level).
  Value evaluate(Node node) {
    scopes_.emplace_back();
    return expression(node);
  }

  void run(Node function, std::map<std::string, Value> parameters) {
    scopes_.push_back(std::move(parameters));
    bindParameters(field(function, "parameters"), {}, /*keepBound=*/true,
                   /*numbered=*/true);
    Node single = field(function, "parameter"); // `x => ...`
    if (!isNull(single) && !lookup(source_.str(single))) {
      Value first;
      first.parameters.insert(0);
      bind(single, first);
    }
    Node body = field(function, "body");
    if (is(body, "statement_block"))
      block(body);
    else if (!isNull(body))
      expression(body);
  }

private:
  // ---- names ---------------------------------------------------------------

  Value *lookup(const std::string &name) {
    for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope)
      if (auto it = scope->find(name); it != scope->end())
        return &it->second;
    return nullptr;
  }

  /// Binds a pattern (identifier, or object/array destructuring) to a value.
  void bind(Node pattern, const Value &value) {
    pattern = unwrapTypes(pattern);
    std::string_view kind = type(pattern);
    if (kind == "identifier" ||
        kind == "shorthand_property_identifier_pattern") {
      scopes_.back()[source_.str(pattern)] = value;
      edits_.erase(source_.str(pattern));
      return;
    }
    // `const [row] = rows`: each element is one row as loaded. `const {
    // status } = row`: each name is that row's column. Anything else
    // (`const { count } = result`): plain values carrying the taint.
    Value part = value;
    part.builder.reset();
    part.sourceColumn.reset();
    bool rows = kind == "array_pattern" && value.loadedBy;
    bool row = kind == "object_pattern" && value.loadedBy &&
               value.role == Role::EntityInstance;
    part.role = rows ? Role::EntityInstance : Role::Plain;
    if (!rows)
      part.loadedBy.reset();
    if (kind != "object_pattern" && kind != "array_pattern")
      return;
    for (Node child : namedChildren(pattern)) {
      Node target = child;
      std::string column;
      if (is(child, "pair_pattern")) {
        column = source_.propertyName(field(child, "key")).value_or("");
        target = field(child, "value");
      } else if (is(child, "object_assignment_pattern") ||
                 is(child, "assignment_pattern")) {
        target = field(child, "left");
        column = source_.str(target);
      } else if (is(child, "rest_pattern")) {
        std::vector<Node> inner = namedChildren(child);
        target = inner.empty() ? child : inner.front();
      } else if (is(child, "shorthand_property_identifier_pattern")) {
        column = source_.str(child);
      }
      Value element = part;
      if (row && !column.empty())
        element.sourceColumn.emplace(*value.loadedBy, column);
      bind(target, element);
    }
  }

  /// Binds a function's parameters; `numbered` records each one's position,
  /// so that writes can say which parameters they store (see CallArgument).
  void bindParameters(Node parameters, const Value &value, bool keepBound,
                      bool numbered = false) {
    unsigned position = 0;
    for (Node parameter : namedChildren(parameters)) {
      if (is(parameter, "comment"))
        continue;
      unsigned index = position++;
      Node pattern = field(parameter, "pattern");
      if (isNull(pattern))
        pattern = is(parameter, "assignment_pattern") ? field(parameter, "left")
                                                      : parameter;
      if (is(pattern, "identifier") && keepBound &&
          lookup(source_.str(pattern)))
        continue; // bound by the caller (decorated handler parameters)
      Value bound = value;
      if (numbered)
        bound.parameters.insert(index);
      Node annotation = field(parameter, "type");
      if (!isNull(annotation)) {
        Value typed = valueOfType(context_, annotation);
        if (typed.role != Role::Plain || typed.fromRequest) {
          typed.parameters = bound.parameters;
          bound = typed;
        }
      }
      bind(pattern, bound);
    }
  }

  /// Which entity object a variable holds, for the edits made to it: the read
  /// that loaded it (shared by aliases: `const b = Object.assign(a, dto)`),
  /// or the variable itself for a new one.
  std::string entityKey(const std::string &name) {
    const Value *value = lookup(name);
    if (value && value->loadedBy && value->role == Role::EntityInstance)
      return "#" + std::to_string(*value->loadedBy);
    return name;
  }

  // ---- events --------------------------------------------------------------

  EventIndex emit(Event event, Node at) {
    event.where = source_.where(at);
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

  void markUsed(const Value &value) {
    for (EventIndex header : value.headers)
      unit_.events[header].resultChecked = true;
  }

  /// Evaluates a condition: writes whose result it inspects are checked, and
  /// reads whose result it tests learn which columns (none: existence).
  Value condition(Node node) {
    ++conditionDepth_;
    Value value = expression(node);
    --conditionDepth_;
    for (EventIndex write : value.writeResults)
      unit_.events[write].resultChecked = true;
    for (EventIndex read : value.reads) {
      Event &source = unit_.events[read];
      if ((source.kind == EventKind::Read || source.kind == EventKind::Call) &&
          !source.testedColumns)
        source.testedColumns.emplace();
    }
    return value;
  }

  void noteTestedColumn(const Value &object, const std::string &property) {
    if (conditionDepth_ > 0 && object.loadedBy &&
        object.role == Role::EntityInstance)
      addTestedColumn(*object.loadedBy, property);
  }

  void addTestedColumn(EventIndex read, const std::string &column) {
    auto &tested = unit_.events[read].testedColumns;
    if (!tested)
      tested.emplace();
    addUnique(*tested, column);
  }

  // ---- statements ----------------------------------------------------------

  /// Returns true when the statement always leaves the function.
  bool statement(Node node) {
    if (hasErrorOutsideFunctions(node))
      return false; // never an event from a tree the parser could not build
    std::string_view kind = type(node);
    if (kind == "statement_block")
      return block(node);
    if (kind == "return_statement" || kind == "throw_statement") {
      for (Node child : namedChildren(node))
        markUsed(expression(child));
      return true;
    }
    if (kind == "lexical_declaration" || kind == "variable_declaration") {
      for (Node declarator : namedChildren(node))
        if (is(declarator, "variable_declarator")) {
          Node valueNode = field(declarator, "value");
          Value value = isNull(valueNode) ? Value{} : expression(valueNode);
          bind(field(declarator, "name"), value);
        }
      return false;
    }
    if (kind == "expression_statement") {
      for (Node child : namedChildren(node))
        expression(child);
      return false;
    }
    if (kind == "if_statement")
      return ifStatement(node);
    if (kind == "try_statement")
      return tryStatement(node);
    if (kind == "switch_statement") {
      Value subject = condition(field(node, "value"));
      std::size_t saved = guards_.size();
      pushGuards(subject.reads);
      for (Node item : namedChildren(field(node, "body")))
        for (Node child : fieldChildren(item, "body"))
          statement(child);
      guards_.resize(saved);
      return false;
    }
    if (kind == "for_statement" || kind == "for_in_statement" ||
        kind == "while_statement" || kind == "do_statement") {
      scopes_.emplace_back();
      std::size_t saved = guards_.size();
      for (const char *part : {"initializer", "right", "condition"}) {
        Node child = field(node, part);
        if (!isNull(child)) {
          Value value = is(child, "lexical_declaration") ||
                                is(child, "variable_declaration")
                            ? (statement(child), Value{})
                            : condition(child);
          if (std::string(part) == "condition")
            pushGuards(value.reads);
          else if (Node left = field(node, "left"); !isNull(left))
            bind(left, value);
        }
      }
      statement(field(node, "body"));
      guards_.resize(saved);
      scopes_.pop_back();
      return false;
    }
    if (kind == "labeled_statement")
      return statement(field(node, "body"));
    if (kind == "function_declaration" || kind == "class_declaration")
      return false; // lowered as units of their own
    for (Node child : namedChildren(node))
      if (!is(child, "comment"))
        expression(child);
    return false;
  }

  bool block(Node node) {
    scopes_.emplace_back();
    std::size_t savedGuards = guards_.size();
    bool exits = false;
    for (Node child : namedChildren(node)) {
      if (is(child, "comment"))
        continue;
      if (statement(child)) {
        exits = true;
        break; // what follows is unreachable
      }
    }
    guards_.resize(savedGuards);
    scopes_.pop_back();
    return exits;
  }

  void pushGuards(const std::set<EventIndex> &reads) {
    for (EventIndex read : reads)
      if ((unit_.events[read].kind == EventKind::Read ||
           unit_.events[read].kind == EventKind::Call) &&
          std::find(guards_.begin(), guards_.end(), read) == guards_.end())
        guards_.push_back(read);
  }

  bool ifStatement(Node node) {
    Value test = condition(field(node, "condition"));
    markUsed(test);
    std::size_t saved = guards_.size();
    pushGuards(test.reads);
    bool thenExits = statement(field(node, "consequence"));
    guards_.resize(saved);
    bool elseExits = false;
    Node alternative = field(node, "alternative");
    if (!isNull(alternative)) {
      pushGuards(test.reads);
      for (Node child : namedChildren(alternative))
        elseExits = statement(child);
      guards_.resize(saved);
    }
    // An early exit: everything after the if runs on one outcome of the test.
    if (thenExits || elseExits)
      pushGuards(test.reads);
    return thenExits && elseExits;
  }

  bool tryStatement(Node node) {
    Node handler = field(node, "handler");
    bool saved = uniqueHandled_;
    uniqueHandled_ |= handlesUniqueViolation(source_, models_.http, handler);
    bool exits = statement(field(node, "body"));
    uniqueHandled_ = saved;
    if (!isNull(handler)) {
      scopes_.emplace_back();
      if (Node parameter = field(handler, "parameter"); !isNull(parameter))
        bind(parameter, Value{});
      statement(field(handler, "body"));
      scopes_.pop_back();
    }
    if (Node finalizer = field(node, "finalizer"); !isNull(finalizer))
      statement(field(finalizer, "body"));
    return exits && isNull(handler);
  }

  // ---- expressions ---------------------------------------------------------

  Value expression(Node node) {
    node = unwrapTypes(node);
    std::string_view kind = type(node);
    if (isNull(node) || kind == "comment")
      return {};
    if (kind == "await_expression") {
      Value value;
      for (Node child : namedChildren(node))
        value = expression(child);
      return value;
    }
    if (kind == "identifier" || kind == "shorthand_property_identifier") {
      if (Value *value = lookup(source_.str(node))) {
        markUsed(*value);
        if (value->sourceColumn && conditionDepth_ > 0)
          addTestedColumn(value->sourceColumn->first,
                          value->sourceColumn->second);
        return *value;
      }
      if (auto it = context_.moduleValues.find(source_.str(node));
          it != context_.moduleValues.end())
        return it->second;
      Value unknown;
      std::string name = source_.str(node);
      if (models_.prisma.clientNames.count(name)) { // an imported client
        unknown.role = Role::PrismaClient;
        return unknown;
      }
      if (!name.empty() && std::isupper(static_cast<unsigned char>(name[0]))) {
        unknown.role = Role::EntityClass;
        unknown.name = name;
      }
      return unknown;
    }
    if (kind == "this")
      return {};
    if (kind == "member_expression")
      return member(node);
    if (kind == "subscript_expression")
      return subscript(node);
    if (kind == "call_expression")
      return call(node);
    if (kind == "new_expression")
      return newExpression(node);
    if (kind == "assignment_expression" ||
        kind == "augmented_assignment_expression")
      return assignment(node);
    if (kind == "binary_expression")
      return binary(node);
    if (kind == "update_expression")
      return increment(node);
    if (kind == "ternary_expression") {
      Value test = condition(field(node, "condition"));
      markUsed(test);
      std::size_t saved = guards_.size();
      pushGuards(test.reads);
      Value result = expression(field(node, "consequence"));
      result.absorb(expression(field(node, "alternative")));
      guards_.resize(saved);
      result.absorb(test);
      return result;
    }
    if (kind == "unary_expression") {
      Value value = condition(field(node, "argument"));
      value.role = Role::Plain;
      return value;
    }
    if (isFunctionNode(node)) {
      // A callback (map, forEach, then...): its body runs here, in order.
      scopes_.emplace_back();
      bindParameters(field(node, "parameters"), {}, /*keepBound=*/false);
      if (Node single = field(node, "parameter"); !isNull(single))
        bind(single, Value{});
      Node body = field(node, "body");
      Value result;
      if (is(body, "statement_block"))
        block(body);
      else
        result = expression(body);
      scopes_.pop_back();
      return result;
    }
    // Anything else (literals, objects, arrays, templates, spreads...): the
    // union of what its parts carry, evaluated in order.
    Value value;
    for (Node child : namedChildren(node)) {
      Value part =
          expression(is(child, "pair") ? field(child, "value") : child);
      value.absorb(part);
    }
    return value;
  }

  Value member(Node node) {
    Node objectNode = unwrapTypes(field(node, "object"));
    std::string property = source_.str(field(node, "property"));
    if (is(objectNode, "this")) {
      if (owner_)
        if (auto it = owner_->fields.find(property); it != owner_->fields.end())
          return it->second;
      return {};
    }
    Value object = expression(objectNode);
    noteTestedColumn(object, property);
    Value result;
    result.absorb(object);
    switch (object.role) {
    case Role::DataSource:
    case Role::QueryRunner:
      if (property == "manager")
        result.role = Role::Manager;
      break;
    case Role::PrismaClient:
      if (!property.starts_with("$")) {
        result.role = Role::PrismaDelegate;
        result.name = property;
      }
      break;
    case Role::Request:
      if (property == "headers") {
        result.role = Role::RequestHeaders;
      } else if (property == "body" || property == "query") {
        result.fromRequest = true;
      }
      break;
    case Role::RequestHeaders:
      return headerRead(lower(property), node);
    case Role::Repository:
      if (property == "manager")
        result.role = Role::Manager;
      break;
    default:
      break;
    }
    return result;
  }

  Value subscript(Node node) {
    Value object = expression(field(node, "object"));
    Node index = field(node, "index");
    if (object.role == Role::RequestHeaders)
      if (auto name = source_.stringValue(index))
        return headerRead(lower(*name), node);
    Value result;
    result.absorb(object);
    result.absorb(expression(index));
    return result;
  }

  Value headerRead(const std::string &name, Node at) {
    Event event;
    event.kind = EventKind::HeaderRead;
    event.detail = name;
    Value value;
    value.headers.insert(emit(std::move(event), at));
    return value;
  }

  Value newExpression(Node node) {
    std::string name = source_.calleeName(field(node, "constructor"));
    Value args = argumentsOf(field(node, "arguments"));
    Value result;
    if (models_.typeorm.dataSourceTypes.count(name))
      result.role = Role::DataSource;
    else if (models_.prisma.clientTypes.count(name))
      result.role = Role::PrismaClient;
    else if (!name.empty() && !name.ends_with("Error") &&
             !name.ends_with("Exception")) {
      // `new Band()`: a fresh entity instance, inserted when saved.
      result.role = Role::EntityInstance;
      result.name = name;
    }
    result.absorb(args);
    return result;
  }

  Value argumentsOf(Node arguments) {
    Value value;
    for (Node argument : namedChildren(arguments))
      value.absorb(expression(argument));
    return value;
  }

  /// `x = v`, `x.prop = v`, `x.prop += v`, `x.prop++` (update_expression
  /// goes through the generic path).
  Value assignment(Node node) {
    Node left = unwrapTypes(field(node, "left"));
    Value right = expression(field(node, "right"));
    bool compound = is(node, "augmented_assignment_expression");
    if (is(left, "member_expression")) {
      Node objectNode = unwrapTypes(field(left, "object"));
      std::string property = source_.str(field(left, "property"));
      if (is(objectNode, "identifier")) {
        std::string name = source_.str(objectNode);
        if (Value *object = lookup(name)) {
          Value written = right;
          if (compound)
            written.absorb(*object);
          EntityEdit edit{property, written};
          auto &list = edits_[entityKey(name)];
          list.push_back(std::move(edit));
        }
      } else {
        expression(objectNode);
      }
      return right;
    }
    if (is(left, "identifier")) {
      std::string name = source_.str(left);
      if (Value *existing = lookup(name)) {
        if (compound)
          right.absorb(*existing);
        *existing = right;
      } else {
        scopes_.back()[name] = right;
      }
      return right;
    }
    bind(left, right);
    return right;
  }

  /// `x.prop++`, `--x.prop`: the property is rewritten from its own value.
  Value increment(Node node) {
    Node argument = unwrapTypes(field(node, "argument"));
    Value value = expression(argument);
    if (is(argument, "member_expression")) {
      Node objectNode = unwrapTypes(field(argument, "object"));
      if (is(objectNode, "identifier") && lookup(source_.str(objectNode)))
        edits_[entityKey(source_.str(objectNode))].push_back(
            EntityEdit{source_.str(field(argument, "property")), value});
    }
    value.role = Role::Plain;
    return value;
  }

  Value binary(Node node) {
    std::string op = source_.str(ts_node_child(node, 1));
    Node left = field(node, "left"), right = field(node, "right");
    Node operatorNode = field(node, "operator");
    if (!isNull(operatorNode))
      op = source_.str(operatorNode);
    if (op == "&&" || op == "||" || op == "??") {
      Value test = condition(left);
      markUsed(test);
      std::size_t saved = guards_.size();
      pushGuards(test.reads);
      Value result = expression(right);
      guards_.resize(saved);
      result.absorb(test);
      result.role = Role::Plain;
      return result;
    }
    Value result = expression(left);
    result.absorb(expression(right));
    result.role = Role::Plain;
    result.builder.reset();
    return result;
  }

  // ---- calls ---------------------------------------------------------------

  Value call(Node node) {
    // unwrap(): the grammar puts `await` and type arguments of a generic
    // tagged template (`tx.$queryRaw<Row[]>\`...\``) inside the callee.
    Node function = unwrap(field(node, "function"));
    Node arguments = field(node, "arguments");
    if (hasErrorOutsideFunctions(arguments, /*countMissing=*/true))
      return {}; // arguments the parser had to invent or drop: no event
    std::vector<Node> args;
    if (!is(arguments, "template_string"))
      for (Node argument : namedChildren(arguments))
        if (!is(argument, "comment"))
          args.push_back(argument);

    if (is(function, "identifier"))
      return callUnit(source_.str(function), node, args);
    if (!is(function, "member_expression")) {
      Value result = expression(function);
      result.absorb(argumentsOfList(args));
      return result;
    }
    Node objectNode = unwrapTypes(field(function, "object"));
    std::string method = source_.str(field(function, "property"));
    if (is(objectNode, "this") && owner_ && !owner_->fields.count(method))
      return callUnit(owner_->name + "." + method, node, args);
    if (is(objectNode, "identifier") && source_.str(objectNode) == "Object" &&
        method == "assign" && !args.empty())
      return objectAssign(args, node);

    Value receiver = expression(objectNode);
    // `row?.method()` runs only when the row exists: its read guards the call.
    std::size_t savedGuards = guards_.size();
    for (Node child : namedChildren(function))
      if (is(child, "optional_chain"))
        pushGuards(receiver.reads);
    Value result = dispatch(receiver, method, args, node, arguments);
    guards_.resize(savedGuards);
    return result;
  }

  Value dispatch(const Value &receiver, const std::string &method,
                 const std::vector<Node> &args, Node node, Node arguments) {
    switch (receiver.role) {
    case Role::Repository:
      return repositoryCall(receiver.name, method, args, node);
    case Role::Manager:
    case Role::DataSource:
    case Role::QueryRunner:
      return managerCall(receiver, method, args, node);
    case Role::QueryBuilder:
      return queryBuilderCall(receiver, method, args, node);
    case Role::PrismaClient:
      return prismaClientCall(method, args, node, arguments);
    case Role::PrismaDelegate:
      return prismaCall(receiver.name, method, args, node);
    case Role::Request:
      if (models_.http.expressHeaderGetters.count(method) && !args.empty())
        if (auto name = source_.stringValue(args.front()))
          return headerRead(lower(*name), node);
      break;
    case Role::Service:
      return callUnit(receiver.name + "." + method, node, args);
    default:
      break;
    }
    Value result = receiver;
    result.role = Role::Plain;
    result.builder.reset();
    result.absorb(argumentsOfList(args));
    return result;
  }

  Value argumentsOfList(const std::vector<Node> &args) {
    Value value;
    for (Node argument : args)
      value.absorb(expression(argument));
    markUsed(value);
    return value;
  }

  /// A call to a unit of the scanned code, spliced in after every file is
  /// read; each argument says what it carries into the callee's parameter.
  Value callUnit(const std::string &callee, Node at,
                 const std::vector<Node> &args) {
    Event event;
    event.kind = EventKind::Call;
    event.detail = callee;
    Value result;
    for (Node argument : args) {
      Value value = expression(argument);
      // If the callee is not part of the scan, what it returns is taken to
      // derive from what it was given.
      result.reads.insert(value.reads.begin(), value.reads.end());
      markUsed(value);
      CallArgument passed;
      passed.fromRequest = value.fromRequest;
      passed.parameters.assign(value.parameters.begin(),
                               value.parameters.end());
      event.arguments.push_back(std::move(passed));
      event.valuesFromRequest |= value.fromRequest;
      for (EventIndex read : value.reads)
        event.valueFrom.push_back(read);
    }
    EventIndex index = emit(std::move(event), at);
    // What the callee returns derives from its reads: spliceCalls points
    // these links at them, and hands them the columns the caller tests.
    result.role = Role::EntityInstance;
    result.reads.insert(index);
    result.loadedBy = index;
    return result;
  }

  Value objectAssign(const std::vector<Node> &args, Node) {
    Node target = unwrap(args.front());
    Value sources;
    for (std::size_t i = 1; i < args.size(); ++i)
      sources.absorb(expression(args[i]));
    if (is(target, "identifier") && lookup(source_.str(target))) {
      std::string name = source_.str(target);
      // Which properties the sources hold is not known: all of the request.
      edits_[entityKey(name)].push_back(EntityEdit{"", sources});
      return *lookup(name);
    }
    return sources;
  }

  // ---- TypeORM -------------------------------------------------------------

  Value repositoryCall(const std::string &entity, const std::string &method,
                       std::vector<Node> args, Node at) {
    if (method == "create") {
      Event shape;
      Value instance;
      for (Node argument : args)
        instance.absorb(dataObject(argument, shape, false));
      instance.fromRequest |= shape.valuesFromRequest;
      instance.role = Role::EntityInstance;
      instance.name = entity;
      instance.createdColumns = shape.setColumns;
      return instance;
    }
    if (method == "merge" && !args.empty())
      return objectAssign(args, at);
    if (method == "createQueryBuilder") {
      Value builder;
      builder.role = Role::QueryBuilder;
      builder.builder = std::make_shared<QueryBuilderState>();
      builder.builder->entity = entity;
      if (!args.empty())
        builder.builder->alias = source_.stringValue(args.front()).value_or("");
      return builder;
    }
    if (method == "query" && !args.empty())
      return rawSql(args, at);
    if (method == "getRepository" && !args.empty()) {
      Value repository;
      repository.role = Role::Repository;
      repository.name = source_.calleeName(args.front());
      return repository;
    }
    auto operation = models_.typeorm.operations.find(method);
    if (operation == models_.typeorm.operations.end()) {
      Value result = argumentsOfList(args);
      return result;
    }
    return typeormOperation(entity, operation->second, args, at);
  }

  Value managerCall(const Value &receiver, const std::string &method,
                    std::vector<Node> args, Node at) {
    if (method == "transaction")
      return transactionCallback(args, at, Role::Manager);
    if (method == "query" && !args.empty())
      return rawSql(args, at);
    if (method == "createQueryRunner") {
      Value runner;
      runner.role = Role::QueryRunner;
      return runner;
    }
    if (receiver.role == Role::QueryRunner) {
      if (method == "startTransaction") {
        Event begin;
        begin.kind = EventKind::TxBegin;
        if (!args.empty())
          if (auto level = source_.stringValue(args.front()))
            begin.isolation =
                isolationFromName(*level).value_or(Isolation::Unspecified);
        tx_ = emit(std::move(begin), at);
        return {};
      }
      if (method == "commitTransaction" || method == "rollbackTransaction") {
        if (tx_) {
          Event end;
          end.kind = EventKind::TxEnd;
          emit(std::move(end), at);
          tx_.reset();
        }
        return {};
      }
    }
    if (method == "getRepository" && !args.empty()) {
      Value repository;
      repository.role = Role::Repository;
      repository.name = source_.calleeName(args.front());
      return repository;
    }
    if (method == "createQueryBuilder") {
      Value builder;
      builder.role = Role::QueryBuilder;
      builder.builder = std::make_shared<QueryBuilderState>();
      if (!args.empty() && !source_.stringValue(args.front())) {
        builder.builder->entity = source_.calleeName(args.front());
        if (args.size() > 1)
          builder.builder->alias = source_.stringValue(args[1]).value_or("");
      }
      return builder;
    }
    // EntityManager methods: the entity class first, unless an instance is
    // saved or removed (its class is then the instance's).
    auto operation = models_.typeorm.operations.find(method);
    bool entityMethod = operation != models_.typeorm.operations.end() ||
                        method == "create" || method == "merge";
    if (!entityMethod || args.empty())
      return argumentsOfList(args);
    Node first = unwrap(args.front());
    if (is(first, "identifier") && !lookup(source_.str(first)) &&
        !context_.moduleValues.count(source_.str(first))) {
      std::string entity = source_.str(first);
      args.erase(args.begin());
      if (method == "create" || method == "merge")
        return repositoryCall(entity, method, args, at);
      return typeormOperation(entity, operation->second, args, at);
    }
    if (method == "create" || method == "merge")
      return argumentsOfList(args);
    Value instance = expression(first);
    return typeormOperation(instance.name, operation->second, args, at);
  }

  Value transactionCallback(const std::vector<Node> &args, Node at,
                            Role parameterRole) {
    Event begin;
    begin.kind = EventKind::TxBegin;
    begin.implicit = true;
    Node callback{};
    for (Node argument : args) {
      Node plain = unwrap(argument);
      if (isFunctionNode(plain))
        callback = plain;
      else if (auto level = source_.stringValue(plain))
        begin.isolation =
            isolationFromName(*level).value_or(Isolation::Unspecified);
      else if (is(plain, "object"))
        begin.isolation = prismaIsolation(plain);
    }
    std::optional<EventIndex> outer = tx_;
    EventIndex index = emit(std::move(begin), at);
    tx_ = index;
    Value result;
    if (!isNull(callback)) {
      scopes_.emplace_back();
      Value parameter;
      parameter.role = parameterRole;
      bindParameters(field(callback, "parameters"), parameter,
                     /*keepBound=*/false);
      if (Node single = field(callback, "parameter"); !isNull(single))
        bind(single, parameter);
      Node body = field(callback, "body");
      std::size_t firstEvent = unit_.events.size();
      if (is(body, "statement_block"))
        block(body);
      else
        result = expression(body);
      for (EventIndex i = firstEvent; i < unit_.events.size(); ++i)
        if (unit_.events[i].kind == EventKind::Read)
          result.reads.insert(i);
      scopes_.pop_back();
    }
    Event end;
    end.kind = EventKind::TxEnd;
    emit(std::move(end), at);
    tx_ = outer;
    result.role = Role::Plain;
    return result;
  }

  /// A member of an object literal as (key, value): `a: v`, `'a': v` and
  /// shorthand `a`; a null value for spreads and computed keys.
  std::pair<std::string, Node> objectMember(Node member) {
    if (is(member, "shorthand_property_identifier"))
      return {source_.str(member), member};
    if (is(member, "pair"))
      if (auto key = source_.propertyName(field(member, "key")))
        return {*key, unwrap(field(member, "value"))};
    return {"", Node{}};
  }

  /// Reads a find-options object ({ where, select, lock }) into `event`.
  /// TypeORM 0.2 also took the conditions themselves (`findOne({ slug })`,
  /// `findOne(id)`): an object naming no find option is read as those.
  void findOptions(Node options, Event &event) {
    options = unwrap(options);
    if (!is(options, "object") || !namesFindOption(options)) {
      whereArgument(options, event, false);
      event.readsAllColumns = true;
      return;
    }
    bool selected = false;
    for (Node pair : namedChildren(options)) {
      if (!is(pair, "pair")) {
        if (is(pair, "shorthand_property_identifier") &&
            source_.str(pair) == "where")
          whereArgument(pair, event, false);
        continue;
      }
      std::string key = source_.propertyName(field(pair, "key")).value_or("");
      Node value = unwrap(field(pair, "value"));
      if (key == "where") {
        whereArgument(value, event, false);
      } else if (key == "select") {
        selected = true;
        selectColumns(value, event);
      } else if (key == "lock") {
        for (Node item : namedChildren(value))
          if (is(item, "pair") &&
              source_.propertyName(field(item, "key")) == "mode")
            if (auto mode = source_.stringValue(field(item, "value"))) {
              auto lock = models_.typeorm.lockModes.find(*mode);
              if (lock != models_.typeorm.lockModes.end())
                event.lock = lock->second;
            }
      } else if (key == "onLocked") {
        event.lockWaits = false;
      } else {
        expression(value);
      }
    }
    event.readsAllColumns = !selected;
  }

  bool namesFindOption(Node options) {
    for (Node member : namedChildren(options)) {
      auto [key, value] = objectMember(member);
      if (models_.typeorm.findOptions.count(key))
        return true;
    }
    return namedChildren(options).empty();
  }

  void selectColumns(Node value, Event &event) {
    if (is(value, "array")) {
      for (Node item : namedChildren(value))
        if (auto name = source_.stringValue(item))
          addUnique(event.readColumns, *name);
    } else if (is(value, "object")) {
      for (Node item : namedChildren(value))
        if (is(item, "pair"))
          if (auto name = source_.propertyName(field(item, "key")))
            addUnique(event.readColumns, *name);
    }
  }

  /// A predicate: an object of property -> value (an array is an OR of
  /// them), or a bare id. Equality with a value makes a key column; an
  /// operator (`In(...)`, `{ gte: 1 }`) only a tested one.
  void whereArgument(Node where, Event &event, bool prisma,
                     const std::string &prefix = "") {
    where = unwrap(where);
    if (is(where, "array")) {
      std::vector<Node> items = namedChildren(where);
      if (!items.empty())
        whereArgument(items.front(), event, prisma, prefix);
      for (std::size_t i = 1; i < items.size(); ++i)
        expression(items[i]);
      return;
    }
    if (!is(where, "object")) {
      // `update(id, ...)`, `delete([id1, id2])`: the primary key.
      Value value = expression(where);
      addUnique(event.keyColumns, "id");
      addUnique(event.predicateColumns, "id");
      for (EventIndex read : value.reads)
        event.predicateValueFrom.emplace_back("id", read);
      return;
    }
    for (Node pair : namedChildren(where)) {
      auto [key, valueNode] = objectMember(pair);
      if (isNull(valueNode)) {
        expression(pair); // a spread: columns unknown
        continue;
      }
      if (prisma && (key == "AND" || key == "OR" || key == "NOT")) {
        Event ignored;
        whereArgument(valueNode, key == "AND" ? event : ignored, true, prefix);
        for (const std::string &column : ignored.predicateColumns)
          addUnique(event.predicateColumns, column);
        continue;
      }
      std::string column = prefix.empty() ? key : prefix + capitalized(key);
      if (is(valueNode, "object")) {
        if (prisma) {
          bool operators = false, equality = false;
          for (Node inner : namedChildren(valueNode))
            if (is(inner, "pair")) {
              std::string op =
                  source_.propertyName(field(inner, "key")).value_or("");
              operators |= models_.prisma.comparisonOperators.count(op) ||
                           op == "equals";
              equality |= op == "equals";
            }
          if (operators) {
            addUnique(event.predicateColumns, column);
            if (equality)
              addUnique(event.keyColumns, column);
            expression(valueNode);
            continue;
          }
          // A compound unique (`userId_teamId: { userId, teamId }`).
          whereArgument(valueNode, event, true, "");
          continue;
        }
        // TypeORM: a relation (`user: { id }` -> the `userId` join column).
        whereArgument(valueNode, event, false, key);
        continue;
      }
      Value value = expression(valueNode);
      addUnique(event.predicateColumns, column);
      bool operatorCall = is(valueNode, "call_expression") &&
                          source_.calleeName(valueNode) != "Equal";
      if (!operatorCall)
        addUnique(event.keyColumns, column);
      for (EventIndex read : value.reads)
        event.predicateValueFrom.emplace_back(column, read);
    }
  }

  /// Property values to write; returns what they carry.
  Value dataObject(Node data, Event &event, bool prisma) {
    data = unwrap(data);
    Value carried;
    if (is(data, "array")) {
      std::vector<Node> items = namedChildren(data);
      for (std::size_t i = 0; i < items.size(); ++i)
        carried.absorb(i == 0 ? dataObject(items[i], event, prisma)
                              : expression(items[i]));
      return carried;
    }
    if (!is(data, "object")) {
      carried = expression(data);
      event.valuesFromRequest |= carried.fromRequest;
      return carried;
    }
    for (Node pair : namedChildren(data)) {
      if (is(pair, "spread_element")) {
        Value spread = expression(pair);
        carried.absorb(spread);
        event.valuesFromRequest |= spread.fromRequest;
        continue;
      }
      auto [key, valueNode] = objectMember(pair);
      if (isNull(valueNode))
        continue;
      SetColumn set{key, false};
      if (prisma && is(valueNode, "object")) {
        for (Node inner : namedChildren(valueNode))
          if (is(inner, "pair") &&
              models_.prisma.atomicOperators.count(
                  source_.propertyName(field(inner, "key")).value_or("")))
            set.atomic = true;
        if (!set.atomic) {
          // A nested write (`connect`, `create`): not a column of this row.
          expression(valueNode);
          continue;
        }
      }
      if (!prisma && isFunctionNode(valueNode))
        set.atomic = true; // `() => 'version + 1'`: SQL on the current row
      Value value = expression(valueNode);
      if (!set.atomic) {
        carried.absorb(value);
        event.valuesFromRequest |= value.fromRequest;
      }
      event.setColumns.push_back(set);
    }
    return carried;
  }

  Value typeormOperation(const std::string &entity,
                         const OperationModel &operation,
                         const std::vector<Node> &args, Node at) {
    Event event;
    event.table = snakeCase(entity);
    event.tableRef = "typeorm:" + entity;
    const std::string &kind = operation.kind;
    if (kind == "save")
      return saveEntity(entity, args, at, /*remove=*/false);
    if (kind == "delete" && !operation.args.empty() &&
        operation.args.front() == "entity")
      return saveEntity(entity, args, at, /*remove=*/true);
    event.kind = kind == "read"     ? EventKind::Read
                 : kind == "insert" ? EventKind::Insert
                 : kind == "update" ? EventKind::Update
                 : kind == "delete" ? EventKind::Delete
                                    : EventKind::Upsert;
    Value carried;
    std::string column;
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string role =
          i < operation.args.size() ? operation.args[i] : "";
      if (role == "options")
        findOptions(args[i], event);
      else if (role == "where")
        whereArgument(args[i], event, false);
      else if (role == "data")
        carried.absorb(dataObject(args[i], event, false));
      else if (role == "column")
        column = source_.stringValue(args[i]).value_or("");
      else if (role == "conflict")
        conflictTarget(args[i], event);
      else
        carried.absorb(expression(args[i]));
    }
    if (event.kind == EventKind::Read && operation.args.size() == 1 &&
        operation.args.front() == "where")
      event.readsAllColumns = true;
    if (operation.atomic && !column.empty())
      event.setColumns.push_back({column, true});
    if (event.kind == EventKind::Update)
      event.incrementsDeclaredVersion = true;
    for (EventIndex read : carried.reads)
      event.valueFrom.push_back(read);
    event.valueParameters.assign(carried.parameters.begin(),
                                 carried.parameters.end());
    return finishEvent(std::move(event), at, entity, operation.result);
  }

  void conflictTarget(Node node, Event &event) {
    node = unwrap(node);
    auto add = [&](Node item) {
      if (auto name = source_.stringValue(item))
        addUnique(event.keyColumns, *name);
    };
    if (is(node, "array")) {
      for (Node item : namedChildren(node))
        add(item);
    } else if (is(node, "object")) {
      for (Node pair : namedChildren(node))
        if (is(pair, "pair") &&
            source_.propertyName(field(pair, "key")) == "conflictPaths") {
          Node value = unwrap(field(pair, "value"));
          for (Node item : namedChildren(value))
            add(item);
        }
    }
  }

  /// Emits a data event and returns the value its result carries: for a
  /// read, one row, the rows, or a value (see OperationModel::result).
  Value finishEvent(Event event, Node at, const std::string &entity,
                    const std::string &resultKind = "row") {
    bool read = event.kind == EventKind::Read;
    EventIndex index = emit(std::move(event), at);
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

  /// `save(entity)`: an update of the row it was loaded from, with the
  /// properties assigned since; or an insert of a new entity.
  Value saveEntity(std::string entity, const std::vector<Node> &args, Node at,
                   bool remove) {
    if (args.empty())
      return {};
    Node target = unwrap(args.front());
    Value instance = expression(target);
    for (std::size_t i = 1; i < args.size(); ++i)
      expression(args[i]);
    if (entity.empty())
      entity = instance.name;
    Event event;
    event.table = snakeCase(entity);
    event.tableRef = "typeorm:" + entity;
    std::string name = is(target, "identifier") ? source_.str(target) : "";
    if (instance.loadedBy) {
      const Event &load = unit_.events[*instance.loadedBy];
      event.kind = remove ? EventKind::Delete : EventKind::Update;
      event.keyColumns = load.keyColumns;
      addUnique(event.keyColumns, "id");
      event.predicateColumns = {"id"};
      event.incrementsDeclaredVersion = !remove;
    } else if (remove) {
      event.kind = EventKind::Delete;
      event.keyColumns = event.predicateColumns = {"id"};
    } else if (instance.role == Role::EntityInstance || is(target, "object")) {
      event.kind = EventKind::Insert;
      if (is(target, "object"))
        dataObject(target, event, false);
    } else {
      // An entity from elsewhere: save() inserts or updates by primary key.
      event.kind = EventKind::Upsert;
      event.keyColumns = {"id"};
    }
    if (!remove) {
      for (const SetColumn &set : instance.createdColumns)
        event.setColumns.push_back(set);
      for (EventIndex read : instance.reads)
        if (!instance.loadedBy)
          event.valueFrom.push_back(read);
      std::set<unsigned> parameters = instance.parameters;
      if (auto edits = edits_.find(entityKey(name)); edits != edits_.end()) {
        for (const EntityEdit &edit : edits->second) {
          event.valuesFromRequest |= edit.value.fromRequest;
          parameters.insert(edit.value.parameters.begin(),
                            edit.value.parameters.end());
          for (EventIndex read : edit.value.reads)
            if (std::find(event.valueFrom.begin(), event.valueFrom.end(),
                          read) == event.valueFrom.end())
              event.valueFrom.push_back(read);
          if (!edit.property.empty())
            event.setColumns.push_back({edit.property, false});
        }
        edits_.erase(edits);
      }
      event.valuesFromRequest |= instance.fromRequest;
      event.valueParameters.assign(parameters.begin(), parameters.end());
    }
    return finishEvent(std::move(event), at, entity);
  }

  Value queryBuilderCall(const Value &receiver, const std::string &method,
                         const std::vector<Node> &args, Node at) {
    Value next = receiver;
    next.builder = std::make_shared<QueryBuilderState>(*receiver.builder);
    QueryBuilderState &state = *next.builder;
    auto entityArg = [&](std::size_t i) {
      if (i < args.size() && !source_.stringValue(args[i]))
        state.entity = source_.calleeName(args[i]);
    };
    if (auto run = models_.typeorm.queryBuilderRuns.find(method);
        run != models_.typeorm.queryBuilderRuns.end())
      return runQueryBuilder(state, at, run->second);
    if (method == "select" || method == "addSelect") {
      for (Node argument : args)
        expression(argument);
    } else if (method == "from") {
      entityArg(0);
      if (args.size() > 1)
        state.alias = source_.stringValue(args[1]).value_or(state.alias);
    } else if (method == "update") {
      state.operation = QueryBuilderState::Operation::Update;
      entityArg(0);
      if (args.size() > 1)
        state.setObjects.push_back(args[1]);
    } else if (method == "delete" || method == "softDelete") {
      state.operation = QueryBuilderState::Operation::Delete;
    } else if (method == "insert") {
      state.operation = QueryBuilderState::Operation::Insert;
    } else if (method == "into") {
      entityArg(0);
    } else if (method == "set" || method == "values") {
      if (!args.empty())
        state.setObjects.push_back(args.front());
    } else if (method == "where" || method == "andWhere" ||
               method == "orWhere") {
      if (method == "where")
        state.conditions.clear();
      if (!args.empty())
        state.conditions.emplace_back(args[0],
                                      args.size() > 1 ? args[1] : Node{});
    } else if (method == "whereInIds") {
      state.conditions.emplace_back(Node{}, args.empty() ? Node{} : args[0]);
    } else if (method == "setLock") {
      if (!args.empty())
        if (auto mode = source_.stringValue(args.front())) {
          auto lock = models_.typeorm.lockModes.find(*mode);
          if (lock != models_.typeorm.lockModes.end())
            state.lock = lock->second;
        }
    } else if (method == "setOnLocked") {
      state.lockWaits = false;
    } else if (method == "orIgnore" || method == "orUpdate") {
      state.onConflict = true;
    } else {
      for (Node argument : args)
        expression(argument);
    }
    return next;
  }

  /// Builds the SQL statement a query-builder chain runs and reads it with
  /// the SQL front-end, so that `where('a.version = :version')` is parsed by
  /// PostgreSQL's grammar, not by us.
  Value runQueryBuilder(const QueryBuilderState &state, Node at,
                        const std::string &resultKind) {
    using Operation = QueryBuilderState::Operation;
    std::set<std::string> variables;
    std::map<std::string, Value> parameterValues;
    std::string where;
    for (const auto &[conditionNode, parameters] : state.conditions) {
      std::optional<std::string> text =
          isNull(conditionNode) ? std::optional<std::string>("id = :...ids")
                                : source_.stringValue(conditionNode);
      if (!text) { // a Brackets object or a computed string
        expression(conditionNode);
        continue;
      }
      where += (where.empty() ? "" : " AND ") + std::string("(") +
               placeholdersToVariables(*text, variables) + ")";
      Node params = unwrap(parameters);
      if (is(params, "object")) {
        for (Node pair : namedChildren(params)) {
          auto [key, valueNode] = objectMember(pair);
          if (!isNull(valueNode))
            parameterValues["__" + key] = expression(valueNode);
        }
      } else if (!isNull(params)) {
        parameterValues["__ids"] = expression(params);
      }
    }
    std::string table = "__entity";
    std::string alias = state.alias.empty() ? "" : " AS " + state.alias;
    std::string sql;
    std::vector<std::string> setList;
    Value carried;
    Event shape; // collects the SET columns and what their values carry
    for (Node object : state.setObjects)
      carried.absorb(dataObject(object, shape, false));
    for (const SetColumn &set : shape.setColumns) {
      std::string value =
          set.atomic ? "\"" + set.column + "\" + 1" : "__set_" + set.column;
      variables.insert("__set_" + set.column);
      setList.push_back("\"" + set.column + "\" = " + value);
    }
    std::string whereClause = where.empty() ? "" : " WHERE " + where;
    switch (state.operation) {
    case Operation::Select:
      sql = "SELECT * FROM " + table + alias + whereClause;
      if (state.lock == RowLock::Update)
        sql += " FOR UPDATE";
      else if (state.lock == RowLock::NoKeyUpdate)
        sql += " FOR NO KEY UPDATE";
      else if (state.lock == RowLock::Share)
        sql += " FOR SHARE";
      else if (state.lock == RowLock::KeyShare)
        sql += " FOR KEY SHARE";
      if (state.lock != RowLock::None && !state.lockWaits)
        sql += " NOWAIT";
      break;
    case Operation::Update:
      if (setList.empty())
        setList.push_back("__unknown = __unknown");
      sql = "UPDATE " + table + alias + " SET ";
      for (std::size_t i = 0; i < setList.size(); ++i)
        sql += (i ? ", " : "") + setList[i];
      sql += whereClause;
      break;
    case Operation::Delete:
      sql = "DELETE FROM " + table + alias + whereClause;
      break;
    case Operation::Insert: {
      sql = "INSERT INTO " + table + " (";
      std::string values;
      for (std::size_t i = 0; i < shape.setColumns.size(); ++i) {
        sql += (i ? ", " : "") + std::string("\"") +
               shape.setColumns[i].column + "\"";
        values += (i ? ", " : "") + std::string("__set_") +
                  shape.setColumns[i].column;
      }
      if (shape.setColumns.empty()) {
        sql += "__unknown";
        values = "__unknown";
      }
      sql += ") VALUES (" + values + ")";
      if (state.onConflict)
        sql += " ON CONFLICT DO NOTHING";
      break;
    }
    }
    Value result =
        sqlEvents(sql, variables, parameterValues, carried, at, state.entity);
    if (state.operation == Operation::Select) {
      result.name = state.entity;
      if (resultKind == "value")
        result.loadedBy.reset();
      else if (resultKind == "row")
        result.role = Role::EntityInstance;
    }
    for (EventIndex i = unit_.events.size(); i-- > 0;) {
      Event &event = unit_.events[i];
      if (event.where != source_.where(at))
        break;
      if (state.operation == Operation::Update)
        event.incrementsDeclaredVersion = true;
      if (state.operation == Operation::Update ||
          state.operation == Operation::Delete)
        std::erase_if(event.setColumns, [](const SetColumn &set) {
          return set.column == "__unknown";
        });
    }
    return result;
  }

  /// Raw SQL: `query('...', [params])`, `$queryRaw` templates.
  Value rawSql(const std::vector<Node> &args, Node at) {
    std::map<std::string, Value> parameterValues;
    std::set<std::string> variables;
    std::string sql;
    Node text = unwrap(args.front());
    if (auto plain = source_.stringValue(text)) {
      sql = placeholdersToVariables(*plain, variables);
      if (args.size() > 1) {
        std::vector<Node> params = namedChildren(unwrap(args[1]));
        for (std::size_t i = 0; i < params.size(); ++i)
          parameterValues["__p" + std::to_string(i + 1)] =
              expression(params[i]);
      }
    } else if (is(text, "template_string")) {
      sql = templateSql(text, variables, parameterValues);
    } else if (is(text, "call_expression") &&
               is(field(text, "arguments"), "template_string")) {
      sql = templateSql(field(text, "arguments"), variables, parameterValues);
    } else {
      return argumentsOfList(args); // SQL built at run time: not analysed
    }
    for (std::size_t i = 1; i < args.size() && is(text, "template_string"); ++i)
      expression(args[i]);
    return sqlEvents(sql, variables, parameterValues, {}, at, "");
  }

  /// A template literal as SQL: each `${value}` becomes a variable.
  std::string templateSql(Node templateNode, std::set<std::string> &variables,
                          std::map<std::string, Value> &parameterValues) {
    std::string sql;
    int count = 0;
    for (Node part : namedChildren(templateNode)) {
      if (is(part, "template_substitution")) {
        std::string name = "__p" + std::to_string(++count);
        variables.insert(name);
        Value value;
        for (Node inner : namedChildren(part))
          value.absorb(expression(inner));
        parameterValues[name] = value;
        sql += name;
      } else {
        sql += source_.text(part);
      }
    }
    return sql;
  }

  Value sqlEvents(const std::string &sql,
                  const std::set<std::string> &variables,
                  const std::map<std::string, Value> &parameterValues,
                  const Value &setValues, Node at, const std::string &entity) {
    sql::SqlContext sqlContext;
    sqlContext.variables = variables;
    auto facts = sql::analyzeSql(sql, sqlContext);
    Value result;
    if (!facts)
      return result; // not PostgreSQL we can read: no events from a guess
    if (facts->setIsolation && tx_)
      unit_.events[*tx_].isolation = *facts->setIsolation;
    for (sql::StatementEvent &statementEvent : facts->events) {
      Event event = std::move(statementEvent.event);
      if (event.table == "__entity") {
        event.table = snakeCase(entity);
        event.tableRef = "typeorm:" + entity;
      }
      Value carried = setValues;
      for (const std::string &variable : statementEvent.valueVariables) {
        if (auto it = parameterValues.find(variable);
            it != parameterValues.end())
          carried.absorb(it->second);
      }
      for (const auto &[column, variable] : statementEvent.keyVariables)
        if (auto it = parameterValues.find(variable);
            it != parameterValues.end())
          for (EventIndex read : it->second.reads)
            event.predicateValueFrom.emplace_back(column, read);
      for (EventIndex read : carried.reads)
        event.valueFrom.push_back(read);
      event.valueParameters.assign(carried.parameters.begin(),
                                   carried.parameters.end());
      event.valuesFromRequest |= carried.fromRequest;
      if (event.kind == EventKind::TxBegin) {
        tx_ = emit(std::move(event), at);
        continue;
      }
      if (event.kind == EventKind::TxEnd) {
        emit(std::move(event), at);
        tx_.reset();
        continue;
      }
      bool read = event.kind == EventKind::Read;
      EventIndex index = emit(std::move(event), at);
      if (read)
        result.reads.insert(index);
      else if (isWrite(unit_.events[index].kind))
        result.writeResults.insert(index);
    }
    if (result.reads.size() == 1) // the rows of one SELECT
      result.loadedBy = *result.reads.begin();
    return result;
  }

  // ---- Prisma --------------------------------------------------------------

  Isolation prismaIsolation(Node options) {
    for (Node pair : namedChildren(options)) {
      if (!is(pair, "pair") ||
          source_.propertyName(field(pair, "key")) != "isolationLevel")
        continue;
      Node value = unwrap(field(pair, "value"));
      std::string name =
          source_.stringValue(value).value_or(source_.calleeName(value));
      auto level = models_.prisma.isolationLevels.find(name);
      if (level != models_.prisma.isolationLevels.end())
        return level->second;
    }
    return Isolation::Unspecified;
  }

  Value prismaClientCall(const std::string &method,
                         const std::vector<Node> &args, Node at,
                         Node arguments) {
    if (method == models_.prisma.transaction && !args.empty()) {
      Node first = unwrap(args.front());
      if (is(first, "array")) {
        Event begin;
        begin.kind = EventKind::TxBegin;
        begin.implicit = true;
        if (args.size() > 1 && is(unwrap(args[1]), "object"))
          begin.isolation = prismaIsolation(unwrap(args[1]));
        std::optional<EventIndex> outer = tx_;
        tx_ = emit(std::move(begin), at);
        Value result = expression(first);
        Event end;
        end.kind = EventKind::TxEnd;
        emit(std::move(end), at);
        tx_ = outer;
        return result;
      }
      return transactionCallback(args, at, Role::PrismaClient);
    }
    if (models_.prisma.rawSql.count(method)) {
      if (is(arguments, "template_string")) {
        std::map<std::string, Value> parameterValues;
        std::set<std::string> variables;
        std::string sql = templateSql(arguments, variables, parameterValues);
        return sqlEvents(sql, variables, parameterValues, {}, at, "");
      }
      if (!args.empty())
        return rawSql(args, at);
    }
    return argumentsOfList(args);
  }

  Value prismaCall(const std::string &delegate, const std::string &method,
                   const std::vector<Node> &args, Node at) {
    auto operation = models_.prisma.operations.find(method);
    if (operation == models_.prisma.operations.end())
      return argumentsOfList(args);
    const std::string &kind = operation->second.kind;
    Event event;
    event.kind = kind == "read"     ? EventKind::Read
                 : kind == "insert" ? EventKind::Insert
                 : kind == "update" ? EventKind::Update
                 : kind == "delete" ? EventKind::Delete
                                    : EventKind::Upsert;
    event.table = delegate;
    event.tableRef = "prisma:" + delegate;
    event.readsAllColumns = event.kind == EventKind::Read;
    event.resultChecked = operation->second.throwsWhenNoRow;
    Value carried;
    Node options = args.empty() ? Node{} : unwrap(args.front());
    if (is(options, "object")) {
      for (Node pair : namedChildren(options)) {
        if (!is(pair, "pair")) {
          expression(pair);
          continue;
        }
        std::string key = source_.propertyName(field(pair, "key")).value_or("");
        Node value = field(pair, "value");
        if (key == "where") {
          whereArgument(value, event, true);
        } else if (key == "data" || key == "create") {
          carried.absorb(dataObject(value, event, true));
        } else if (key == "update") {
          Event update;
          carried.absorb(dataObject(value, update, true));
          for (const SetColumn &set : update.setColumns) {
            auto existing = std::find_if(
                event.setColumns.begin(), event.setColumns.end(),
                [&](const SetColumn &s) { return s.column == set.column; });
            if (existing != event.setColumns.end())
              existing->atomic = set.atomic;
            else
              event.setColumns.push_back(set);
          }
          event.valuesFromRequest |= update.valuesFromRequest;
        } else if (key == "select") {
          event.readsAllColumns = false;
          selectColumns(unwrap(value), event);
        } else {
          expression(value);
        }
      }
    } else if (!isNull(options)) {
      expression(options);
    }
    for (std::size_t i = 1; i < args.size(); ++i)
      expression(args[i]);
    for (EventIndex read : carried.reads)
      event.valueFrom.push_back(read);
    event.valueParameters.assign(carried.parameters.begin(),
                                 carried.parameters.end());
    return finishEvent(std::move(event), at, "", operation->second.result);
  }

  struct EntityEdit {
    std::string property; // empty: unknown properties (Object.assign)
    Value value;
  };

  const FileContext &context_;
  const Source &source_;
  const FrameworkModels &models_;
  const ClassContext *owner_;
  Unit &unit_;
  std::vector<std::map<std::string, Value>> scopes_;
  std::vector<EventIndex> guards_;
  std::optional<EventIndex> tx_;
  bool uniqueHandled_ = false;
  int conditionDepth_ = 0;
  std::map<std::string, std::vector<EntityEdit>> edits_;
};

} // namespace

std::map<std::string, Value> moduleValues(const FileContext &context,
                                          Node root) {
  FileContext growing{context.source, context.models, {}};
  for (Node item : namedChildren(root)) {
    Node declaration =
        is(item, "export_statement") ? field(item, "declaration") : item;
    if (!is(declaration, "lexical_declaration") &&
        !is(declaration, "variable_declaration"))
      continue;
    for (Node declarator : namedChildren(declaration)) {
      Node name = field(declarator, "name");
      Node value = field(declarator, "value");
      if (!is(name, "identifier") || isNull(value) ||
          ts_node_has_error(declarator))
        continue;
      Unit scratch;
      Value result = Lowerer(growing, nullptr, scratch).evaluate(value);
      if (Node annotation = field(declarator, "type");
          result.role == Role::Plain && !isNull(annotation))
        result = valueOfType(growing, annotation);
      if (result.role != Role::Plain && result.role != Role::EntityInstance) {
        result.reads.clear();
        result.writeResults.clear();
        result.headers.clear();
        growing.moduleValues[context.source.str(name)] = result;
      }
    }
  }
  return growing.moduleValues;
}

void lowerFunction(const FileContext &context, const ClassContext *owner,
                   Node function, std::map<std::string, Value> parameters,
                   Unit &unit) {
  Lowerer(context, owner, unit).run(function, std::move(parameters));
}

} // namespace racelint::ts
