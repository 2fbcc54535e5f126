// Python function bodies -> program events: the statement and expression
// walk over tree-sitter-python, and SQLAlchemy (sessions, queries, 2.0
// statements, the unit of work) on top of the language-neutral LoweringCore.

#include "PyInternal.h"

#include <algorithm>
#include <cctype>

namespace racelint::py {

Node Arguments::keyword(const std::string &name) const {
  for (const auto &[key, value] : keywords)
    if (key == name)
      return value;
  return Node{};
}

Arguments argumentsOf(const Source &source, Node call) {
  Arguments arguments;
  for (Node argument : ts::namedChildren(ts::field(call, "arguments"))) {
    if (ts::is(argument, "keyword_argument"))
      arguments.keywords.emplace_back(source.str(ts::field(argument, "name")),
                                      ts::field(argument, "value"));
    else if (!ts::is(argument, "comment"))
      arguments.positional.push_back(argument);
  }
  return arguments;
}

Node parameterName(Node parameter) {
  if (ts::is(parameter, "identifier"))
    return parameter;
  if (Node name = ts::field(parameter, "name"); !ts::isNull(name))
    return name;
  std::vector<Node> children = ts::namedChildren(parameter);
  return children.empty() ? Node{} : children.front();
}

std::optional<std::string> stringOf(const Source &source, Node node) {
  while (ts::is(node, "parenthesized_expression") &&
         !ts::namedChildren(node).empty())
    node = ts::namedChildren(node).front();
  if (!ts::is(node, "string"))
    return std::nullopt;
  std::string value;
  for (Node part : ts::namedChildren(node)) {
    if (ts::is(part, "interpolation"))
      return std::nullopt;
    if (ts::is(part, "string_content"))
      value += source.text(part);
  }
  return value;
}

namespace {

using lowering::addUnique;
using lowering::OrmQueryState;
using Operation = OrmQueryState::Operation;

bool isCapitalized(const std::string &name) {
  return !name.empty() && std::isupper(static_cast<unsigned char>(name[0]));
}

class PyLowerer : public lowering::LoweringCore {
public:
  PyLowerer(const PyContext &context, std::string className, Unit &unit)
      : LoweringCore(context.source, context.models, unit), context_(context),
        python_(context.models.python), className_(std::move(className)) {
    reportTo(context.diagnostics);
  }

  void run(Node function, std::map<std::string, Value> parameters) {
    scopes_.push_back(std::move(parameters));
    unsigned position = 0;
    for (Node parameter :
         ts::namedChildren(ts::field(function, "parameters"))) {
      unsigned index = position++;
      Node name = parameterName(parameter);
      unit_.parameterNames.push_back(
          ts::is(name, "identifier") ? source_.str(name) : "");
      if (!ts::is(name, "identifier") || lookup(source_.str(name)))
        continue;
      Value bound =
          valueOfParameter(source_.str(name), ts::field(parameter, "type"));
      bound.parameters.insert(index);
      bound.origin = parameterOrigin(index);
      scopes_.back()[source_.str(name)] = bound;
    }
    Node body = ts::field(function, "body");
    // `@transaction.atomic`: the whole function is one transaction.
    bool atomic = false;
    // A method's first parameter is its receiver (`self`, or `cls` of a
    // classmethod), bound by the call, unless it is a staticmethod.
    bool staticMethod = false, classMethod = false;
    if (Node parent = ts::parent(function);
        ts::is(parent, "decorated_definition"))
      for (Node decorator : ts::namedChildren(parent))
        if (ts::is(decorator, "decorator") &&
            !ts::namedChildren(decorator).empty()) {
          Node expression = ts::namedChildren(decorator).front();
          atomic |= isAtomic(ts::is(expression, "call")
                                 ? ts::field(expression, "function")
                                 : expression);
          staticMethod |= source_.str(expression) == "staticmethod";
          classMethod |= source_.str(expression) == "classmethod";
        }
    unit_.bindsFirstParameter = !className_.empty() && !staticMethod;
    if (unit_.bindsFirstParameter)
      bindConstructorHandles(function);
    // A model class's methods run on one of its rows, or (classmethods) on
    // the class: `self.x = v` edits that row, `cls.query` queries its table.
    if (unit_.bindsFirstParameter && context_.modelClasses.count(className_) &&
        !unit_.parameterNames.empty() && !unit_.parameterNames[0].empty()) {
      Value &receiver = scopes_.back()[unit_.parameterNames[0]];
      receiver.role = classMethod ? Role::EntityClass : Role::EntityInstance;
      receiver.name = className_;
      receiver.parameters = {0};
    }
    if (atomic)
      openTransaction(function, /*implicit=*/false);
    block(body);
    // Rows this unit loaded are saved by the caller's commit too; a
    // parameter's edits only where this unit commits them (a mapper that
    // copies fields between plain objects writes nothing).
    flushEdits(lastEdit_, /*includeParameters=*/false);
    if (atomic)
      closeTransaction(body);
  }

  Value expression(Node node) override;

private:
  /// What a parameter holds from its annotation or its name: a session, the
  /// request, or a request body (a Pydantic model or the like).
  Value valueOfParameter(const std::string &name, Node type) {
    Value value;
    std::string typeName;
    if (!ts::isNull(type)) {
      Node inner = type;
      while (!ts::namedChildren(inner).empty() &&
             !ts::is(inner, "identifier") && !ts::is(inner, "attribute"))
        inner = ts::namedChildren(inner).front();
      typeName = ts::is(inner, "attribute")
                     ? source_.str(ts::field(inner, "attribute"))
                     : source_.str(inner);
    }
    if (python_.sessionTypes.count(typeName) ||
        (typeName.empty() && python_.sessionNames.count(name)))
      value.role = Role::Session;
    else if (python_.requestTypes.count(typeName))
      value.role = Role::Request;
    return value;
  }

  // ---- statements ----------------------------------------------------------

  bool block(Node node) {
    ++blockDepth_;
    scopes_.emplace_back();
    std::size_t saved = guards_.size();
    bool exits = false;
    for (Node child : ts::namedChildren(node)) {
      if (ts::is(child, "comment"))
        continue;
      if (statement(child)) {
        exits = true;
        break;
      }
    }
    guards_.resize(saved);
    // Names bound in a block stay visible in Python: merge them outwards.
    std::map<std::string, Value> inner = std::move(scopes_.back());
    scopes_.pop_back();
    for (auto &[name, value] : inner)
      scopes_.back()[name] = std::move(value);
    --blockDepth_;
    return exits;
  }

  /// The block ends by raising (`raise HTTPException(404)`, `abort(404)`).
  bool alwaysRaises(Node block) {
    std::vector<Node> statements = ts::namedChildren(block);
    while (!statements.empty() && ts::is(statements.back(), "comment"))
      statements.pop_back();
    if (statements.empty())
      return false;
    Node last = statements.back();
    if (ts::is(last, "raise_statement"))
      return true;
    if (!ts::is(last, "expression_statement"))
      return false;
    std::vector<Node> parts = ts::namedChildren(last);
    return parts.size() == 1 && ts::is(parts.front(), "call") &&
           python_.exitingCalls.count(
               source_.str(ts::field(parts.front(), "function")));
  }

