// Function bodies -> program events: statements, expressions, guards, and
// calls (dispatched to the ORM parts by what their receiver holds).

#include "Lowerer.h"

#include <algorithm>
#include <cctype>

namespace racelint::ts {

namespace {

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

/// The statement ends by throwing, on every path.
bool alwaysThrows(Node node) {
  if (is(node, "throw_statement"))
    return true;
  if (is(node, "statement_block")) {
    std::vector<Node> statements = namedChildren(node);
    while (!statements.empty() && is(statements.back(), "comment"))
      statements.pop_back();
    return !statements.empty() && alwaysThrows(statements.back());
  }
  if (is(node, "if_statement")) {
    Node alternative = field(node, "alternative");
    if (isNull(alternative) || !alwaysThrows(field(node, "consequence")))
      return false;
    for (Node child : namedChildren(alternative)) // else_clause
      if (!alwaysThrows(child))
        return false;
    return true;
  }
  return false;
}

} // namespace

/// The value of an expression outside any function (module level).
Value Lowerer::evaluate(Node node) {
  scopes_.emplace_back();
  return expression(node);
}

void Lowerer::run(Node function, std::map<std::string, Value> parameters) {
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
    noteResult(expression(body), body);
}

void Lowerer::noteResult(const Value &value, Node returned) {
  noteReturned(value);
  if (returned_.value.role == Role::Plain && !handleOf(value).empty())
    returned_.value = value;
  if (isNull(returned_.expression)) {
    HandleFact from;
    handleSource(source_, returned, from);
    if (!from.via.empty())
      returned_.expression = returned;
  }
}

/// Binds a pattern (identifier, or object/array destructuring) to a value.
void Lowerer::bind(Node pattern, const Value &value) {
  pattern = unwrapTypes(pattern);
  std::string_view kind = type(pattern);
  if (kind == "identifier" || kind == "shorthand_property_identifier_pattern") {
    scopes_.back()[source_.str(pattern)] = value;
    edits_.erase(source_.str(pattern));
    return;
  }
  if (value.envelope && kind == "object_pattern") {
    for (Node child : namedChildren(pattern)) {
      Node target = child;
      std::string key = source_.str(child);
      if (is(child, "pair_pattern")) {
        key = source_.propertyName(field(child, "key")).value_or("");
        target = field(child, "value");
      } else if (is(child, "object_assignment_pattern")) {
        target = field(child, "left");
        key = source_.str(target);
      }
      bind(target, unwrapEnvelope(value, key));
    }
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
    // `const { id } = params` names params.id; an array's element or a
    // rest of members is no one path.
    element.origin = kind == "object_pattern" && !column.empty()
                         ? memberOrigin(value, column)
                         : "";
    bind(target, element);
  }
}

/// `const [a, b] = await Promise.all([x, y])`: each name is bound to its
/// own element's value, not to what all of them carry. False for any other
/// declaration.
bool Lowerer::bindEach(Node pattern, Node valueNode) {
  Node call = unwrap(valueNode);
  if (!is(pattern, "array_pattern") || !is(call, "call_expression"))
    return false;
  Node function = unwrap(field(call, "function"));
  std::vector<Node> args = namedChildren(field(call, "arguments"));
  if (!is(function, "member_expression") ||
      source_.str(field(function, "object")) != "Promise" ||
      source_.str(field(function, "property")) != "all" || args.size() != 1 ||
      !is(unwrap(args.front()), "array"))
    return false;
  std::vector<Node> elements = namedChildren(unwrap(args.front()));
  std::vector<Node> targets = namedChildren(pattern);
  for (std::size_t i = 0; i < elements.size(); ++i) {
    Value element = expression(elements[i]);
    if (element.role == Role::SupabaseQuery && element.query)
      element = runSupabaseQuery(*element.query, elements[i]);
    if (i < targets.size())
      bind(targets[i], element);
  }
  return true;
}

/// Binds a function's parameters; `numbered` records each one's position,
/// so that writes can say which parameters they store (see CallArgument).
void Lowerer::bindParameters(Node parameters, const Value &value,
                             bool keepBound, bool numbered) {
  unsigned position = 0;
  for (Node parameter : namedChildren(parameters)) {
    if (is(parameter, "comment"))
      continue;
    unsigned index = position++;
    Node pattern = field(parameter, "pattern");
    if (isNull(pattern))
      pattern = is(parameter, "assignment_pattern") ? field(parameter, "left")
                                                    : parameter;
    if (is(pattern, "identifier") && keepBound) {
      // Bound by the caller (decorated handler parameters).
      if (Value *bound = lookup(source_.str(pattern))) {
        if (numbered && bound->origin.empty())
          bound->origin = parameterOrigin(index);
        continue;
      }
    }
    Value bound = value;
    if (numbered) {
      bound.parameters.insert(index);
      bound.origin = parameterOrigin(index);
    }
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

Value Lowerer::unwrapEnvelope(const Value &envelope,
                              const std::string &member) {
  Value part = envelope;
  part.envelope = false;
  if (member == "data")
    return part; // the row or rows, as loaded
  part.role = Role::Plain;
  part.loadedBy.reset();
  if (member == "count")
    return part; // the rows a read or write counted
  return {};     // `error`, `status`: nothing about the rows
}

/// Returns true when the statement always leaves the function.
bool Lowerer::statement(Node node) {
  if (hasErrorOutsideFunctions(node))
    return false; // never an event from a tree the parser could not build
  std::string_view kind = type(node);
  if (kind == "statement_block")
    return block(node);
  if (kind == "return_statement" || kind == "throw_statement") {
    for (Node child : namedChildren(node)) {
      Value value = expression(child);
      if (kind == "return_statement")
        noteResult(value, child);
    }
    return true;
  }
  if (kind == "continue_statement" || kind == "break_statement")
    return true; // the rest of the block does not run either
  if (kind == "lexical_declaration" || kind == "variable_declaration") {
    for (Node declarator : namedChildren(node))
      if (is(declarator, "variable_declarator")) {
        Node valueNode = field(declarator, "value");
        if (bindEach(field(declarator, "name"), valueNode))
          continue;
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
        if (std::string(part) == "condition") {
          pushGuards(value.reads);
        } else if (Node left = field(node, "left"); !isNull(left)) {
          value.origin.clear(); // an element, not the collection
          bind(left, value);
        }
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

bool Lowerer::block(Node node) {
  ++blockDepth_;
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
  --blockDepth_;
  return exits;
}

bool Lowerer::ifStatement(Node node) {
  Value test = condition(field(node, "condition"));
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
  // Thrown at the function's top level: its callers' code after the call
  // runs on that outcome too.
  if (blockDepth_ == 1 && isNull(alternative) &&
      alwaysThrows(field(node, "consequence")))
    addExitGuards(test.reads);
  return thenExits && elseExits;
}

bool Lowerer::tryStatement(Node node) {
  Node handler = field(node, "handler");
  bool saved = uniqueHandled_;
  uniqueHandled_ |= handlesUniqueViolation(source_, models_.http, handler);
  ++sequentialBlocks_;
  bool exits = statement(field(node, "body"));
  --sequentialBlocks_;
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

Value Lowerer::expression(Node node) {
  node = unwrapTypes(node);
  std::string_view kind = type(node);
  if (isNull(node) || kind == "comment" || kind == "ERROR")
    return {}; // type-only syntax is let through with its errors
  if (kind == "await_expression") {
    Value value;
    for (Node child : namedChildren(node))
      value = expression(child);
    if (value.role == Role::SupabaseQuery && value.query)
      return runSupabaseQuery(*value.query, node);
    return value;
  }
  if (kind == "identifier" || kind == "shorthand_property_identifier") {
    if (Value *value = lookup(source_.str(node))) {
      if (value->sourceColumn && conditionDepth_ > 0)
        addTestedColumn(value->sourceColumn->first,
                        value->sourceColumn->second);
      return *value;
    }
    if (auto it = context_.moduleValues.find(source_.str(node));
        it != context_.moduleValues.end())
      return it->second;
    std::string name = source_.str(node);
    Value guess = unboundName(name);
    if (auto known = context_.handled(name, HandleFact::Of::Value, guess))
      return *known;
    return guess;
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
  if (kind == "number" || (kind == "string" && source_.stringValue(node))) {
    Value literal;
    literal.origin = literalOrigin(kind == "string" ? *source_.stringValue(node)
                                                    : source_.str(node));
    return literal;
  }
  // Anything else (objects, arrays, templates, spreads...): the union of what
  // its parts carry, evaluated in order.
  Value value;
  for (Node child : namedChildren(node)) {
    Value part = expression(is(child, "pair") ? field(child, "value") : child);
    value.absorb(part);
  }
  value.fresh = kind == "object";
  return value;
}

/// A request field that carries the idempotency key a header would
/// (`body.idempotencyKey`, `idempotency_key`): that header's name.
std::optional<std::string>
Lowerer::idempotencyHeaderFor(const std::string &field) const {
  auto letters = [](const std::string &name) {
    std::string kept;
    for (unsigned char c : name)
      if (std::isalnum(c))
        kept.push_back(static_cast<char>(std::tolower(c)));
    return kept;
  };
  for (const std::string &header : models_.http.idempotencyHeaders)
    if (letters(header) == letters(field))
      return header;
  return std::nullopt;
}

/// What a name no scope binds is taken for: an imported client by its
/// conventional name, or a class.
Value Lowerer::unboundName(const std::string &name) {
  Value unknown;
  if (models_.prisma.clientNames.count(name)) { // an imported client
    unknown.role = Role::PrismaClient;
    return unknown;
  }
  if (const PaymentProvider *provider = models_.effects.providerNamed(name)) {
    unknown.role = Role::PaymentClient;
    unknown.name = provider->provider;
    return unknown;
  }
  if (int sender = models_.effects.emailSenderNamed(name); sender >= 0) {
    unknown.role = Role::EmailClient;
    unknown.name = std::to_string(sender);
    return unknown;
  }
  if (models_.effects.httpClients.count(name)) {
    unknown.role = Role::HttpClient;
    return unknown;
  }
  if (models_.supabase.clientNames.count(name)) {
    unknown.role = Role::SupabaseClient;
    return unknown;
  }
  if (models_.sqlClients.names.count(name)) {
    unknown.role = Role::SqlClient;
    return unknown;
  }
  if (!name.empty() && std::isupper(static_cast<unsigned char>(name[0]))) {
    unknown.role = Role::EntityClass;
    unknown.name = name;
  }
  return unknown;
}

Value Lowerer::member(Node node) {
  Node objectNode = unwrapTypes(field(node, "object"));
  std::string property = source_.str(field(node, "property"));
  Value object;
  if (is(objectNode, "this")) {
    if (owner_)
      if (auto it = owner_->fields.find(property); it != owner_->fields.end())
        return it->second;
    if (!owner_ || !inheritsFramework(*owner_))
      return {};
    object = owner_->instance; // `this.manager` of a Repository<Band>
  } else {
    object = expression(objectNode);
  }
  if (object.envelope)
    return unwrapEnvelope(object, property);
  if (object.fromRequest && object.role == Role::Plain)
    if (auto header = idempotencyHeaderFor(property)) {
      Value key = headerRead(*header, node); // the body's idempotency key
      key.fromRequest = true;
      return key;
    }
  noteTestedColumn(object, property);
  Value result;
  result.absorb(object);
  result.origin = memberOrigin(object, property);
  // A column of a loaded row: a later test of a name bound to it tests it.
  if (object.loadedBy && object.role == Role::EntityInstance)
    result.sourceColumn.emplace(*object.loadedBy, property);
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
  case Role::PaymentClient:
  case Role::EmailClient:
    result.role = object.role;
    result.name = object.name;
    result.path = object.path.empty() ? property : object.path + "." + property;
    break;
  case Role::SupabaseQuery:
  case Role::SupabaseClient:
    result.role = Role::Plain;
    break;
  case Role::WebhookEvent:
    if (const PaymentProvider *provider = models_.effects.provider(object.name))
      result.eventId = property == provider->eventId;
    break;
  default:
    break;
  }
  return result;
}

Value Lowerer::subscript(Node node) {
  Value object = expression(field(node, "object"));
  Node index = field(node, "index");
  if (object.role == Role::RequestHeaders)
    if (auto name = source_.stringValue(index))
      return headerRead(lower(*name), node);
  Value result;
  result.absorb(object);
  result.absorb(expression(index));
  if (auto key = source_.stringValue(index))
    result.origin = memberOrigin(object, *key);
  return result;
}

Value Lowerer::headerRead(const std::string &name, Node at) {
  Event event;
  event.kind = EventKind::HeaderRead;
  event.detail = name;
  Value value;
  value.headers.insert(emit(std::move(event), at));
  return value;
}

Value Lowerer::newExpression(Node node) {
  std::string name = source_.calleeName(field(node, "constructor"));
  Value args = argumentsOf(field(node, "arguments"));
  Value result;
  if (models_.typeorm.dataSourceTypes.count(name))
    result.role = Role::DataSource;
  else if (models_.prisma.clientTypes.count(name))
    result.role = Role::PrismaClient;
  else if (models_.sqlClients.constructors.count(name))
    result.role = Role::SqlClient;
  else if (const PaymentProvider *provider =
               models_.effects.providerConstructedBy(name)) {
    result.role = Role::PaymentClient;
    result.name = provider->provider;
  } else if (int sender = models_.effects.emailSenderTyped(name); sender >= 0) {
    result.role = Role::EmailClient;
    result.name = std::to_string(sender);
  } else if (context_.serviceClasses.count(name)) {
    result.role = Role::Service; // application code, not a row
    result.name = name;
  } else if (!name.empty() && !name.ends_with("Error") &&
             !name.ends_with("Exception")) {
    // `new Band()`: a fresh entity instance, inserted when saved.
    result.role = Role::EntityInstance;
    result.name = name;
    result.fresh = true;
    if (auto known = context_.handled(name, HandleFact::Of::Instance, Value{}))
      result = *known;
  }
  result.absorb(args);
  return result;
}

Value Lowerer::argumentsOf(Node arguments) {
  Value value;
  for (Node argument : namedChildren(arguments))
    value.absorb(expression(argument));
  return value;
}

/// `x = v`, `x.prop = v`, `x.prop += v`, `x.prop++` (update_expression
/// goes through the generic path).
Value Lowerer::assignment(Node node) {
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
        if (compound) {
          written.absorb(*object);
          written.arithmetic = !written.reads.empty();
        }
        EntityEdit edit{property, written};
        auto &list = edits_[entityKey(name)];
        list.push_back(std::move(edit));
      }
    } else {
      expression(objectNode);
    }
    return right;
  }
  if (is(left, "subscript_expression")) {
    // `row[key] = dto[key]`, typically in a loop copying a DTO: an edit of
    // the row, of the column a literal index names or of columns only the
    // data names.
    Node objectNode = unwrapTypes(field(left, "object"));
    Node index = field(left, "index");
    Value key = expression(index);
    if (is(objectNode, "identifier") && lookup(source_.str(objectNode))) {
      right.absorb(key);
      edits_[entityKey(source_.str(objectNode))].push_back(
          EntityEdit{source_.stringValue(index).value_or(""), right});
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
Value Lowerer::increment(Node node) {
  Node argument = unwrapTypes(field(node, "argument"));
  Value value = expression(argument);
  value.arithmetic = !value.reads.empty();
  if (is(argument, "member_expression")) {
    Node objectNode = unwrapTypes(field(argument, "object"));
    if (is(objectNode, "identifier") && lookup(source_.str(objectNode)))
      edits_[entityKey(source_.str(objectNode))].push_back(
          EntityEdit{source_.str(field(argument, "property")), value});
  }
  value.role = Role::Plain;
  return value;
}

Value Lowerer::binary(Node node) {
  std::string op = source_.str(child(node, 1));
  Node left = field(node, "left"), right = field(node, "right");
  Node operatorNode = field(node, "operator");
  if (!isNull(operatorNode))
    op = source_.str(operatorNode);
  if (op == "&&" || op == "||" || op == "??") {
    // `row.name || fallback` outside a condition picks a value: it tests
    // nothing of the row.
    bool defaulting = op != "&&" && conditionDepth_ == 0;
    Value test = defaulting ? expression(left) : condition(left);
    std::size_t saved = guards_.size();
    pushGuards(test.reads);
    Value result = expression(right);
    guards_.resize(saved);
    result.absorb(test);
    result.role = Role::Plain;
    if (defaulting && !result.sourceColumn) // `row.tags || []` is the column
      result.sourceColumn = test.sourceColumn;
    return result;
  }
  Value result = expression(left);
  result.absorb(expression(right));
  result.role = Role::Plain;
  result.builder.reset();
  static const std::set<std::string> kArithmetic = {"+", "-", "*", "/", "%"};
  result.arithmetic = kArithmetic.count(op) && !result.reads.empty();
  return result;
}

Value Lowerer::call(Node node) {
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

  if (models_.effects.randomGenerators.count(source_.calleeName(function))) {
    argumentsOfList(args);
    Value fresh;
    fresh.random = true;
    return fresh;
  }
  if (is(function, "identifier") && is(arguments, "template_string") &&
      (models_.sqlClients.tags.count(source_.str(function)) ||
       (lookup(source_.str(function)) &&
        lookup(source_.str(function))->role == Role::SqlClient))) {
    std::map<std::string, Value> parameterValues;
    std::set<std::string> variables;
    std::string sql = templateSql(arguments, variables, parameterValues);
    return sqlEvents(sql, variables, parameterValues, {}, node, "");
  }
  if (is(function, "identifier")) {
    std::string name = source_.str(function);
    if (models_.effects.httpFunctions.count(name) && !lookup(name))
      return fetchCall(args, node);
    if (models_.supabase.clientFactories.count(name) && !lookup(name)) {
      argumentsOfList(args);
      Value client;
      client.role = Role::SupabaseClient;
      return client;
    }
    if (models_.http.nextHeaderFunctions.count(name) && !lookup(name)) {
      argumentsOfList(args);
      Value headers;
      headers.role = Role::RequestHeaders;
      return headers;
    }
    if (models_.http.valueConversions.count(name) && !lookup(name) &&
        !args.empty()) {
      Value first = expression(args.front());
      Value converted;
      converted.absorb(first);
      converted.absorb(argumentsOfList({args.begin() + 1, args.end()}));
      converted.origin = first.origin;
      return converted;
    }
    Value result = callUnit(name, node, args);
    // A factory of the project's (`getAdminClient()`): what it returns.
    if (auto known =
            context_.handled(name, HandleFact::Of::CallResult, Value{})) {
      result.role = known->role;
      result.name = known->name;
    }
    return result;
  }
  if (!is(function, "member_expression")) {
    Value result = expression(function);
    result.absorb(argumentsOfList(args));
    return result;
  }
  Node objectNode = unwrapTypes(field(function, "object"));
  std::string method = source_.str(field(function, "property"));
  if (is(objectNode, "this") && owner_ && !owner_->fields.count(method)) {
    if (!owner_->methods.count(method) && inheritsFramework(*owner_))
      return dispatch(owner_->instance, method, args, node, arguments);
    return callUnit(owner_->name + "." + method, node, args);
  }
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

Value Lowerer::dispatch(const Value &receiver, const std::string &method,
                        const std::vector<Node> &args, Node node,
                        Node arguments) {
  switch (receiver.role) {
  case Role::Repository:
    if (!receiver.className.empty() && !modelsRepositoryMethod(method))
      return callUnit(receiver.className + "." + method, node, args);
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
    if (models_.http.nextBodyReaders.count(method)) { // request.json()
      Value body = argumentsOfList(args);
      body.fromRequest = true;
      body.origin = memberOrigin(receiver, method + "()");
      return body;
    }
    break;
  case Role::RequestHeaders: // request.headers.get('x'), headers().get('x')
    if (method == "get" && !args.empty())
      if (auto name = source_.stringValue(args.front()))
        return headerRead(lower(*name), node);
    break;
  case Role::Service:
    return callUnit(receiver.name + "." + method, node, args);
  case Role::PaymentClient:
    return paymentCall(receiver, method, args, node);
  case Role::EmailClient:
    return emailCall(receiver, method, args, node);
  case Role::HttpClient:
    return httpClientCall(method, args, node);
  case Role::SupabaseClient:
    return supabaseClientCall(method, args, node);
  case Role::SqlClient:
    if (models_.sqlClients.methods.count(method) && !args.empty())
      return rawSql(args, node);
    if (models_.sqlClients.transactions.count(method))
      return transactionCallback(args, node, Role::SqlClient);
    break;
  case Role::SupabaseQuery:
    if (method == "then") { // a query run by .then(): the callback follows
      Value result = runSupabaseQuery(*receiver.query, node);
      argumentsOfList(args);
      return result;
    }
    return supabaseQueryCall(receiver, method, args);
  default:
    break;
  }
  Value result = receiver;
  result.role = Role::Plain;
  result.builder.reset();
  result.origin.clear();
  // `searchParams.get('id')`, `formData.get('id')`: a member by name.
  if (method == "get" && !args.empty())
    if (auto key = source_.stringValue(args.front()))
      result.origin = memberOrigin(receiver, *key);
  result.absorb(argumentsOfList(args));
  return result;
}

Value Lowerer::argumentsOfList(const std::vector<Node> &args) {
  Value value;
  for (Node argument : args)
    value.absorb(expression(argument));
  return value;
}

Value Lowerer::callUnit(const std::string &callee, Node at,
                        const std::vector<Node> &args) {
  std::vector<Value> arguments;
  for (Node argument : args)
    arguments.push_back(expression(argument));
  return callUnitWith(callee, at, arguments);
}

Value Lowerer::objectAssign(const std::vector<Node> &args, Node) {
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

Value Lowerer::transactionCallback(const std::vector<Node> &args, Node at,
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

std::map<std::string, Value> moduleValues(const FileContext &context,
                                          Node root) {
  FileContext growing = context;
  growing.moduleValues.clear();
  for (Node item : namedChildren(root)) {
    Node declaration =
        is(item, "export_statement") ? field(item, "declaration") : item;
    if (!is(declaration, "lexical_declaration") &&
        !is(declaration, "variable_declaration"))
      continue;
    for (Node declarator : namedChildren(declaration)) {
      Node name = field(declarator, "name");
      Node value = field(declarator, "value");
      if (!is(name, "identifier") || isNull(value) || hasError(declarator))
        continue;
      Unit scratch;
      Value result = Lowerer(growing, nullptr, scratch).evaluate(value);
      if (Node annotation = field(declarator, "type");
          result.role == Role::Plain && !isNull(annotation))
        result = valueOfType(growing, annotation);
      HandleFact fact;
      setHandle(fact, result);
      handleSource(context.source, value, fact);
      if (context.module && (!fact.handle.empty() || !fact.via.empty()))
        context.module->handles[context.source.str(name)] = fact;
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

Returned lowerFunction(const FileContext &context, const ClassContext *owner,
                       Node function, std::map<std::string, Value> parameters,
                       Unit &unit) {
  Lowerer lowerer(context, owner, unit);
  lowerer.run(function, std::move(parameters));
  return lowerer.returned();
}

} // namespace racelint::ts
