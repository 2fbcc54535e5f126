#include "PyFrontend.h"
#include "PyInternal.h"

#include <filesystem>
#include <memory>
#include <set>

extern "C" const TSLanguage *tree_sitter_python();

namespace racelint {
namespace {

using namespace py;

constexpr unsigned kMaxTreeDepth = 1000;

struct TreeDeleter {
  void operator()(TSTree *tree) const { ts_tree_delete(tree); }
};
struct ParserDeleter {
  void operator()(TSParser *parser) const { ts_parser_delete(parser); }
};

class ModuleWalker {
public:
  ModuleWalker(PyContext &context, FileAnalysis &analysis)
      : context_(context), source_(context.source),
        python_(context.models.python), analysis_(analysis) {}

  void walk(Node root) {
    noteDatabaseDialects(root);
    analysis_.ormCode = true;
    declareModuleFacts(source_, root, analysis_.module);
    std::vector<Node> items = ts::namedChildren(root);
    for (Node item : items)
      moduleAssignment(item);
    for (Node item : items)
      topLevel(item, {}, "");
    if (!revision_.empty() && !ts::isNull(upgrade_)) {
      analysis_.migrationRevision = revision_;
      analysis_.migrationParent = downRevision_;
      declareAlembic(context_, upgrade_, analysis_);
    }
  }

private:
  /// String literals that name a database: `"sqlite:///app.db"`,
  /// `"postgresql+psycopg://..."`, `"django.db.backends.sqlite3"`; and the
  /// isolation level engines are created with.
  void noteDatabaseDialects(Node root) {
    std::vector<Node> pending{root};
    while (!pending.empty()) {
      Node node = pending.back();
      pending.pop_back();
      if (ts::is(node, "call") &&
          lastName(source_, ts::field(node, "function")) ==
              python_.engineConstructor)
        if (auto level = stringOf(
                source_, argumentsOf(source_, node).keyword("isolation_level")))
          if (auto isolation = isolationFromName(*level))
            analysis_.engineIsolations.insert(*isolation);
      if (ts::is(node, "string")) {
        if (auto text = stringOf(source_, node))
          for (const auto &[dialect, prefixes] : python_.databaseDialects)
            for (const std::string &prefix : prefixes)
              if (text->starts_with(prefix))
                analysis_.databaseDialects.emplace(dialect,
                                                   source_.where(node));
        continue;
      }
      for (Node child : ts::namedChildren(node))
        pending.push_back(child);
    }
  }

  /// `router = APIRouter(prefix="/x")`, `bp = Blueprint(..., url_prefix=...)`,
  /// a payment client, Alembic's `revision = "..."` and `down_revision =
  /// "..."`.
  void moduleAssignment(Node item) {
    if (!ts::is(item, "expression_statement"))
      return;
    for (Node assignment : ts::namedChildren(item)) {
      if (!ts::is(assignment, "assignment"))
        continue;
      std::string name = source_.str(ts::field(assignment, "left"));
      Node right = ts::field(assignment, "right");
      if (name == python_.alembicRevision)
        revision_ = stringOf(source_, right).value_or("");
      else if (name == python_.alembicDownRevision)
        downRevision_ = stringOf(source_, right).value_or("");
      if (!ts::is(right, "call"))
        continue;
      Node function = ts::field(right, "function");
      std::string constructor =
          ts::is(function, "attribute")
              ? source_.str(ts::field(function, "attribute"))
              : source_.str(function);
      if (const PaymentProvider *provider =
              context_.models.effects.pythonProvider(constructor);
          provider && provider->python.constructors.count(constructor)) {
        // `client = stripe.StripeClient(key)`, shared by the handlers.
        Value client;
        client.role = Role::PaymentClient;
        client.name = provider->provider;
        context_.moduleValues[name] = client;
        continue;
      }
      auto router = python_.routerConstructors.find(constructor);
      if (router == python_.routerConstructors.end())
        continue;
      Arguments args = argumentsOf(source_, right);
      context_.routerPrefixes[name] =
          stringOf(source_, args.keyword(router->second)).value_or("");
    }
  }