  bool statement(Node node) {
    if (ts::hasErrorOutsideFunctions(node))
      return false; // never an event from a tree the parser could not build
    std::string_view kind = ts::type(node);
    if (kind == "return_statement" || kind == "raise_statement") {
      for (Node child : ts::namedChildren(node)) {
        Value value = expression(child);
        if (kind == "return_statement")
          noteReturned(value);
      }
      return true;
    }
    if (kind == "continue_statement" || kind == "break_statement")
      return true;
    if (kind == "if_statement")
      return ifStatement(node);
    if (kind == "try_statement")
      return tryStatement(node);
    if (kind == "with_statement")
      return withStatement(node);
    if (kind == "for_statement" || kind == "while_statement") {
      std::size_t saved = guards_.size();
      if (Node right = ts::field(node, "right"); !ts::isNull(right))
        bind(ts::field(node, "left"), expression(right));
      if (Node test = ts::field(node, "condition"); !ts::isNull(test))
        pushGuards(condition(test).reads);
      block(ts::field(node, "body"));
      guards_.resize(saved);
      return false;
    }
    if (kind == "function_definition" || kind == "class_definition" ||
        kind == "decorated_definition")
      return false; // units of their own
    if (kind == "expression_statement") {
      for (Node child : ts::namedChildren(node)) {
        if (ts::is(child, "call") && python_.exitingCalls.count(source_.str(
                                         ts::field(child, "function")))) {
          expression(child);
          return true; // abort(404) raises
        }
        expression(child);
      }
      return false;
    }
    for (Node child : ts::namedChildren(node))
      expression(child);
    return false;
  }

  bool ifStatement(Node node) {
    Value test = condition(ts::field(node, "condition"));
    std::size_t saved = guards_.size();
    pushGuards(test.reads);
    bool thenExits = block(ts::field(node, "consequence"));
    bool allExit = thenExits, anyExits = thenExits;
    bool hasElse = false;
    for (Node alternative : ts::fieldChildren(node, "alternative")) {
      if (ts::is(alternative, "elif_clause")) {
        Value more = condition(ts::field(alternative, "condition"));
        pushGuards(more.reads);
        bool exits = block(ts::field(alternative, "consequence"));
        allExit &= exits;
        anyExits |= exits;
      } else {
        hasElse = true;
        bool exits = block(ts::field(alternative, "body"));
        allExit &= exits;
        anyExits |= exits;
      }
    }
    guards_.resize(saved);
    if (anyExits) // an early exit: what follows runs on one outcome
      pushGuards(test.reads);
    // Raised at the function's top level: its callers' code after the call
    // runs on that outcome too.
    if (blockDepth_ == 1 && ts::fieldChildren(node, "alternative").empty() &&
        alwaysRaises(ts::field(node, "consequence")))
      for (EventIndex read : test.reads)
        if (std::find(unit_.exitGuards.begin(), unit_.exitGuards.end(), read) ==
            unit_.exitGuards.end())
          unit_.exitGuards.push_back(read);
    return allExit && hasElse;
  }

  bool tryStatement(Node node) {
    bool handles = false;
    std::vector<Node> handlers;
    for (Node child : ts::namedChildren(node))
      if (ts::is(child, "except_clause") ||
          ts::is(child, "except_group_clause")) {
        handlers.push_back(child);
        for (Node part : ts::namedChildren(child))
          if (!ts::is(part, "block"))
            handles |= namesIntegrityError(part);
      }
    bool saved = uniqueHandled_;
    uniqueHandled_ |= handles;
    ++sequentialBlocks_;
    bool exits = block(ts::field(node, "body"));
    --sequentialBlocks_;
    uniqueHandled_ = saved;
    for (Node handler : handlers)
      for (Node part : ts::namedChildren(handler))
        if (ts::is(part, "block")) {
          // A failed flush rolls the session's transaction back.
          closeTransaction(handler);
          block(part);
        }
    for (Node child : ts::namedChildren(node))
      if (ts::is(child, "else_clause") || ts::is(child, "finally_clause"))
        for (Node part : ts::namedChildren(child))
          if (ts::is(part, "block"))
            block(part);
    return exits && handlers.empty();
  }

  bool namesIntegrityError(Node node) {
    if (ts::is(node, "identifier") &&
        python_.integrityErrors.count(source_.str(node)))
      return true;
    if (ts::is(node, "attribute") && python_.integrityErrors.count(source_.str(
                                         ts::field(node, "attribute"))))
      return true;
    for (Node child : ts::namedChildren(node))
      if (namesIntegrityError(child))
        return true;
    return false;
  }

  /// `with session.begin():` runs its body in one transaction.
  bool withStatement(Node node) {
    bool opened = false;
    for (Node clause : ts::namedChildren(node))
      if (ts::is(clause, "with_clause"))
        for (Node item : ts::namedChildren(clause)) {
          Node value = ts::field(item, "value");
          Node alias{};
          if (ts::is(value, "as_pattern")) {
            alias = ts::field(value, "alias");
            value = ts::namedChildren(value).front();
          }
          if (ts::is(value, "call") && beginsTransaction(value)) {
            flushEdits(value);
            closeTransaction(value);
            openTransaction(value, /*implicit=*/true);
            opened = true;
            if (!ts::isNull(alias)) {
              Value session;
              session.role = Role::Session;
              bind(alias, session);
            }
            continue;
          }
          Value held = expression(value);
          if (!ts::isNull(alias))
            bind(alias, held);
        }
    ++sequentialBlocks_;
    bool exits = block(ts::field(node, "body"));
    --sequentialBlocks_;
    if (opened) {
      flushEdits(node);
      closeTransaction(node);
    }
    return exits;
  }

  bool beginsTransaction(Node call) {
    Node function = ts::field(call, "function");
    if (isAtomic(function))
      return true;
    if (!ts::is(function, "attribute"))
      return false;
    std::string method = source_.str(ts::field(function, "attribute"));
    if (method != "begin" && method != "begin_nested")
      return false;
    Value receiver = expression(ts::field(function, "object"));
    return receiver.role == Role::Session;
  }

  /// Django's `transaction.atomic` (or `atomic` imported from it).
  bool isAtomic(Node function) {
    if (ts::is(function, "identifier"))
      return python_.django.atomic.count(source_.str(function)) &&
             !lookup(source_.str(function));
    return ts::is(function, "attribute") &&
           source_.str(ts::field(function, "object")) == "transaction" &&
           python_.django.atomic.count(
               source_.str(ts::field(function, "attribute")));
  }

  void closeTransaction(Node at) {
    if (!tx_)
      return;
    Event end;
    end.kind = EventKind::TxEnd;
    emit(std::move(end), at);
    tx_.reset();
  }

  /// A session runs in a transaction from its first statement to commit
  /// (unless its connection was put in AUTOCOMMIT).
  void ensureTransaction(Node at) {
    if (tx_ || autocommit_)
      return;
    openTransaction(at, /*implicit=*/true);
  }

  /// Begins the transaction the events that follow run in; `implicit` when
  /// the code wrote no BEGIN of its own (a session's autobegin).
  void openTransaction(Node at, bool implicit) {
    Event begin;
    begin.kind = EventKind::TxBegin;
    begin.implicit = implicit;
    tx_ = emit(std::move(begin), at);
  }

  void bind(Node target, const Value &value) {
    if (ts::is(target, "identifier")) {
      scopes_.back()[source_.str(target)] = value;
      edits_.erase(source_.str(target));
      return;
    }
    if (ts::is(target, "pattern_list") || ts::is(target, "tuple_pattern") ||
        ts::is(target, "list_pattern")) {
      Value part = value;
      part.role = value.loadedBy ? Role::EntityInstance : Role::Plain;
      for (Node child : ts::namedChildren(target))
        bind(child, part);
      return;
    }
    if (ts::is(target, "attribute"))
      assignAttribute(target, value, false);
    // `data["name"] = name`: the dict now carries what it was given.
    if (ts::is(target, "subscript"))
      if (Node container = ts::field(target, "value");
          ts::is(container, "identifier"))
        if (Value *held = lookup(source_.str(container)))
          held->absorb(value);
  }

