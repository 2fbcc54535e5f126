// What a Python module declares for other modules' names: its imports, its
// module-level instances and aliases, its classes with their bases and what
// their methods store in `self` (ModuleFacts). The engine resolves calls
// with these facts; nothing here guesses what a name means.

#include "PyInternal.h"

namespace racelint::py {
namespace {

class DeclarationWalker {
public:
  DeclarationWalker(const Source &source, ModuleFacts &facts)
      : source_(source), facts_(facts) {}

  void walk(Node root) {
    for (Node item : ts::namedChildren(root))
      statement(item);
  }

private:
  void statement(Node node) {
    if (ts::is(node, "import_statement"))
      importModules(node);
    else if (ts::is(node, "import_from_statement"))
      importNames(node);
    else if (ts::is(node, "expression_statement"))
      for (Node assignment : ts::namedChildren(node))
        moduleAssignment(assignment);
    else if (ts::is(node, "decorated_definition"))
      statement(ts::field(node, "definition"));
    else if (ts::is(node, "class_definition"))
      classDefinition(node);
  }

  /// `import a.b` binds `a`; `import a.b as c` binds `c` to `a.b`.
  void importModules(Node node) {
    for (Node item : ts::namedChildren(node)) {
      if (ts::is(item, "dotted_name")) {
        std::string module = source_.str(item);
        std::string root = module.substr(0, module.find('.'));
        facts_.imports[root] = {root, ""};
      } else if (ts::is(item, "aliased_import")) {
        facts_.imports[source_.str(ts::field(item, "alias"))] = {
            source_.str(ts::field(item, "name")), ""};
      }
    }
  }

  /// `from m import x`, `from m import x as y`, `from ..m import x`.
  void importNames(Node node) {
    Node moduleNode = ts::field(node, "module_name");
    std::string module = source_.str(moduleNode);
    for (Node item : ts::namedChildren(node)) {
      if (item.id == moduleNode.id)
        continue;
      if (ts::is(item, "dotted_name"))
        facts_.imports[source_.str(item)] = {module, source_.str(item)};
      else if (ts::is(item, "aliased_import"))
        facts_.imports[source_.str(ts::field(item, "alias"))] = {
            module, source_.str(ts::field(item, "name"))};
    }
  }

  /// `service = Service()`, `default = other`: module-level values.
  void moduleAssignment(Node assignment) {
    if (!ts::is(assignment, "assignment"))
      return;
    Node left = ts::field(assignment, "left");
    if (!ts::is(left, "identifier"))
      return;
    if (auto value = boundValue(ts::field(assignment, "right"), {}))
      facts_.values[source_.str(left)] = *value;
  }

  static bool isDottedName(Node node) {
    while (ts::is(node, "attribute"))
      node = ts::field(node, "object");
    return ts::is(node, "identifier");
  }

  /// What an expression stored in a name holds, as far as declarations
  /// say: another name, an instance of a class, or a constructor parameter.
  std::optional<BoundValue>
  boundValue(Node node, const std::map<std::string, unsigned> &parameters) {
    BoundValue value;
    if (ts::is(node, "call") && isDottedName(ts::field(node, "function"))) {
      value.kind = BoundValue::Kind::Instance;
      value.name = source_.str(ts::field(node, "function"));
      return value;
    }
    if (ts::is(node, "identifier"))
      if (auto parameter = parameters.find(source_.str(node));
          parameter != parameters.end()) {
        value.kind = BoundValue::Kind::Parameter;
        value.parameter = parameter->second;
        return value;
      }
    if (!isDottedName(node))
      return std::nullopt;
    value.name = source_.str(node);
    if (value.name.starts_with("self."))
      return std::nullopt;
    return value;
  }