  void topLevel(Node node, std::vector<Node> decorators,
                const std::string &className) {
    if (ts::is(node, "ERROR"))
      return;
    if (ts::is(node, "decorated_definition")) {
      for (Node child : ts::namedChildren(node))
        if (ts::is(child, "decorator"))
          decorators.push_back(child);
      topLevel(ts::field(node, "definition"), decorators, className);
      return;
    }
    if (ts::is(node, "class_definition")) {
      std::string name = source_.str(ts::field(node, "name"));
      if (declareDjangoMigration(context_, node, analysis_))
        return;
      if (declareDjangoModel(context_, node, analysis_) ||
          declareModel(context_, node, analysis_))
        context_.modelClasses.insert(name);
      bool view = false;
      for (Node base : ts::namedChildren(ts::field(node, "superclasses")))
        view |= python_.django.viewBases.count(lastName(source_, base)) > 0;
      if (view)
        viewClasses_.insert(name);
      for (Node member : ts::namedChildren(ts::field(node, "body")))
        topLevel(member, {}, name);
      return;
    }
    if (!ts::is(node, "function_definition") ||
        ts::hasErrorOutsideFunctions(ts::field(node, "parameters")))
      return;
    std::string name = source_.str(ts::field(node, "name"));
    if (className.empty() && name == "upgrade")
      upgrade_ = node;
    Unit unit;
    unit.kind = className.empty() ? Unit::Kind::Function : Unit::Kind::Method;
    unit.name = className.empty() ? name : className + "." + name;
    unit.qualifiedName = unit.name;
    unit.declared = source_.where(ts::field(node, "name"));
    std::map<std::string, Value> parameters;
    for (Node decorator : decorators)
      if (auto facts = routeOf(decorator)) {
        unit.kind = Unit::Kind::RouteHandler;
        unit.http = *facts;
        parameters = handlerParameters(node, unit);
      }
    if (!unit.http)
      if (auto facts = djangoView(node, decorators, className, name)) {
        unit.kind = Unit::Kind::RouteHandler;
        unit.http = *facts;
        parameters = handlerParameters(node, unit);
      }
    lowerPython(context_, className, node, std::move(parameters), unit);
    lowering::collectHeadersRead(unit);
    if (!unit.events.empty() || unit.http)
      analysis_.units.push_back(std::move(unit));
    // Nested functions are units of their own, called by their name.
    for (Node statement : ts::namedChildren(ts::field(node, "body")))
      if (ts::is(statement, "function_definition") ||
          ts::is(statement, "decorated_definition"))
        topLevel(statement, {}, "");
  }

  /// `@router.post("/x")`, `@app.route("/x", methods=["POST"])`.
  std::optional<HttpFacts> routeOf(Node decorator) {
    std::vector<Node> children = ts::namedChildren(decorator);
    if (children.empty() || !ts::is(children.front(), "call"))
      return std::nullopt;
    Node call = children.front();
    Node function = ts::field(call, "function");
    if (!ts::is(function, "attribute"))
      return std::nullopt;
    std::string router = source_.str(ts::field(function, "object"));
    std::string method = source_.str(ts::field(function, "attribute"));
    Arguments args = argumentsOf(source_, call);
    HttpFacts facts;
    if (auto route = python_.routeMethods.find(method);
        route != python_.routeMethods.end()) {
      facts.method = route->second;
    } else if (python_.flaskRouteDecorators.count(method)) {
      facts.method = "GET";
      Node methods = args.keyword("methods");
      for (Node item : ts::namedChildren(methods))
        if (auto name = stringOf(source_, item);
            name && *name != "GET" && facts.method == "GET")
          facts.method = *name;
    } else {
      return std::nullopt;
    }
    std::string path =
        args.positional.empty()
            ? ""
            : stringOf(source_, args.positional.front()).value_or("");
    auto prefix = context_.routerPrefixes.find(router);
    facts.route =
        (prefix == context_.routerPrefixes.end() ? "" : prefix->second) + path;
    facts.webhook = context_.models.http.isWebhookRoute(facts.route);
    return facts;
  }