  /// `row.attr = v`: an edit the session flushes as an update of that row.
  void assignAttribute(Node target, Value value, bool compound) {
    Node objectNode = ts::field(target, "object");
    std::string property = source_.str(ts::field(target, "attribute"));
    if (!ts::is(objectNode, "identifier"))
      return;
    std::string name = source_.str(objectNode);
    Value *object = lookup(name);
    if (!object)
      return;
    if (compound) {
      value.absorb(*object);
      value.arithmetic = !value.reads.empty();
    }
    edits_[entityKey(name)].push_back(EntityEdit{property, value});
    lastEdit_ = target;
  }

  /// Attribute edits of an instance as the columns a write sets, with where
  /// their values came from.
  void applyEdits(const std::vector<EntityEdit> &edits, Event &write) {
    std::set<unsigned> parameters(write.valueParameters.begin(),
                                  write.valueParameters.end());
    for (const EntityEdit &edit : edits) {
      markUsed(edit.value);
      write.valuesFromRequest |= edit.value.fromRequest;
      parameters.insert(edit.value.parameters.begin(),
                        edit.value.parameters.end());
      for (EventIndex source : edit.value.reads)
        if (std::find(write.valueFrom.begin(), write.valueFrom.end(), source) ==
            write.valueFrom.end())
          write.valueFrom.push_back(source);
      write.setColumns.push_back({edit.property, false, edit.value.arithmetic});
    }
    write.valueParameters.assign(parameters.begin(), parameters.end());
  }

  /// An update of the row the read `load` loaded, by its primary key.
  Event updateOfLoadedRow(EventIndex load) {
    const Event &read = unit_.events[load];
    Event update;
    update.kind = EventKind::Update;
    update.table = read.table;
    update.tableRef = read.tableRef;
    update.keyColumns = read.keyColumns;
    update.keyValues = read.keyValues;
    addUnique(update.keyColumns, "id");
    update.predicateColumns = {"id"};
    return update;
  }

  /// The parameter whose row a variable holds: an entity the caller loaded
  /// and passed in (not the receiver, not a new instance).
  std::optional<unsigned> parameterRow(const std::string &name) {
    const Value *value = lookup(name);
    if (!value || value->parameters.size() != 1 ||
        *value->parameters.begin() >= unit_.parameterNames.size() ||
        unit_.parameterNames[*value->parameters.begin()] != name ||
        value->loadedBy || !value->createdColumns.empty() ||
        (value->role != Role::Plain && value->role != Role::EntityInstance))
      return std::nullopt;
    unsigned parameter = *value->parameters.begin();
    if (parameter == 0 && unit_.bindsFirstParameter &&
        !context_.modelClasses.count(className_))
      return std::nullopt; // a service's `self` is no row
    return parameter;
  }

  /// An update of the row the caller passes in `parameter`, with `edits`:
  /// linking the call names the row by the caller's read.
  void emitParameterRowUpdate(unsigned parameter,
                              const std::vector<EntityEdit> &edits, Node at) {
    Event update;
    update.kind = EventKind::Update;
    update.rowParameter = parameter;
    if (parameter == 0 && context_.modelClasses.count(className_)) {
      // The model's own row: its table is known here already.
      update.table = lowering::snakeCase(className_);
      update.tableRef = kModelRefPrefix + className_;
      update.keyColumns = {"id"};
      update.predicateColumns = {"id"};
    }
    update.incrementsDeclaredVersion = true;
    update.testsDeclaredVersion = true;
    update.resultChecked = true;
    applyEdits(edits, update);
    ensureTransaction(at);
    emit(std::move(update), at);
  }

  /// The session's unit of work: each loaded row with edits becomes an
  /// update keyed by what loaded it. The ORM tests and bumps a declared
  /// version_id_col itself.
  void flushEdits(Node at, bool includeParameters = true) {
    if (ts::isNull(at))
      return;
    for (auto it = edits_.begin(); it != edits_.end();) {
      const std::string &key = it->first;
      if (key.empty() || key.front() != '#') {
        if (auto parameter =
                includeParameters ? parameterRow(key) : std::nullopt) {
          emitParameterRowUpdate(*parameter, it->second, at);
          it = edits_.erase(it);
          continue;
        }
        ++it;
        continue;
      }
      EventIndex load = std::stoul(key.substr(1));
      Event update = updateOfLoadedRow(load);
      update.incrementsDeclaredVersion = true;
      update.testsDeclaredVersion = true;
      // A flush that matches no row raises StaleDataError.
      update.resultChecked = true;
      // The version the flush compares is the one this request loaded.
      update.predicateValueFrom.emplace_back("", load);
      applyEdits(it->second, update);
      ensureTransaction(at);
      emit(std::move(update), at);
      it = edits_.erase(it);
    }
  }

  // ---- expressions ---------------------------------------------------------

  Value identifier(Node node) {
    std::string name = source_.str(node);
    if (Value *value = lookup(name)) {
      if (value->sourceColumn && conditionDepth_ > 0)
        addTestedColumn(value->sourceColumn->first,
                        value->sourceColumn->second);
      return *value;
    }
    if (auto it = context_.moduleValues.find(name);
        it != context_.moduleValues.end())
      return it->second;
    Value unknown;
    if (const PaymentProvider *provider =
            context_.models.effects.pythonProvider(name);
        provider && provider->python.modules.count(name)) {
      unknown.role = Role::PaymentClient;
      unknown.name = provider->provider;
    } else if (python_.sessionNames.count(name)) {
      unknown.role = Role::Session;
    } else if (python_.flaskRequestNames.count(name)) {
      unknown.role = Role::Request;
      unknown.origin = requestOrigin(name); // one request per handler
    } else if (python_.extensionNames.count(name)) {
      unknown.role = Role::Plain;
      unknown.name = "extension";
    } else if (isCapitalized(name)) {
      unknown.role = Role::EntityClass;
      unknown.name = name;
    }
    return unknown;
  }

  Value attribute(Node node) {
    Node objectNode = ts::field(node, "object");
    std::string property = source_.str(ts::field(node, "attribute"));
    if (const Value *handle = receiverHandle(node))
      return *handle;
    if (ts::is(objectNode, "identifier") && source_.str(objectNode) == "self") {
      Value member;
      member.receiverAttribute = property;
      return member;
    }
    Value object = expression(objectNode);
    noteTestedColumn(object, property);
    if (object.name == "extension" && property == "session") {
      Value session;
      session.role = Role::Session;
      return session;
    }
    if (object.role == Role::EntityClass && property == "query") {
      Value query = newQuery(object.name);
      return query;
    }
    if (object.role == Role::EntityClass &&
        python_.django.managers.count(property)) {
      Value query = newQuery(object.name); // Order.objects
      query.orm->django = true;
      return query;
    }
    if (object.role == Role::PaymentClient) {
      Value resource = object;
      const PaymentProvider *provider =
          context_.models.effects.provider(object.name);
      if (!provider->python.namespaces.count(property))
        resource.path =
            object.path.empty() ? property : object.path + "." + property;
      return resource;
    }
    if (object.role == Role::WebhookEvent)
      return webhookEventMember(object, property);
    if (object.role == Role::Request) {
      Value result;
      if (property == "headers") {
        result.role = Role::RequestHeaders;
      } else if (property == "META") {
        result.role = Role::RequestHeaders; // Django: HTTP_IDEMPOTENCY_KEY
        result.path = python_.django.metaHeaderPrefix;
      } else if (python_.flaskBodyMembers.count(property) ||
                 python_.django.bodyMembers.count(property)) {
        result.fromRequest = true;
      }
      result.origin = lowering::memberOrigin(object, property);
      return result;
    }
    Value result;
    result.absorb(object);
    result.origin = lowering::memberOrigin(object, property);
    return result;
  }

