#include "TsFrontend.h"

#include "TsInternal.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>

extern "C" const TSLanguage *tree_sitter_typescript();
extern "C" const TSLanguage *tree_sitter_tsx();
extern "C" const TSLanguage *tree_sitter_javascript();

namespace racelint {
namespace {

using namespace ts;

bool endsWith(const std::string &text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const TSLanguage *languageFor(const std::string &path) {
  if (endsWith(path, ".tsx"))
    return tree_sitter_tsx();
  if (endsWith(path, ".ts") || endsWith(path, ".mts") || endsWith(path, ".cts"))
    return tree_sitter_typescript();
  return tree_sitter_javascript();
}

/// Bundler output: enormous lines packed with statements, holding most of
/// the file. Analysing it finds nothing of the application's own and costs a
/// lot. A long line that is one string literal is not minified, nor is one
/// long line (a generated object literal) among thousands of ordinary ones.
bool looksMinified(const SourceFile &file) {
  const std::string &path = file.path();
  if (path.find(".min.") != std::string::npos)
    return true;
  constexpr std::size_t kLongLine = 5000;
  std::size_t packedBytes = 0;
  for (unsigned line = 1; line <= file.lineCount(); ++line) {
    std::string_view text = file.line(line);
    if (text.size() < kLongLine)
      continue;
    std::size_t statementEnds = std::count(text.begin(), text.end(), ';') +
                                std::count(text.begin(), text.end(), '}');
    if (statementEnds > text.size() / 100)
      packedBytes += text.size();
  }
  return packedBytes > file.text().size() / 2;
}

constexpr unsigned kMaxTreeDepth = 1000;

struct TreeDeleter {
  void operator()(TSTree *tree) const { ts_tree_delete(tree); }
};
struct ParserDeleter {
  void operator()(TSParser *parser) const { ts_parser_delete(parser); }
};

/// A byte of the text to parse instead of the file's, to get past the
/// pinned grammar's rejections of valid code. Same length, so every node's
/// bytes are still the file's.
struct Mend {
  uint32_t at;
  char with;
};

/// The mends one parse calls for:
/// - a bare `&` in JSX text (`<p>Terms & conditions</p>`): the grammar wants
///   `&amp;`, React and TypeScript do not. Found as an `&` or `&&` token that
///   starts an ERROR among JSX children or follows JSX text in one; blanked.
/// - a value named `unique`, `keyof`, `infer` or `abstract` right after `<`,
///   taken for a type operator: its first letter becomes `_`.
/// - a word that starts with `in` at the start of a line (`in_stock:` after
///   an interface member with no semicolon): the grammar's scanner takes it
///   for the `in` operator and ends nothing there. Found as the first token
///   on a new line after a syntax error; the whitespace before it becomes the
///   `;` automatic semicolon insertion would have put there.
std::vector<Mend> mendsFor(Node root, const std::string &text) {
  std::vector<Mend> mends;
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  // The cursor's ancestors: ts_node_parent() of a zero-width node (a MISSING
  // token) can answer a sibling.
  std::vector<Node> ancestors = {Node{}};
  Node previousSibling{};
  bool afterError = false;
  uint32_t previousEnd = 0;
  for (;;) {
    Node node = ts_tree_cursor_current_node(&cursor);
    Node parentNode = ancestors.back();
    if ((is(node, "&") || is(node, "&&")) && is(parentNode, "ERROR") &&
        (is(previousSibling, "jsx_text") ||
         (isNull(previousSibling) && is(ancestors.end()[-2], "jsx_element"))))
      for (uint32_t at = startByte(node); at < endByte(node); ++at)
        mends.push_back({at, ' '});
    // `i < unique.length`: after `<` the grammar takes a value named like a
    // type operator for a type argument, and fails; renamed, it is a value.
    if (is(parentNode, "ERROR") &&
        (isNull(previousSibling) || is(previousSibling, "<")) &&
        (is(node, "unique symbol") || is(node, "keyof") || is(node, "infer") ||
         is(node, "abstract")))
      mends.push_back({startByte(node), '_'});
    if ((is(node, "ERROR") && !isInertError(node, parentNode)) ||
        (isMissing(node) && !isBenignMissing(node, parentNode)))
      afterError = true;
    if (childCount(node) == 0 && startByte(node) < endByte(node)) {
      uint32_t start = startByte(node);
      std::string_view gap(text.data() + previousEnd, start - previousEnd);
      if (afterError && gap.find('\n') != std::string_view::npos) {
        std::string_view word(text.data() + start, endByte(node) - start);
        if (type(node).ends_with("identifier") && word.size() > 2 &&
            word.starts_with("in"))
          mends.push_back({start - 1, ';'});
        afterError = false;
      }
      previousEnd = endByte(node);
    }
    if (ts_tree_cursor_goto_first_child(&cursor)) {
      ancestors.push_back(node);
      previousSibling = Node{};
      continue;
    }
    for (;;) {
      Node finished = ts_tree_cursor_current_node(&cursor);
      if (ts_tree_cursor_goto_next_sibling(&cursor)) {
        previousSibling = finished;
        break;
      }
      if (!ts_tree_cursor_goto_parent(&cursor)) {
        ts_tree_cursor_delete(&cursor);
        return mends;
      }
      ancestors.pop_back();
    }
  }
}

std::string joinRoute(std::string prefix, std::string path) {
  auto trim = [](std::string text) {
    while (!text.empty() && text.front() == '/')
      text.erase(text.begin());
    while (!text.empty() && text.back() == '/')
      text.pop_back();
    return text;
  };
  prefix = trim(prefix);
  path = trim(path);
  std::string route = "/" + prefix;
  if (!path.empty())
    route += (prefix.empty() ? "" : "/") + path;
  return route;
}

/// Everything a file-level walk shares.
class FileWalker {
public:
  FileWalker(FileContext &context, FileAnalysis &analysis)
      : context_(context), source_(context.source), models_(context.models),
        analysis_(analysis) {}

  void walk(Node root, const std::vector<Node> &calls) {
    classifyNextFile(root);
    for (Node item : namedChildren(root)) {
      Node declaration =
          is(item, "export_statement") ? field(item, "declaration") : item;
      std::vector<Node> decorators = fieldChildren(item, "decorator");
      for (Node decorator : fieldChildren(declaration, "decorator"))
        decorators.push_back(decorator);
      if ((is(declaration, "class_declaration") ||
           is(declaration, "abstract_class_declaration")) &&
          !declaresEntity(decorators))
        context_.serviceClasses.insert(source_.str(field(declaration, "name")));
    }
    for (Node call : calls)
      expressCall(call);
    for (Node item : namedChildren(root))
      topLevel(item, {}, Export::None);
  }

private:
  struct ExpressRoute {
    HttpFacts facts;
    Node handler{};
  };

  enum class Export { None, Named, Default };

  // ---- Next.js -------------------------------------------------------------

  /// An App Router route file (`app/**/route.ts`), a Pages Router API file
  /// (`pages/api/**`), or a file of server actions (`'use server'` first).
  void classifyNextFile(Node root) {
    std::string path = source_.file().path();
    std::vector<std::string> segments;
    for (std::size_t at = 0; at <= path.size();) {
      std::size_t slash = path.find('/', at);
      if (slash == std::string::npos)
        slash = path.size();
      segments.push_back(path.substr(at, slash - at));
      at = slash + 1;
    }
    std::string file = segments.back().substr(0, segments.back().find('.'));
    auto app = std::find(segments.begin(), segments.end(), "app");
    if (file == models_.http.nextRouteFile && app != segments.end()) {
      nextFile_ = NextFile::AppRoute;
      for (auto it = app + 1; it + 1 < segments.end(); ++it)
        if (!it->starts_with("(") && !it->starts_with("@"))
          nextRoute_ += "/" + *it;
    }
    const std::string &pages = models_.http.nextPagesApiDir;
    if (std::size_t at = path.find(pages + "/");
        at != std::string::npos && (at == 0 || path[at - 1] == '/')) {
      nextFile_ = NextFile::PagesApi;
      // The route starts at the last directory of pages_api_dir ("api/").
      std::size_t start =
          at + pages.size() - pages.substr(pages.rfind('/') + 1).size();
      std::string rest = path.substr(start);
      rest = rest.substr(0, rest.rfind('.'));
      if (rest.ends_with("/index"))
        rest.resize(rest.size() - 6);
      nextRoute_ = "/" + rest;
    }
    if (nextRoute_.empty() && nextFile_ != NextFile::None)
      nextRoute_ = "/";
    std::vector<Node> items = namedChildren(root);
    useServerFile_ = startsWithDirective(items);
    for (Node item : items)
      if (is(item, "export_statement"))
        if (Node value = field(item, "value"); is(value, "identifier"))
          defaultExport_ = source_.str(value);
  }

  /// The statements start with the server-action directive.
  bool startsWithDirective(const std::vector<Node> &statements) {
    for (Node statement : statements) {
      if (is(statement, "comment"))
        continue;
      std::vector<Node> parts = namedChildren(statement);
      return is(statement, "expression_statement") && parts.size() == 1 &&
             source_.stringValue(parts.front()) ==
                 models_.http.nextServerActionDirective;
    }
    return false;
  }

  /// The HTTP facts Next.js gives a function of this file, if any; sets
  /// whether its first parameter is the request, or all its parameters come
  /// from the request (a server action's arguments).
  std::optional<HttpFacts> nextHandler(const std::string &name, Node function,
                                       Export exported, bool &firstIsRequest,
                                       bool &allFromRequest) {
    HttpFacts facts;
    if (nextFile_ == NextFile::AppRoute && exported == Export::Named &&
        models_.http.nextRouteMethods.count(name)) {
      facts.method = name;
      facts.route = nextRoute_;
      firstIsRequest = true;
    } else if (nextFile_ == NextFile::PagesApi &&
               (exported == Export::Default || name == defaultExport_)) {
      facts.method = "ALL";
      facts.route = nextRoute_;
      firstIsRequest = true;
    } else if ((useServerFile_ && exported != Export::None) ||
               startsWithDirective(namedChildren(field(function, "body")))) {
      facts.method = "POST";
      facts.route = "server action " + name;
      allFromRequest = true;
    } else {
      return std::nullopt;
    }
    facts.webhook = models_.http.isWebhookRoute(facts.route);
    return facts;
  }

  void topLevel(Node node, std::vector<Node> decorators, Export exported) {
    if (is(node, "ERROR") ||
        (hasErrorOutsideFunctions(node) && !is(node, "class_declaration") &&
         !is(node, "export_statement")))
      return; // never a unit or an event from a tree the parser could not build
    if (is(node, "export_statement")) {
      for (Node decorator : fieldChildren(node, "decorator"))
        decorators.push_back(decorator);
      Export kind = Export::Named;
      for (uint32_t i = 0; i < childCount(node); ++i)
        if (is(child(node, i), "default"))
          kind = Export::Default;
      Node declaration = field(node, "declaration");
      if (!isNull(declaration))
        topLevel(declaration, decorators, kind);
      Node value = unwrapTypes(field(node, "value"));
      if (is(value, "arrow_function") || is(value, "function_expression") ||
          is(value, "function"))
        functionUnit("default", value, value, kind);
      return;
    }
    if (is(node, "class_declaration") || is(node, "class") ||
        is(node, "abstract_class_declaration")) {
      for (Node decorator : fieldChildren(node, "decorator"))
        decorators.push_back(decorator);
      classDeclaration(node, decorators);
      return;
    }
    if (is(node, "function_declaration") ||
        is(node, "generator_function_declaration")) {
      functionUnit(source_.str(field(node, "name")), node, field(node, "name"),
                   exported);
      return;
    }
    if (is(node, "lexical_declaration") || is(node, "variable_declaration")) {
      for (Node declarator : namedChildren(node)) {
        Node value = unwrapTypes(field(declarator, "value"));
        Node name = field(declarator, "name");
        if (is(value, "arrow_function") || is(value, "function_expression") ||
            is(value, "function"))
          functionUnit(source_.str(name), value, name, exported);
      }
    }
  }

  // ---- Express
  // ---------------------------------------------------------------

  void expressCall(Node call) {
    Node function = unwrapTypes(field(call, "function"));
    if (!is(function, "member_expression"))
      return;
    std::string method = source_.str(field(function, "property"));
    std::vector<Node> args = namedChildren(field(call, "arguments"));
    if (method == "use") {
      for (Node argument : args)
        if (models_.http.isIdempotencyMarker(source_.calleeName(argument)))
          fileIdempotency_ = true;
      return;
    }
    auto route = models_.http.expressRouteMethods.find(method);
    if (route == models_.http.expressRouteMethods.end() || args.size() < 2)
      return;
    auto path = source_.stringValue(args.front());
    if (!path || !path->starts_with("/"))
      return;
    ExpressRoute entry;
    entry.facts.method = route->second;
    entry.facts.route = *path;
    entry.facts.webhook = models_.http.isWebhookRoute(*path);
    for (std::size_t i = 1; i + 1 < args.size(); ++i)
      entry.facts.idempotencyMiddleware |=
          models_.http.isIdempotencyMarker(source_.calleeName(args[i]));
    entry.handler = unwrapTypes(args.back());
    routes_.push_back(entry);
  }

  // ---- functions
  // ---------------------------------------------------------------

  void functionUnit(const std::string &name, Node function, Node nameNode,
                    Export exported) {
    Unit unit;
    unit.kind = Unit::Kind::Function;
    unit.name = name;
    unit.qualifiedName = name;
    unit.declared = source_.where(nameNode);
    std::map<std::string, Value> parameters;
    bool firstIsRequest = false, allFromRequest = false;
    if (auto facts = nextHandler(name, function, exported, firstIsRequest,
                                 allFromRequest)) {
      unit.kind = Unit::Kind::RouteHandler;
      unit.http = *facts;
      if (nextFile_ == NextFile::AppRoute) { // named by its file, not called
        unit.name = facts->method + " " + facts->route;
        unit.qualifiedName.clear();
      }
      if (firstIsRequest)
        bindExpressRequest(function, parameters);
      for (Node parameter : namedChildren(field(function, "parameters"))) {
        Node pattern = field(parameter, "pattern");
        if (allFromRequest && is(pattern, "identifier"))
          parameters[source_.str(pattern)].fromRequest = true;
      }
    }
    for (const ExpressRoute &route : routes_)
      if (is(route.handler, "identifier") &&
          source_.str(route.handler) == name) {
        unit.kind = Unit::Kind::RouteHandler;
        unit.http = route.facts;
        bindExpressRequest(function, parameters);
      }
    Returned returned =
        lowerFunction(context_, nullptr, function, std::move(parameters), unit);
    HandleFact fact;
    fact.of = HandleFact::Of::CallResult;
    setHandle(fact, returned.value);
    // Or the framework handle its declared return type names
    // (`function getStripe(): Stripe`).
    if (Node type = field(function, "return_type");
        fact.handle.empty() && !isNull(type))
      if (Value declared = valueOfType(context_, type);
          declared.role != Role::Service)
        setHandle(fact, declared);
    if (!isNull(returned.expression))
      handleSource(source_, returned.expression, fact);
    if (!fact.handle.empty() || !fact.via.empty())
      analysis_.module.handles[name] = fact;
    finishUnit(unit);
  }

  void bindExpressRequest(Node function,
                          std::map<std::string, Value> &parameters) {
    std::vector<Node> list = namedChildren(field(function, "parameters"));
    if (list.empty())
      return;
    Node pattern = field(list.front(), "pattern");
    if (isNull(pattern))
      pattern = list.front();
    if (is(pattern, "identifier")) {
      Value request;
      request.role = Role::Request;
      parameters[source_.str(pattern)] = request;
    }
  }

  void inlineExpressHandlers() {
    for (const ExpressRoute &route : routes_) {
      Node handler = route.handler;
      if (!is(handler, "arrow_function") &&
          !is(handler, "function_expression") && !is(handler, "function"))
        continue;
      Unit unit;
      unit.kind = Unit::Kind::RouteHandler;
      unit.name = route.facts.method + " " + route.facts.route;
      unit.declared = source_.where(handler);
      unit.http = route.facts;
      std::map<std::string, Value> parameters;
      bindExpressRequest(handler, parameters);
      lowerFunction(context_, nullptr, handler, std::move(parameters), unit);
      finishUnit(unit);
    }
  }

public:
  void finish() { inlineExpressHandlers(); }

private:
  void finishUnit(Unit &unit) {
    if (unit.http)
      unit.http->idempotencyMiddleware |= fileIdempotency_;
    lowering::collectHeadersRead(unit);
    if (!unit.events.empty() || unit.http)
      analysis_.units.push_back(std::move(unit));
  }

  // ---- classes
  // -----------------------------------------------------------------

  std::vector<std::string> decoratorNames(const std::vector<Node> &decorators) {
    std::vector<std::string> names;
    for (Node decorator : decorators)
      for (Node child : namedChildren(decorator))
        names.push_back(source_.calleeName(child));
    return names;
  }

  /// The first argument list of a decorator (`@Post(':id')` -> [':id']).
  std::vector<Node> decoratorArguments(Node decorator) {
    for (Node child : namedChildren(decorator))
      if (is(child, "call_expression"))
        return namedChildren(field(child, "arguments"));
    return {};
  }

  bool marksIdempotency(Node decorator) {
    std::string name = source_.calleeName(namedChildren(decorator).empty()
                                              ? decorator
                                              : namedChildren(decorator)[0]);
    if (models_.http.isIdempotencyMarker(name))
      return true;
    if (!models_.http.wrapperDecorators.count(name))
      return false;
    for (Node argument : decoratorArguments(decorator))
      if (models_.http.isIdempotencyMarker(source_.calleeName(argument)))
        return true;
    return false;
  }

  /// A class with these decorators is a TypeORM entity (`@Entity()`).
  bool declaresEntity(const std::vector<Node> &decorators) {
    std::vector<std::string> names = decoratorNames(decorators);
    return std::any_of(names.begin(), names.end(), [&](const std::string &n) {
      return models_.typeorm.entityDecorators.count(n) > 0;
    });
  }

  void classDeclaration(Node node, const std::vector<Node> &decorators) {
    if (declaresEntity(decorators)) {
      declareEntity(context_, node, decorators, analysis_);
      return;
    }
    if (declareMigration(context_, node, analysis_))
      return;

    ClassContext owner;
    owner.name = source_.str(field(node, "name"));
    std::optional<std::string> controllerPrefix;
    bool classIdempotency = false;
    for (Node decorator : decorators) {
      std::string name = decoratorNames({decorator}).front();
      if (models_.http.controllerDecorators.count(name)) {
        controllerPrefix = "";
        std::vector<Node> args = decoratorArguments(decorator);
        if (!args.empty())
          controllerPrefix = source_.stringValue(args.front()).value_or("");
      }
      classIdempotency |= marksIdempotency(decorator);
    }

    Node body = field(node, "body");
    collectFields(body, owner);
    inherit(node, owner);
    forEachClassMember(
        body, [&](Node member, const std::vector<Node> &memberDecorators) {
          Node function{};
          if (is(member, "method_definition")) {
            function = member;
          } else if (is(member, "public_field_definition")) {
            Node value = unwrapTypes(field(member, "value"));
            if (is(value, "arrow_function") || is(value, "function_expression"))
              function = value;
          }
          if (isNull(function) || is(member, "ERROR") ||
              hasErrorOutsideFunctions(field(function, "parameters")))
            return;
          std::string methodName = source_.str(field(member, "name"));
          if (methodName != "constructor")
            methodUnit(owner, methodName, member, function, memberDecorators,
                       controllerPrefix, classIdempotency);
        });
  }

  /// What the class's instances are, from its `extends` clause, and the
  /// handle other files' `new X()` and `x: X` get.
  void inherit(Node node, ClassContext &owner) {
    forEachClassMember(field(node, "body"),
                       [&](Node member, const std::vector<Node> &) {
                         if (Node name = field(member, "name"); !isNull(name))
                           owner.methods.insert(source_.str(name));
                       });
    owner.instance.role = Role::Service;
    owner.instance.name = owner.name;
    HandleFact fact;
    fact.of = HandleFact::Of::Instance;
    for (Node heritage : namedChildren(node)) {
      if (!is(heritage, "class_heritage"))
        continue;
      for (Node clause : namedChildren(heritage)) {
        Node base = unwrapTypes(field(clause, "value"));
        if (!is(clause, "extends_clause") || !is(base, "identifier"))
          continue;
        Value inherited = valueOfNamedType(context_, source_.str(base),
                                           field(clause, "type_arguments"));
        if (inherited.role != Role::Service && !handleOf(inherited).empty()) {
          owner.instance = inherited;
          owner.instance.className = owner.name;
        } else { // a class of the project, maybe imported: its instances'
          fact.via = source_.str(base);
          fact.viaOf = HandleFact::Of::Instance;
        }
      }
    }
    setHandle(fact, owner.instance);
    if (!owner.name.empty())
      analysis_.module.handles[owner.name] = fact;
  }

  /// `this.x` values: constructor parameter properties and typed fields.
  void collectFields(Node body, ClassContext &owner) {
    forEachClassMember(
        body, [&](Node member, const std::vector<Node> &decorators) {
          if (is(member, "method_definition") &&
              source_.str(field(member, "name")) == "constructor") {
            for (Node parameter : namedChildren(field(member, "parameters"))) {
              bool property = false;
              for (Node child : namedChildren(parameter))
                property |= is(child, "accessibility_modifier") ||
                            source_.text(child) == "readonly";
              if (property)
                addField(owner, field(parameter, "pattern"),
                         field(parameter, "type"),
                         fieldChildren(parameter, "decorator"), Node{});
            }
          } else if (is(member, "public_field_definition")) {
            addField(owner, field(member, "name"), field(member, "type"),
                     decorators, field(member, "value"));
          }
        });
  }

  void addField(ClassContext &owner, Node name, Node type,
                const std::vector<Node> &decorators, Node initializer) {
    if (isNull(name))
      return;
    Value value = isNull(type) ? Value{} : valueOfType(context_, type);
    for (Node decorator : decorators)
      if (models_.typeorm.injectRepositoryDecorators.count(
              decoratorNames({decorator}).front())) {
        std::vector<Node> args = decoratorArguments(decorator);
        if (!args.empty()) {
          value.role = Role::Repository;
          value.name = source_.calleeName(args.front());
        }
      }
    Node init = unwrap(initializer);
    if (value.role == Role::Plain && is(init, "new_expression")) {
      std::string constructor = source_.calleeName(field(init, "constructor"));
      if (models_.prisma.clientTypes.count(constructor))
        value.role = Role::PrismaClient;
      else if (models_.typeorm.dataSourceTypes.count(constructor))
        value.role = Role::DataSource;
      else if (const PaymentProvider *provider =
                   models_.effects.providerConstructedBy(constructor)) {
        value.role = Role::PaymentClient;
        value.name = provider->provider;
      }
    }
    if (value.role == Role::Plain &&
        models_.prisma.clientNames.count(source_.str(name)))
      value.role = Role::PrismaClient;
    if (const PaymentProvider *provider =
            models_.effects.providerNamed(source_.str(name));
        value.role == Role::Plain && provider) {
      value.role = Role::PaymentClient;
      value.name = provider->provider;
    }
    owner.fields[source_.str(name)] = value;
  }

  void methodUnit(const ClassContext &owner, const std::string &name,
                  Node member, Node function,
                  const std::vector<Node> &decorators,
                  const std::optional<std::string> &controllerPrefix,
                  bool classIdempotency) {
    Unit unit;
    unit.kind = Unit::Kind::Method;
    unit.name = owner.name + "." + name;
    unit.qualifiedName = unit.name;
    unit.declared = source_.where(field(member, "name"));
    for (Node decorator : decorators) {
      std::string decoratorName = decoratorNames({decorator}).front();
      auto route = models_.http.routeDecorators.find(decoratorName);
      if (controllerPrefix && route != models_.http.routeDecorators.end()) {
        std::vector<Node> args = decoratorArguments(decorator);
        std::string path =
            args.empty() ? "" : source_.stringValue(args.front()).value_or("");
        unit.kind = Unit::Kind::RouteHandler;
        unit.http = HttpFacts{};
        unit.http->method = route->second;
        unit.http->route = joinRoute(*controllerPrefix, path);
        unit.http->webhook = models_.http.isWebhookRoute(unit.http->route);
      }
    }
    if (unit.http) {
      unit.http->idempotencyMiddleware = classIdempotency;
      for (Node decorator : decorators)
        unit.http->idempotencyMiddleware |= marksIdempotency(decorator);
    }
    std::map<std::string, Value> parameters =
        decoratedParameters(function, unit);
    lowerFunction(context_, &owner, function, std::move(parameters), unit);
    finishUnit(unit);
  }

  /// NestJS parameter decorators: @Headers('x'), @Headers(), @Req(), @Body().
  std::map<std::string, Value> decoratedParameters(Node function, Unit &unit) {
    std::map<std::string, Value> parameters;
    for (Node parameter : namedChildren(field(function, "parameters"))) {
      Node pattern = field(parameter, "pattern");
      if (!is(pattern, "identifier"))
        continue;
      for (Node decorator : fieldChildren(parameter, "decorator")) {
        std::string name = decoratorNames({decorator}).front();
        std::vector<Node> args = decoratorArguments(decorator);
        Value value;
        if (models_.http.headerDecorators.count(name)) {
          if (!args.empty()) {
            if (auto header = source_.stringValue(args.front()))
              value.headers.insert(addHeaderRead(unit, lowerName(*header),
                                                 source_.where(parameter)));
          } else {
            value.role = Role::RequestHeaders;
          }
        } else if (models_.http.requestDecorators.count(name)) {
          value.role = Role::Request;
        } else if (models_.http.bodyDecorators.count(name) || name == "Query") {
          value.fromRequest = true;
        } else {
          continue;
        }
        parameters[source_.str(pattern)] = value;
      }
    }
    return parameters;
  }

  static std::string lowerName(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return text;
  }

  FileContext &context_;
  const Source &source_;
  const FrameworkModels &models_;
  FileAnalysis &analysis_;
  std::vector<ExpressRoute> routes_;
  bool fileIdempotency_ = false;
  enum class NextFile { None, AppRoute, PagesApi } nextFile_ = NextFile::None;
  std::string nextRoute_;
  bool useServerFile_ = false;
  std::string defaultExport_;
};

/// Whether mendsFor() could find anything: each mend is next to an ERROR or
/// after a MISSING token that is not benign. Only the paths to errors are
/// walked (iteratively: this runs before the nesting limit is checked),
/// where mendsFor() walks the whole tree.
bool mayNeedMends(Node root) {
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  std::vector<Node> ancestors = {Node{}};
  bool found = false;
  for (;;) {
    Node node = ts_tree_cursor_current_node(&cursor);
    if (is(node, "ERROR") ||
        (isMissing(node) && !isBenignMissing(node, ancestors.back()))) {
      found = true;
      break;
    }
    if (hasError(node) && ts_tree_cursor_goto_first_child(&cursor)) {
      ancestors.push_back(node);
      continue;
    }
    bool moved = false;
    while (!(moved = ts_tree_cursor_goto_next_sibling(&cursor)) &&
           ts_tree_cursor_goto_parent(&cursor))
      ancestors.pop_back();
    if (!moved)
      break;
  }
  ts_tree_cursor_delete(&cursor);
  return found;
}

/// Makes the mends in `text` and records them in `tree` as edits, so that the
/// next parse reuses what they did not touch. A mend may turn a line break
/// into a `;`: each edit's points are counted in the text as mended so far.
void applyMends(std::vector<Mend> mends, std::string &text, TSTree *tree) {
  std::sort(mends.begin(), mends.end(),
            [](const Mend &a, const Mend &b) { return a.at < b.at; });
  uint32_t counted = 0;
  TSPoint point{0, 0};
  auto after = [&](char c) {
    return c == '\n' ? TSPoint{point.row + 1, 0}
                     : TSPoint{point.row, point.column + 1};
  };
  for (const Mend &mend : mends) {
    for (; counted < mend.at; ++counted)
      point = after(text[counted]);
    TSInputEdit edit{mend.at, mend.at + 1,          mend.at + 1,
                     point,   after(text[mend.at]), after(mend.with)};
    ts_tree_edit(tree, &edit);
    text[mend.at] = mend.with;
  }
}

/// The file's tree, parsed again with the mends each parse calls for.
std::unique_ptr<TSTree, TreeDeleter> parseMended(const SourceFile &file) {
  // One parser per thread, reused: its stacks and caches outlive a file.
  thread_local std::unique_ptr<TSParser, ParserDeleter> parser(ts_parser_new());
  ts_parser_set_language(parser.get(), languageFor(file.path()));
  // The first parse and the mended ones share one budget.
  auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::duration<double>(parseBudgetSeconds(file.text().size()));
  auto parse = [&](const std::string &text, const TSTree *old) {
    std::chrono::duration<double> left =
        deadline - std::chrono::steady_clock::now();
    return std::unique_ptr<TSTree, TreeDeleter>(
        parseWithinBudget(parser.get(), text, left.count(), old));
  };
  std::unique_ptr<TSTree, TreeDeleter> tree = parse(file.text(), nullptr);
  // Each round mends what the previous one uncovered.
  constexpr int kMaxMendingRounds = 8;
  std::string mended;
  for (int round = 0; round < kMaxMendingRounds && tree &&
                      mayNeedMends(ts_tree_root_node(tree.get()));
       ++round) {
    if (mended.empty())
      mended = file.text();
    std::vector<Mend> mends = mendsFor(ts_tree_root_node(tree.get()), mended);
    if (mends.empty())
      break;
    applyMends(mends, mended, tree.get());
    std::unique_ptr<TSTree, TreeDeleter> again = parse(mended, tree.get());
    if (!again)
      break; // out of time: the unmended tree it is
    tree = std::move(again);
  }
  return tree;
}

} // namespace

bool TypeScriptFrontend::handles(const std::string &path) const {
  for (std::string_view extension :
       {".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"})
    if (endsWith(path, extension))
      return true;
  return false;
}

FileAnalysis TypeScriptFrontend::analyze(const SourceFile &file) const {
  return analyzeWith(file, nullptr);
}

FileAnalysis TypeScriptFrontend::analyzeWith(const SourceFile &file,
                                             const NameHandles *handles) const {
  FileAnalysis analysis;
  analysis.path = file.path();
  if (looksMinified(file)) {
    Diagnostic diagnostic;
    diagnostic.level = Level::Note;
    diagnostic.code = "minified-file";
    diagnostic.message = "file not analysed: it looks minified (bundler "
                         "output); scan the sources it was built from";
    diagnostic.where = file.span(0, 0);
    analysis.diagnostics.push_back(std::move(diagnostic));
    return analysis;
  }
  std::unique_ptr<TSTree, TreeDeleter> tree = parseMended(file);
  if (!tree) {
    Diagnostic diagnostic;
    diagnostic.level = Level::Error;
    diagnostic.code = "parse-error";
    diagnostic.message = parserGaveUp(file.text().size());
    diagnostic.where = file.span(0, 0);
    analysis.diagnostics.push_back(std::move(diagnostic));
    return analysis;
  }
  Node root = ts_tree_root_node(tree.get());
  Source source(file);
  TreeIndex index(root, "call_expression");
  if (unsigned depth = index.depth(); depth > kMaxTreeDepth) {
    Diagnostic diagnostic;
    diagnostic.level = Level::Warning;
    diagnostic.code = "too-deeply-nested";
    diagnostic.message = "file not analysed: its syntax nests " +
                         std::to_string(depth) + " levels deep (the limit is " +
                         std::to_string(kMaxTreeDepth) + ")";
    diagnostic.where = file.span(0, 0);
    analysis.diagnostics.push_back(std::move(diagnostic));
    return analysis;
  }
  if (Node problem = firstProblem(root); !isNull(problem)) {
    Diagnostic diagnostic;
    diagnostic.where = source.where(problem);
    if (is(problem, "ERROR")) {
      diagnostic.level = Level::Warning;
      diagnostic.code = "partial-parse";
      diagnostic.message = "file partially analysed: syntax error; the "
                           "statements containing it were skipped";
    } else {
      // Valid code the pinned grammar shapes with a token it had to assume
      // (a generic tagged template, for one): analysed, but said.
      diagnostic.level = Level::Note;
      diagnostic.code = "parser-recovery";
      diagnostic.message = "the parser assumed a missing '" +
                           std::string(type(problem)) +
                           "' here; the code around it is analysed as parsed";
    }
    analysis.diagnostics.push_back(std::move(diagnostic));
  }
  FileContext context{
      source,           builtinModels(), {}, &analysis.diagnostics,
      &analysis.module, handles,         {}};
  declareModule(source, root, analysis.module);
  context.moduleValues = moduleValues(context, root);
  FileWalker walker(context, analysis);
  walker.walk(root, index.calls());
  walker.finish();
  return analysis;
}

} // namespace racelint