  /// The HTTP method a list of allowed methods (`["GET", "POST"]`) stands
  /// for: the first that changes something, else GET.
  std::string methodOf(Node list) {
    std::string method = "GET";
    for (Node item : ts::namedChildren(list))
      if (auto name = stringOf(source_, item)) {
        std::string upper = *name;
        for (char &c : upper)
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (method == "GET" && upper != "GET" && upper != "HEAD" &&
            upper != "OPTIONS")
          method = upper;
      }
    return method;
  }

  /// Django views: a function with `@api_view([...])`,
  /// `@require_http_methods([...])` or `@require_POST`; a method of a
  /// class-based view or DRF viewset named after what it handles (`post`,
  /// `create`) or marked `@action(methods=[...])`; any function of a
  /// `views.py` whose first parameter is the request (every method). urls.py
  /// is not read: the route is the view's name.
  std::optional<HttpFacts> djangoView(Node function,
                                      const std::vector<Node> &decorators,
                                      const std::string &className,
                                      const std::string &name) {
    const auto &django = python_.django;
    HttpFacts facts;
    for (Node decorator : decorators) {
      std::vector<Node> parts = ts::namedChildren(decorator);
      if (parts.empty())
        continue;
      Node expression = parts.front();
      Node callee = ts::is(expression, "call")
                        ? ts::field(expression, "function")
                        : expression;
      std::string decoratorName = lastName(source_, callee);
      Arguments args = ts::is(expression, "call")
                           ? argumentsOf(source_, expression)
                           : Arguments{};
      if (auto known = django.viewDecorators.find(decoratorName);
          known != django.viewDecorators.end())
        facts.method = known->second != "list" ? known->second
                       : args.positional.empty()
                           ? methodOf(args.keyword("http_method_names"))
                           : methodOf(args.positional.front());
      else if (decoratorName == django.actionDecorator &&
               viewClasses_.count(className))
        facts.method = methodOf(args.keyword("methods"));
    }
    if (facts.method.empty() && viewClasses_.count(className))
      if (auto known = django.viewMethods.find(name);
          known != django.viewMethods.end())
        facts.method = known->second;
    if (facts.method.empty() && className.empty()) {
      std::filesystem::path path(analysis_.path);
      std::vector<Node> parameters =
          ts::namedChildren(ts::field(function, "parameters"));
      bool inViews = path.filename() == "views.py" ||
                     path.parent_path().filename() == "views";
      if (inViews && !parameters.empty() &&
          source_.str(parameters.front()) == "request")
        facts.method = "ALL";
    }
    if (facts.method.empty())
      return std::nullopt;
    facts.route = className.empty() ? name : className + "." + name;
    facts.webhook = context_.models.http.isWebhookRoute(facts.route);
    return facts;
  }