  /// `event.id`, `event["id"]`: the provider's event id.
  Value webhookEventMember(const Value &event, const std::string &member) {
    Value result;
    const PaymentProvider *provider =
        context_.models.effects.provider(event.name);
    result.eventId = provider && member == provider->eventId;
    return result;
  }

  /// A call of a payment provider's Python library: an effect (with its
  /// idempotency key or not), or the webhook signature check.
  Value paymentCall(const Value &client, const std::string &method,
                    const Arguments &args, Node at) {
    const PaymentProvider *provider =
        context_.models.effects.provider(client.name);
    const PythonPaymentApi &api = provider->python;
    std::string path =
        client.path.empty() ? method : client.path + "." + method;
    if (api.constructors.count(method)) {
      Value constructed = client;
      constructed.path.clear();
      evaluateArguments(args);
      return constructed;
    }
    if (api.webhookVerifiers.count(path)) {
      evaluateArguments(args);
      return verifiedWebhookEvent(*provider, at);
    }
    if (!api.calls.count(path))
      return evaluateArguments(args);
    Event effect;
    effect.kind = EventKind::ExternalEffect;
    effect.effectKind = "payment";
    effect.detail = provider->provider + "." + path;
    auto takeKey = [&](Node keyNode) {
      Value key = expression(keyNode);
      markUsed(key);
      effect.idempotencyKeyPassed = !key.random;
      effect.idempotencyKeyRandom = key.random;
    };
    for (Node argument : args.positional)
      expression(argument);
    for (const auto &[name, argument] : args.keywords) {
      if (name == api.idempotencyOption) {
        takeKey(argument);
      } else if (name == api.optionsArgument &&
                 ts::is(argument, "dictionary")) {
        for (Node pair : ts::namedChildren(argument)) {
          auto key = stringOf(source_, ts::field(pair, "key"));
          if (key && *key == api.idempotencyOption)
            takeKey(ts::field(pair, "value"));
          else
            expression(ts::field(pair, "value"));
        }
      } else {
        expression(argument);
      }
    }
    emit(std::move(effect), at);
    return {};
  }

  /// A header's name as HTTP spells it: Django's `request.META` says
  /// `HTTP_IDEMPOTENCY_KEY` for `Idempotency-Key`.
  std::string headerName(const Value &headers, std::string name) {
    if (!headers.path.empty() && name.starts_with(headers.path)) {
      name = name.substr(headers.path.size());
      std::replace(name.begin(), name.end(), '_', '-');
    }
    return lowering::lower(name);
  }

  bool isSelf(Node node) const {
    return ts::is(node, "identifier") && source_.str(node) == "self" &&
           unit_.bindsFirstParameter;
  }

  /// The library handles the class's constructor stores in `self` from its
  /// parameters (`def __init__(self, db: Session): self.db = db`): what
  /// `self.db` is in every method. Project classes are the index's to
  /// resolve, through the calls made on them.
  void bindConstructorHandles(Node function) {
    Node body = ts::parent(function);
    if (ts::is(body, "decorated_definition"))
      body = ts::parent(body);
    if (!ts::is(body, "block") || !ts::is(ts::parent(body), "class_definition"))
      return;
    for (Node member : ts::namedChildren(body)) {
      Node constructor = ts::is(member, "decorated_definition")
                             ? ts::field(member, "definition")
                             : member;
      if (!ts::is(constructor, "function_definition") ||
          source_.str(ts::field(constructor, "name")) != "__init__")
        continue;
      std::map<std::string, Value> parameters;
      for (Node parameter :
           ts::namedChildren(ts::field(constructor, "parameters"))) {
        Node name = parameterName(parameter);
        if (!ts::is(name, "identifier"))
          continue;
        Value value =
            valueOfParameter(source_.str(name), ts::field(parameter, "type"));
        if (value.role != Role::Plain)
          parameters[source_.str(name)] = value;
      }
      for (Node statement : ts::namedChildren(ts::field(constructor, "body"))) {
        Node assignment = ts::is(statement, "expression_statement") &&
                                  !ts::namedChildren(statement).empty()
                              ? ts::namedChildren(statement).front()
                              : Node{};
        if (!ts::is(assignment, "assignment"))
          continue;
        Node left = ts::field(assignment, "left");
        Node right = ts::field(assignment, "right");
        if (!ts::is(left, "attribute") || !ts::is(right, "identifier") ||
            source_.str(ts::field(left, "object")) != "self")
          continue;
        if (auto it = parameters.find(source_.str(right));
            it != parameters.end())
          receiverHandles_[source_.str(ts::field(left, "attribute"))] =
              it->second;
      }
    }
  }

  /// `self.attribute` when the constructor stored a library handle in it.
  const Value *receiverHandle(Node node) const {
    if (!ts::is(node, "attribute") || !isSelf(ts::field(node, "object")))
      return nullptr;
    auto it = receiverHandles_.find(source_.str(ts::field(node, "attribute")));
    return it == receiverHandles_.end() ? nullptr : &it->second;
  }

  /// A dotted name (`a`, `a.b`) whose root no local name binds: it names
  /// something of the module's scope (an import, a class, an instance).
  bool isModuleScopeName(Node node) {
    while (ts::is(node, "attribute")) {
      if (!ts::is(ts::field(node, "attribute"), "identifier"))
        return false;
      node = ts::field(node, "object");
    }
    return ts::is(node, "identifier") && source_.str(node) != "self" &&
           !lookup(source_.str(node)) &&
           !context_.moduleValues.count(source_.str(node));
  }

  /// A call of the project's own code, by the name written at the call: the
  /// engine resolves it through the imports and classes.
  Value callProjectCode(const std::string &callee, const Arguments &args,
                        Node at, const Value *receiver = nullptr) {
    std::vector<Value> values;
    std::vector<std::string> keywords;
    if (receiver) {
      values.push_back(*receiver);
      keywords.emplace_back();
    }
    for (Node argument : args.positional) {
      values.push_back(expression(argument));
      keywords.emplace_back();
    }
    for (const auto &[key, argument] : args.keywords) {
      values.push_back(expression(argument));
      keywords.push_back(key);
    }
    Value result = callUnitWith(callee, at, values, keywords);
    if (receiver)
      unit_.events[*result.loadedBy].arguments.front().receiver = true;
    return result;
  }

  void describeEntityClass(const Value &value,
                           CallArgument &argument) const override {
    argument.entityTable = lowering::snakeCase(value.name);
    argument.entityTableRef = kModelRefPrefix + value.name;
  }

  /// The query of `db.query(model)`, `select(model)`, `db.get(model, id)`:
  /// a model class, or one the caller passes (a parameter, or what the
  /// receiver holds) when the code is a generic helper.
  Value modelQuery(Node model) {
    Value value = expression(model);
    Value query = newQuery(
        value.receiverAttribute.empty() &&
                (value.parameters.size() != 1 || value.role != Role::Plain)
            ? source_.str(model)
            : "");
    if (!value.receiverAttribute.empty())
      query.orm->tableAttribute = value.receiverAttribute;
    else if (value.parameters.size() == 1 && value.role == Role::Plain)
      query.orm->tableParameter = *value.parameters.begin();
    return query;
  }

  Value newQuery(const std::string &model) {
    Value query;
    query.role = Role::OrmQuery;
    query.orm = std::make_shared<OrmQueryState>();
    query.orm->model = model;
    return query;
  }