  void classDefinition(Node node) {
    ClassFacts facts;
    facts.name = source_.str(ts::field(node, "name"));
    facts.tableRef = kModelRefPrefix + facts.name;
    facts.table = lowering::snakeCase(facts.name);
    for (Node base : ts::namedChildren(ts::field(node, "superclasses"))) {
      // `BaseRepository[Portfolio]`: the generic's class.
      if (ts::is(base, "subscript"))
        base = ts::field(base, "value");
      if (isDottedName(base))
        facts.bases.push_back(source_.str(base));
    }
    for (Node member : ts::namedChildren(ts::field(node, "body"))) {
      if (ts::is(member, "decorated_definition"))
        member = ts::field(member, "definition");
      if (ts::is(member, "function_definition"))
        method(member, facts);
      else if (ts::is(member, "expression_statement"))
        for (Node assignment : ts::namedChildren(member))
          if (ts::is(assignment, "assignment") &&
              ts::is(ts::field(assignment, "left"), "identifier"))
            if (auto value = boundValue(ts::field(assignment, "right"), {}))
              facts.attributes.emplace(
                  source_.str(ts::field(assignment, "left")), *value);
    }
    facts_.classes.push_back(std::move(facts));
  }

  /// `self.x = ...` anywhere in a method (not in nested definitions), and
  /// in the constructor, `super().__init__(...)`.
  void method(Node function, ClassFacts &facts) {
    bool constructor = source_.str(ts::field(function, "name")) == "__init__";
    std::map<std::string, unsigned> parameters;
    std::string self;
    unsigned position = 0;
    for (Node parameter :
         ts::namedChildren(ts::field(function, "parameters"))) {
      Node name = parameterName(parameter);
      if (ts::is(name, "identifier")) {
        if (position == 0)
          self = source_.str(name);
        else if (constructor)
          parameters[source_.str(name)] = position;
      }
      ++position;
    }
    if (self.empty())
      return;
    std::vector<Node> pending{ts::field(function, "body")};
    while (!pending.empty()) {
      Node node = pending.back();
      pending.pop_back();
      if (ts::is(node, "function_definition") ||
          ts::is(node, "class_definition") || ts::is(node, "lambda"))
        continue;
      if (ts::is(node, "assignment")) {
        Node left = ts::field(node, "left");
        if (ts::is(left, "attribute") &&
            source_.str(ts::field(left, "object")) == self)
          if (auto value = boundValue(ts::field(node, "right"), parameters))
            facts.attributes.emplace(source_.str(ts::field(left, "attribute")),
                                     *value);
      }
      if (constructor && ts::is(node, "call"))
        baseConstructorCall(node, self, parameters, facts);
      std::vector<Node> children = ts::namedChildren(node);
      pending.insert(pending.end(), children.rbegin(), children.rend());
    }
  }

  /// `super().__init__(a, b)` or `Base.__init__(self, a, b)`.
  void baseConstructorCall(Node call, const std::string &self,
                           const std::map<std::string, unsigned> &parameters,
                           ClassFacts &facts) {
    Node function = ts::field(call, "function");
    if (!ts::is(function, "attribute") ||
        source_.str(ts::field(function, "attribute")) != "__init__")
      return;
    Node object = ts::field(function, "object");
    Arguments args = argumentsOf(source_, call);
    bool viaSuper = ts::is(object, "call") &&
                    source_.str(ts::field(object, "function")) == "super";
    bool viaBase = isDottedName(object) && !args.positional.empty() &&
                   source_.str(args.positional.front()) == self;
    if (!viaSuper && !viaBase)
      return;
    std::size_t first = viaSuper ? 0 : 1; // the explicit `self`
    facts.baseConstructorArguments.clear();
    for (std::size_t i = first; i < args.positional.size(); ++i)
      facts.baseConstructorArguments.push_back(
          boundValue(args.positional[i], parameters).value_or(BoundValue{}));
  }

  const Source &source_;
  ModuleFacts &facts_;
};

} // namespace

void declareModuleFacts(const Source &source, Node root, ModuleFacts &facts) {
  DeclarationWalker(source, facts).walk(root);
}

} // namespace racelint::py