  /// FastAPI parameters: `key: str = Header(alias="Idempotency-Key")`,
  /// `request: Request`, a body model; the session is left to its type.
  std::map<std::string, Value> handlerParameters(Node function, Unit &unit) {
    std::map<std::string, Value> parameters;
    for (Node parameter :
         ts::namedChildren(ts::field(function, "parameters"))) {
      Node name = ts::is(parameter, "identifier")
                      ? parameter
                      : ts::field(parameter, "name");
      if (ts::isNull(name) && !ts::namedChildren(parameter).empty())
        name = ts::namedChildren(parameter).front();
      if (!ts::is(name, "identifier"))
        continue;
      Node type = ts::field(parameter, "type");
      Node fallback = ts::field(parameter, "value");
      std::string typeName;
      for (Node inner = type; !ts::isNull(inner);
           inner = ts::namedChildren(inner).empty()
                       ? Node{}
                       : ts::namedChildren(inner).front())
        if (ts::is(inner, "identifier")) {
          typeName = source_.str(inner);
          break;
        }
      std::string defaultCall =
          ts::is(fallback, "call")
              ? source_.str(ts::field(fallback, "function"))
              : "";
      Value value;
      if (python_.headerFunctions.count(defaultCall)) {
        Arguments args = argumentsOf(source_, fallback);
        std::string header = stringOf(source_, args.keyword("alias"))
                                 .value_or(source_.str(name));
        std::replace(header.begin(), header.end(), '_', '-');
        value.headers.insert(lowering::addHeaderRead(
            unit, lowering::lower(header), source_.where(parameter)));
      } else if (python_.requestTypes.count(typeName) ||
                 (typeName.empty() && source_.str(name) == "request")) {
        value.role = Role::Request; // FastAPI's Request, Django's request
      } else if (python_.sessionTypes.count(typeName)) {
        value.role = Role::Session;
      } else if (!typeName.empty() &&
                 std::isupper(static_cast<unsigned char>(typeName[0])) &&
                 python_.dependencyFunctions.count(defaultCall)) {
        value.role = Role::Service; // the index resolves its methods
        value.name = typeName;
      } else if (!typeName.empty() &&
                 std::isupper(static_cast<unsigned char>(typeName[0])) &&
                 !python_.notBody.count(defaultCall)) {
        value.fromRequest = true; // a Pydantic body
      } else {
        continue;
      }
      parameters[source_.str(name)] = value;
    }
    return parameters;
  }

  PyContext &context_;
  const Source &source_;
  const PythonModel &python_;
  FileAnalysis &analysis_;
  std::string revision_, downRevision_;
  /// Class-based views and DRF viewsets of this module.
  std::set<std::string> viewClasses_;
  Node upgrade_{};
};

} // namespace

bool PythonFrontend::handles(const std::string &path) const {
  return path.ends_with(".py") || path.ends_with(".pyi");
}

FileAnalysis PythonFrontend::analyze(const SourceFile &file) const {
  FileAnalysis analysis;
  analysis.path = file.path();
  thread_local std::unique_ptr<TSParser, ParserDeleter> parser(ts_parser_new());
  ts_parser_set_language(parser.get(), tree_sitter_python());
  std::unique_ptr<TSTree, TreeDeleter> tree(ts::parseWithinBudget(
      parser.get(), file.text(), ts::parseBudgetSeconds(file.text().size())));
  Diagnostic diagnostic;
  diagnostic.where = file.span(0, 0);
  if (!tree) {
    diagnostic.level = Level::Error;
    diagnostic.code = "parse-error";
    diagnostic.message = ts::parserGaveUp(file.text().size());
    analysis.diagnostics.push_back(std::move(diagnostic));
    return analysis;
  }
  Node root = ts_tree_root_node(tree.get());
  Source source(file);
  ts::TreeIndex index(root, "call");
  if (unsigned depth = index.depth(); depth > kMaxTreeDepth) {
    diagnostic.level = Level::Warning;
    diagnostic.code = "too-deeply-nested";
    diagnostic.message = "file not analysed: its syntax nests " +
                         std::to_string(depth) + " levels deep (the limit is " +
                         std::to_string(kMaxTreeDepth) + ")";
    analysis.diagnostics.push_back(std::move(diagnostic));
    return analysis;
  }
  if (Node problem = ts::firstProblem(root); !ts::isNull(problem)) {
    diagnostic.where = source.where(problem);
    diagnostic.level = Level::Warning;
    diagnostic.code = "partial-parse";
    diagnostic.message =
        "file partially analysed: syntax error (Python 2, or not Python); "
        "the statements containing it were skipped";
    analysis.diagnostics.push_back(std::move(diagnostic));
  }
  PyContext context{source, builtinModels(), {}, {}, &analysis.diagnostics, {}};
  ModuleWalker(context, analysis).walk(root);
  return analysis;
}

} // namespace racelint