  Value call(Node node);
  Value sessionCall(const std::string &method, const Arguments &args, Node at);
  Value queryCall(const Value &receiver, const std::string &method,
                  const Arguments &args, Node at);
  Value runQuery(const OrmQueryState &query, Node at,
                 const std::string &resultKind);
  /// Django: `Order.objects.filter(...)` and friends.
  Value djangoQueryCall(const Value &receiver, const std::string &method,
                        const Arguments &args, Node at);
  Value getOrCreate(OrmQueryState query, bool updates, const Arguments &args,
                    Node at);
  /// Django field lookups (`status="paid"`, `stock__gt=0`) and Q objects.
  void lookups(const Arguments &args, OrmQueryState &query, bool equality);
  /// Django's `instance.save()`: an update of the row it was loaded from,
  /// or an insert of a new one.
  Value saveInstance(Node objectNode, const Value &instance,
                     const Arguments &args, Node at);
  Value rawSql(const Value &text, const Arguments &args, Node at);
  /// `M.col == v`, `and_(...)`, filter_by(col=v): into the query's
  /// predicate.
  void filter(Node condition, OrmQueryState &query);
  /// `{"count": M.count + 1}`, `values(count=...)`: the columns written.
  void assignments(const Arguments &args, OrmQueryState &query);
  Value evaluateArguments(const Arguments &args) {
    Value value;
    for (Node argument : args.positional)
      value.absorb(expression(argument));
    for (const auto &[name, argument] : args.keywords)
      value.absorb(expression(argument));
    return value;
  }

  /// `session.connection(execution_options={"isolation_level":
  /// "AUTOCOMMIT"})`: every statement commits on its own from here on.
  bool autocommit_ = false;
  const PyContext &context_;
  const PythonModel &python_;
  std::string className_;
  Node lastEdit_{};
  std::map<std::string, Value> receiverHandles_;
};

Value PyLowerer::expression(Node node) {
  std::string_view kind = ts::type(node);
  if (ts::isNull(node) || kind == "comment")
    return {};
  if (kind == "identifier")
    return identifier(node);
  if (kind == "attribute")
    return attribute(node);
  if (kind == "call")
    return call(node);
  if (kind == "await" || kind == "parenthesized_expression") {
    Value value;
    for (Node child : ts::namedChildren(node))
      value = expression(child);
    return value;
  }
  if (kind == "assignment") {
    Value value = expression(ts::field(node, "right"));
    bind(ts::field(node, "left"), value);
    return value;
  }
  if (kind == "augmented_assignment") {
    Node left = ts::field(node, "left");
    Value value = expression(ts::field(node, "right"));
    if (ts::is(left, "attribute"))
      assignAttribute(left, value, true);
    else if (ts::is(left, "identifier"))
      if (Value *existing = lookup(source_.str(left))) {
        value.absorb(*existing);
        value.arithmetic = !value.reads.empty();
        *existing = value;
      }
    return value;
  }
  if (kind == "boolean_operator") {
    // `row or create(...)`, `row and row.ok`: the right side runs on one
    // outcome of the left.
    Value test = condition(ts::field(node, "left"));
    std::size_t saved = guards_.size();
    pushGuards(test.reads);
    Value result = expression(ts::field(node, "right"));
    guards_.resize(saved);
    result.absorb(test);
    result.role = Role::Plain;
    return result;
  }
  if (kind == "conditional_expression") {
    std::vector<Node> parts = ts::namedChildren(node);
    if (parts.size() == 3) {
      Value test = condition(parts[1]);
      std::size_t saved = guards_.size();
      pushGuards(test.reads);
      Value result = expression(parts[0]);
      result.absorb(expression(parts[2]));
      guards_.resize(saved);
      result.absorb(test);
      return result;
    }
  }
  if (kind == "not_operator") {
    Value value = condition(ts::field(node, "argument"));
    value.role = Role::Plain;
    return value;
  }
  if (kind == "binary_operator") {
    Value result = expression(ts::field(node, "left"));
    result.absorb(expression(ts::field(node, "right")));
    result.role = Role::Plain;
    result.arithmetic = !result.reads.empty();
    return result;
  }
  if (kind == "subscript") {
    Value object = expression(ts::field(node, "value"));
    if (object.role == Role::WebhookEvent)
      if (auto name = stringOf(source_, ts::field(node, "subscript")))
        return webhookEventMember(object, *name);
    if (object.role == Role::RequestHeaders)
      if (auto name = stringOf(source_, ts::field(node, "subscript"))) {
        Event read;
        read.kind = EventKind::HeaderRead;
        read.detail = headerName(object, *name);
        Value value;
        value.headers.insert(emit(std::move(read), node));
        return value;
      }
    Value result;
    result.absorb(object);
    for (Node index : ts::fieldChildren(node, "subscript"))
      result.absorb(expression(index));
    if (auto key = stringOf(source_, ts::field(node, "subscript")))
      result.origin = lowering::memberOrigin(object, *key);
    // `rows[0]`, `rows[-1]`: one of the rows a read loaded.
    Node index = ts::field(node, "subscript");
    if (object.loadedBy &&
        (ts::is(index, "integer") ||
         (ts::is(index, "unary_operator") &&
          ts::is(ts::field(index, "argument"), "integer")))) {
      result.role = Role::EntityInstance;
      result.loadedBy = object.loadedBy;
    }
    return result;
  }
  if (kind == "lambda" || kind == "function_definition")
    return {};
  if (kind == "integer" || (kind == "string" && stringOf(source_, node))) {
    Value literal;
    literal.origin = literalOrigin(kind == "string" ? *stringOf(source_, node)
                                                    : source_.str(node));
    return literal;
  }
  Value value;
  for (Node child : ts::namedChildren(node))
    value.absorb(
        expression(ts::is(child, "pair") ? ts::field(child, "value") : child));
  return value;
}

Value PyLowerer::call(Node node) {
  if (ts::hasErrorOutsideFunctions(ts::field(node, "arguments"), true))
    return {};
  Node function = ts::field(node, "function");
  Arguments args = argumentsOf(source_, node);
  if (ts::is(function, "identifier")) {
    std::string name = source_.str(function);
    if (auto statement = python_.statements.find(name);
        statement != python_.statements.end() && !lookup(name)) {
      Value query = args.positional.empty()
                        ? newQuery("")
                        : modelQuery(args.positional.front());
      query.orm->operation = statement->second == "update"   ? Operation::Update
                             : statement->second == "delete" ? Operation::Delete
                             : statement->second == "insert"
                                 ? Operation::Insert
                                 : Operation::Select;
      return query;
    }
    if (python_.conversions.count(name) && !lookup(name) &&
        args.positional.size() == 1 && args.keywords.empty())
      return expression(args.positional.front()); // str(x) carries what x does
    if (context_.models.effects.randomGenerators.count(name)) {
      evaluateArguments(args);
      Value fresh;
      fresh.random = true;
      return fresh;
    }
    if (const PaymentProvider *provider =
            context_.models.effects.pythonProvider(name);
        provider && provider->python.constructors.count(name)) {
      evaluateArguments(args);
      Value client;
      client.role = Role::PaymentClient;
      client.name = provider->provider;
      return client;
    }
    if (name == "text" && !args.positional.empty())
      if (auto sql = stringOf(source_, args.positional.front())) {
        Value text;
        text.role = Role::SqlText;
        text.path = *sql;
        return text;
      }
    const Value *bound = lookup(name);
    if ((isCapitalized(name) && !bound) ||
        (bound && bound->role == Role::EntityClass)) {
      // `User(email=...)`, `cls(...)` in a model's classmethod: a new row,
      // inserted when added to the session.
      Value instance;
      for (Node argument : args.positional)
        instance.absorb(expression(argument));
      for (const auto &[key, argument] : args.keywords) {
        Value column = expression(argument);
        instance.createdColumns.push_back({key, false});
        if (column.eventId)
          instance.eventIdColumns.push_back(key);
        instance.absorb(column);
      }
      instance.eventId = false;
      instance.role = Role::EntityInstance;
      instance.name = bound ? bound->name : name;
      instance.parameters.clear();
      return instance;
    }
    if (name == "setattr" && !lookup(name) && args.positional.size() == 3 &&
        ts::is(args.positional[0], "identifier") &&
        lookup(source_.str(args.positional[0]))) {
      // `setattr(row, field, value)`, typically in a loop over a dict: an
      // edit of the row, of columns only the data names.
      Value value = expression(args.positional[2]);
      value.absorb(expression(args.positional[1]));
      edits_[entityKey(source_.str(args.positional[0]))].push_back(
          EntityEdit{"", value});
      lastEdit_ = node;
      return {};
    }
    return callProjectCode(name, args, node);
  }
  if (!ts::is(function, "attribute"))
    return evaluateArguments(args);
  Node objectNode = ts::field(function, "object");
  std::string method = source_.str(ts::field(function, "attribute"));
  if (isSelf(objectNode) ||
      (ts::is(objectNode, "attribute") &&
       isSelf(ts::field(objectNode, "object")) &&
       ts::is(ts::field(objectNode, "attribute"), "identifier") &&
       !receiverHandle(objectNode)))
    // `self.method(...)`, `self.repository.method(...)`: resolved through
    // the receiver's class and what its constructor stores.
    return callProjectCode(source_.str(function), args, node);
  if (context_.models.effects.randomGenerators.count(method)) {
    evaluateArguments(args); // uuid.uuid4(), secrets.token_hex()
    Value fresh;
    fresh.random = true;
    return fresh;
  }
  Value receiver = expression(objectNode);
  switch (receiver.role) {
  case Role::PaymentClient:
    return paymentCall(receiver, method, args, node);
  case Role::EntityInstance:
    if (method == "save")
      return saveInstance(objectNode, receiver, args, node);
    if (!receiver.name.empty() && ts::is(objectNode, "identifier")) {
      // `row.update_tokens(data)`: a method of the row's model class.
      return callProjectCode(receiver.name + "." + method, args, node,
                             &receiver);
    }
    break;
  case Role::Session:
    return sessionCall(method, args, node);
  case Role::Service: // `service.close(id)` of an injected OrderService
    return callProjectCode(receiver.name + "." + method, args, node, &receiver);
  case Role::Plain:
    if (receiver.name == "extension" && python_.primaryKeyGets.count(method))
      return sessionCall(method, args, node); // db.get_or_404(Model, id)
    break;
  case Role::OrmQuery:
    return queryCall(receiver, method, args, node);
  case Role::RequestHeaders:
    if (method == "get" && !args.positional.empty())
      if (auto name = stringOf(source_, args.positional.front())) {
        Event read;
        read.kind = EventKind::HeaderRead;
        read.detail = headerName(receiver, *name);
        Value value;
        value.headers.insert(emit(std::move(read), node));
        return value;
      }
    break;
  case Role::Request:
    if (python_.flaskBodyMethods.count(method)) {
      Value body = evaluateArguments(args);
      body.fromRequest = true;
      body.origin = lowering::memberOrigin(receiver, method + "()");
      return body;
    }
    break;
  default:
    break;
  }
  // Rows of an executed statement: `.scalars().first()`, `.scalar_one()`.
  if (receiver.loadedBy && receiver.role == Role::Plain) {
    auto run = python_.queryRuns.find(method);
    if (run != python_.queryRuns.end() && run->second == "row") {
      Value row = receiver;
      row.role = Role::EntityInstance;
      return row;
    }
    if (method == "scalars" || run != python_.queryRuns.end())
      return receiver;
  }
  if (isModuleScopeName(objectNode) &&
      ((receiver.role == Role::Plain && receiver.name.empty()) ||
       receiver.role == Role::EntityClass)) {
    // `crud.create_user(db, user)`, `portfolio_service.update(...)`,
    // `DatabaseUtils.update(...)`: a function of another module, a method
    // of a module-level instance or of a class.
    return callProjectCode(source_.str(function), args, node);
  }
  Value result = receiver;
  result.role = Role::Plain;
  result.orm.reset();
  result.origin.clear();
  // `data.get('id')`: the member of a dict.
  if (method == "get" && !args.positional.empty())
    if (auto key = stringOf(source_, args.positional.front()))
      result.origin = lowering::memberOrigin(receiver, *key);
  result.absorb(evaluateArguments(args));
  return result;
}

Value PyLowerer::sessionCall(const std::string &method, const Arguments &args,
                             Node at) {
  if (method == "query" && !args.positional.empty())
    return modelQuery(args.positional.front());
  if (python_.primaryKeyGets.count(method) && args.positional.size() >= 2) {
    OrmQueryState query = *modelQuery(args.positional[0]).orm;
    query.equal.emplace_back("id", args.positional[1]);
    if (!ts::isNull(args.keyword("with_for_update")))
      query.lock = RowLock::Update;
    return runQuery(query, at, "row");
  }
  if (python_.executes.count(method) && !args.positional.empty()) {
    Value statement = expression(args.positional.front());
    if (statement.role == Role::SqlText)
      return rawSql(statement, args, at);
    if (statement.role == Role::OrmQuery && statement.orm)
      return runQuery(*statement.orm, at, method == "scalar" ? "row" : "rows");
    return statement;
  }
  if (method == "add" || method == "merge") {
    for (Node argument : args.positional) {
      Value instance = expression(argument);
      if (instance.loadedBy)
        continue; // flushed as an update with its edits
      if (ts::is(argument, "identifier"))
        if (auto parameter = parameterRow(source_.str(argument))) {
          // A row the caller loaded, edited here or there: saved, not new.
          auto edits = edits_.find(source_.str(argument));
          emitParameterRowUpdate(
              *parameter,
              edits == edits_.end() ? std::vector<EntityEdit>{} : edits->second,
              argument);
          if (edits != edits_.end())
            edits_.erase(edits);
          continue;
        }
      Event event;
      event.kind = method == "merge" ? EventKind::Upsert : EventKind::Insert;
      event.table = lowering::snakeCase(instance.name);
      event.tableRef = kModelRefPrefix + instance.name;
      if (method == "merge")
        event.keyColumns = {"id"};
      event.setColumns = instance.createdColumns;
      event.eventIdColumns = instance.eventIdColumns;
      std::string key = ts::is(argument, "identifier")
                            ? entityKey(source_.str(argument))
                            : "";
      if (auto edits = edits_.find(key); edits != edits_.end()) {
        for (const EntityEdit &edit : edits->second)
          event.setColumns.push_back({edit.property, false});
        edits_.erase(edits);
      }
      for (EventIndex read : instance.reads)
        event.valueFrom.push_back(read);
      event.valuesFromRequest = instance.fromRequest;
      event.valueParameters.assign(instance.parameters.begin(),
                                   instance.parameters.end());
      markUsed(instance);
      ensureTransaction(at);
      emit(std::move(event), at);
    }
    return {};
  }
  if (method == "delete" && !args.positional.empty()) {
    Value instance = expression(args.positional.front());
    Event event;
    event.kind = EventKind::Delete;
    if (instance.loadedBy) {
      const Event &load = unit_.events[*instance.loadedBy];
      event.table = load.table;
      event.tableRef = load.tableRef;
      event.keyColumns = load.keyColumns;
      event.keyValues = load.keyValues;
    }
    addUnique(event.keyColumns, "id");
    event.predicateColumns = {"id"};
    ensureTransaction(at);
    emit(std::move(event), at);
    return {};
  }
  if (method == "connection") {
    // `execution_options={"isolation_level": "SERIALIZABLE"}` sets the
    // level of the session's transaction; "AUTOCOMMIT" ends transactions.
    for (Node pair : ts::namedChildren(args.keyword("execution_options")))
      if (stringOf(source_, ts::field(pair, "key")) == "isolation_level")
        if (auto level = stringOf(source_, ts::field(pair, "value"))) {
          if (lowering::lower(*level) == "autocommit") {
            closeTransaction(at);
            autocommit_ = true;
          } else if (auto isolation = isolationFromName(*level)) {
            ensureTransaction(at);
            if (tx_)
              unit_.events[*tx_].isolation = *isolation;
          }
        }
    return {};
  }
  if (method == "commit" || method == "flush") {
    flushEdits(at);
    if (method == "commit")
      closeTransaction(at);
    return {};
  }
  if (method == "rollback") {
    edits_.clear();
    closeTransaction(at);
    return {};
  }
  return evaluateArguments(args);
}

void PyLowerer::filter(Node condition, OrmQueryState &query) {
  if (ts::is(condition, "call")) {
    std::string name = source_.str(ts::field(condition, "function"));
    if (name == "and_" || name.ends_with(".and_")) {
      for (Node part : argumentsOf(source_, condition).positional)
        filter(part, query);
      return;
    }
  }
  if (ts::is(condition, "comparison_operator")) {
    std::vector<Node> operands = ts::namedChildren(condition);
    bool equality = false;
    for (uint32_t i = 0; i < ts::childCount(condition); ++i)
      equality |= ts::type(ts::child(condition, i)) == "==";
    if (operands.size() == 2 && ts::is(operands[0], "attribute")) {
      std::string column = source_.str(ts::field(operands[0], "attribute"));
      if (equality)
        query.equal.emplace_back(column, operands[1]);
      else
        addUnique(query.tested, column);
      return;
    }
  }
  // `M.col.in_(...)`, `M.col.is_(None)`, or_(...): columns tested.
  std::vector<Node> pending{condition};
  while (!pending.empty()) {
    Node node = pending.back();
    pending.pop_back();
    // `M.col` (not `M.col.is_`): a column of the model.
    if (ts::is(node, "attribute") &&
        ts::is(ts::field(node, "object"), "identifier") &&
        isCapitalized(source_.str(ts::field(node, "object"))))
      addUnique(query.tested, source_.str(ts::field(node, "attribute")));
    for (Node child : ts::namedChildren(node))
      pending.push_back(child);
  }
  expression(condition);
}

void PyLowerer::assignments(const Arguments &args, OrmQueryState &query) {
  for (const auto &[key, value] : args.keywords)
    query.values.emplace_back(key, value);
  for (Node argument : args.positional) {
    if (!ts::is(argument, "dictionary")) {
      query.valuesUnknown = true;
      continue;
    }
    for (Node pair : ts::namedChildren(argument)) {
      if (!ts::is(pair, "pair")) {
        query.valuesUnknown = true;
        continue;
      }
      Node key = ts::field(pair, "key");
      std::string column =
          stringOf(source_, key)
              .value_or(ts::is(key, "attribute")
                            ? source_.str(ts::field(key, "attribute"))
                            : "");
      if (!column.empty())
        query.values.emplace_back(column, ts::field(pair, "value"));
    }
  }
}

Value PyLowerer::queryCall(const Value &receiver, const std::string &method,
                           const Arguments &args, Node at) {
  if (receiver.orm->django)
    return djangoQueryCall(receiver, method, args, at);
  Value next = receiver;
  next.orm = std::make_shared<OrmQueryState>(*receiver.orm);
  OrmQueryState &query = *next.orm;
  if (method == "filter" || method == "where") {
    for (Node condition : args.positional)
      filter(condition, query);
  } else if (method == "filter_by") {
    for (const auto &[key, value] : args.keywords)
      query.equal.emplace_back(key, value);
  } else if (method == "with_for_update") {
    query.lock =
        ts::is(args.keyword("read"), "true") ? RowLock::Share : RowLock::Update;
  } else if (method == "values") {
    assignments(args, query);
  } else if (method == "on_conflict_do_nothing" ||
             method == "on_conflict_do_update") {
    (method == "on_conflict_do_nothing" ? query.onConflictDoNothing
                                        : query.onConflictDoUpdate) = true;
    if (Node elements = args.keyword("index_elements"); !ts::isNull(elements))
      for (Node item : ts::namedChildren(elements))
        query.conflictColumns.push_back(
            stringOf(source_, item)
                .value_or(ts::is(item, "attribute")
                              ? source_.str(ts::field(item, "attribute"))
                              : ""));
  } else if (method == "update" && query.operation == Operation::Select) {
    // query.update({...}): a bulk UPDATE, run at once.
    OrmQueryState bulk = query;
    bulk.operation = Operation::Update;
    assignments(args, bulk);
    return runQuery(bulk, at, "value");
  } else if (method == "delete" && query.operation == Operation::Select &&
             args.positional.empty()) {
    OrmQueryState bulk = query;
    bulk.operation = Operation::Delete;
    return runQuery(bulk, at, "value");
  } else if (auto run = python_.queryRuns.find(method);
             run != python_.queryRuns.end()) {
    return runQuery(query, at, run->second);
  } else if (python_.primaryKeyGets.count(method) &&
             args.positional.size() == 1) {
    query.equal.emplace_back("id", args.positional.front());
    return runQuery(query, at, "row");
  } else {
    evaluateArguments(args);
  }
  return next;
}

Value PyLowerer::runQuery(const OrmQueryState &query, Node at,
                          const std::string &resultKind) {
  Event event;
  event.kind = query.operation == Operation::Select   ? EventKind::Read
               : query.operation == Operation::Update ? EventKind::Update
               : query.operation == Operation::Delete ? EventKind::Delete
               : (query.onConflictDoNothing || query.onConflictDoUpdate)
                   ? EventKind::Upsert
                   : EventKind::Insert;
  if (!query.model.empty()) {
    event.table = lowering::snakeCase(query.model);
    event.tableRef = kModelRefPrefix + query.model;
  }
  event.tableParameter = query.tableParameter;
  event.tableAttribute = query.tableAttribute;
  event.lock = query.lock;
  addEqualities(query.equal, event);
  for (const std::string &column : query.tested)
    addUnique(event.predicateColumns, column);
  if (event.kind == EventKind::Upsert)
    event.keyColumns = query.conflictColumns;
  event.readsAllColumns = event.kind == EventKind::Read;
  Value carried;
  for (const auto &[column, valueNode] : query.values) {
    Value value = expression(valueNode);
    markUsed(value);
    // `M.count + 1`: computed by the database from the current row.
    bool atomic = false;
    std::vector<Node> pending{valueNode};
    while (!pending.empty()) {
      Node node = pending.back();
      pending.pop_back();
      if (ts::is(node, "attribute") &&
          source_.str(ts::field(node, "attribute")) == column &&
          isCapitalized(source_.str(ts::field(node, "object"))))
        atomic = true;
      // Django: `F("stock") - 1`.
      if (ts::is(node, "call") &&
          source_.str(ts::field(node, "function")) == "F") {
        Arguments reference = argumentsOf(source_, node);
        atomic |= !reference.positional.empty() &&
                  stringOf(source_, reference.positional.front()) == column;
      }
      for (Node child : ts::namedChildren(node))
        pending.push_back(child);
    }
    if (!atomic)
      carried.absorb(value);
    event.setColumns.push_back({column, atomic, !atomic && value.arithmetic});
  }
  for (EventIndex read : carried.reads)
    event.valueFrom.push_back(read);
  event.valuesFromRequest = carried.fromRequest;
  event.valueParameters.assign(carried.parameters.begin(),
                               carried.parameters.end());
  if (!query.django)
    ensureTransaction(at);
  return finishEvent(std::move(event), at, query.model, resultKind);
}

void PyLowerer::lookups(const Arguments &args, OrmQueryState &query,
                        bool equality) {
  for (const auto &[key, value] : args.keywords) {
    std::string field = key.substr(0, key.find("__"));
    std::string lookup = key.find("__") == std::string::npos
                             ? ""
                             : key.substr(key.find("__") + 2);
    if (equality &&
        (lookup.empty() || python_.django.equalityLookups.count(lookup)))
      query.equal.emplace_back(field, value);
    else
      addUnique(query.tested, field);
  }
  // Q(...) objects: the columns they test.
  for (Node condition : args.positional) {
    std::vector<Node> pending{condition};
    while (!pending.empty()) {
      Node node = pending.back();
      pending.pop_back();
      if (ts::is(node, "keyword_argument")) {
        std::string key = source_.str(ts::field(node, "name"));
        addUnique(query.tested, key.substr(0, key.find("__")));
      }
      for (Node child : ts::namedChildren(node))
        pending.push_back(child);
    }
    expression(condition);
  }
}

Value PyLowerer::djangoQueryCall(const Value &receiver,
                                 const std::string &method,
                                 const Arguments &args, Node at) {
  Value next = receiver;
  next.orm = std::make_shared<OrmQueryState>(*receiver.orm);
  OrmQueryState &query = *next.orm;
  auto run = python_.django.queryRuns.find(method);
  if (method == "filter") {
    lookups(args, query, true);
  } else if (method == "exclude") {
    lookups(args, query, false);
  } else if (method == "select_for_update") {
    query.lock = RowLock::Update;
  } else if (method == "create") {
    query.operation = Operation::Insert;
    assignments(args, query);
    Value created = runQuery(query, at, "value");
    created.role = Role::EntityInstance;
    created.name = query.model;
    return created;
  } else if (method == "update") {
    query.operation = Operation::Update;
    assignments(args, query);
    return runQuery(query, at, "value");
  } else if (method == "delete" && args.positional.empty()) {
    query.operation = Operation::Delete;
    return runQuery(query, at, "value");
  } else if (method == "get_or_create" || method == "update_or_create") {
    return getOrCreate(query, method == "update_or_create", args, at);
  } else if (run != python_.django.queryRuns.end()) {
    lookups(args, query, true); // get(pk=...), and filter-less runs
    return runQuery(query, at, run->second);
  } else {
    evaluateArguments(args);
  }
  return next;
}

/// Django's get_or_create: a get, then (on DoesNotExist) an insert in a
/// savepoint that catches IntegrityError and gets again. update_or_create
/// does the same with `select_for_update()` in a transaction, and updates
/// the row it found with `defaults`.
Value PyLowerer::getOrCreate(OrmQueryState query, bool updates,
                             const Arguments &args, Node at) {
  Arguments lookup, defaults;
  for (const auto &[key, value] : args.keywords)
    if (key == "defaults" || key == "create_defaults") {
      if (ts::is(value, "dictionary"))
        defaults.positional.push_back(value);
      else
        expression(value);
    } else {
      lookup.keywords.emplace_back(key, value);
    }
  bool opened = false;
  if (updates && !tx_) {
    openTransaction(at, /*implicit=*/false);
    opened = true;
  }
  lookups(lookup, query, true);
  if (updates)
    query.lock = RowLock::Update;
  Value found = runQuery(query, at, "row");
  std::size_t saved = guards_.size();
  pushGuards(found.reads);
  if (updates) {
    OrmQueryState update = query;
    update.operation = Operation::Update;
    update.lock = RowLock::None;
    assignments(defaults, update);
    runQuery(update, at, "value");
  }
  OrmQueryState insert = query;
  insert.operation = Operation::Insert;
  insert.lock = RowLock::None;
  for (const auto &[column, value] : query.equal)
    insert.values.emplace_back(column, value);
  assignments(defaults, insert);
  bool handled = uniqueHandled_;
  uniqueHandled_ = true; // the IntegrityError is caught and the row got
  runQuery(insert, at, "value");
  uniqueHandled_ = handled;
  guards_.resize(saved);
  if (opened)
    closeTransaction(at);
  Value result = found; // (obj, created)
  result.role = Role::Plain;
  return result;
}

Value PyLowerer::saveInstance(Node objectNode, const Value &instance,
                              const Arguments &args, Node at) {
  std::string key = ts::is(objectNode, "identifier")
                        ? entityKey(source_.str(objectNode))
                        : "";
  std::vector<EntityEdit> edits;
  if (auto found = edits_.find(key); found != edits_.end()) {
    edits = std::move(found->second);
    edits_.erase(found);
  }
  // save(update_fields=[...]) names the columns it writes.
  for (const std::string &column :
       stringList(source_, args.keyword("update_fields")))
    if (std::none_of(edits.begin(), edits.end(), [&](const EntityEdit &edit) {
          return edit.property == column;
        }))
      edits.push_back({column, {}});
  Event write;
  if (instance.loadedBy) {
    // save() that matches no row inserts one instead: nothing is checked.
    write = updateOfLoadedRow(*instance.loadedBy);
  } else if (!instance.name.empty() &&
             std::none_of(python_.django.notModelSuffixes.begin(),
                          python_.django.notModelSuffixes.end(),
                          [&](const std::string &suffix) {
                            return instance.name.ends_with(suffix);
                          })) {
    write.kind = EventKind::Insert;
    write.table = lowering::snakeCase(instance.name);
    write.tableRef = kModelRefPrefix + instance.name;
    write.setColumns = instance.createdColumns;
    write.eventIdColumns = instance.eventIdColumns;
    for (EventIndex read : instance.reads)
      write.valueFrom.push_back(read);
    write.valuesFromRequest = instance.fromRequest;
    write.valueParameters.assign(instance.parameters.begin(),
                                 instance.parameters.end());
    markUsed(instance);
  } else {
    return evaluateArguments(args);
  }
  applyEdits(edits, write);
  emit(std::move(write), at);
  return {};
}

Value PyLowerer::rawSql(const Value &text, const Arguments &args, Node at) {
  std::set<std::string> variables;
  std::string sql = lowering::placeholdersToVariables(text.path, variables);
  std::map<std::string, Value> parameterValues;
  if (args.positional.size() > 1 && ts::is(args.positional[1], "dictionary"))
    for (Node pair : ts::namedChildren(args.positional[1]))
      if (ts::is(pair, "pair"))
        if (auto key = stringOf(source_, ts::field(pair, "key")))
          parameterValues[lowering::namedVariable(*key)] =
              expression(ts::field(pair, "value"));
  ensureTransaction(at);
  return sqlEvents(sql, variables, parameterValues, {}, at);
}

} // namespace

void lowerPython(const PyContext &context, const std::string &className,
                 Node function, std::map<std::string, Value> parameters,
                 Unit &unit) {
  PyLowerer(context, className, unit).run(function, std::move(parameters));
}

} // namespace racelint::py
