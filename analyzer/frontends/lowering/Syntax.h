#pragma once

// Small helpers over tree-sitter nodes, for the front-ends built on it
// (namespace `ts`: tree-sitter).

#include "engine/SourceFile.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tree_sitter/api.h>
#include <vector>

namespace racelint::ts {

using Node = TSNode;

inline bool isNull(Node node) { return ts_node_is_null(node); }
/// The name of a grammar symbol, from a table made once per grammar
/// (ts_node_type() would measure the name's length on every call).
std::string_view symbolName(const TSLanguage *language, TSSymbol symbol);
inline std::string_view type(Node node) {
  return isNull(node)
             ? std::string_view()
             : symbolName(ts_tree_language(node.tree), ts_node_symbol(node));
}
inline bool is(Node node, std::string_view nodeType) {
  return type(node) == nodeType;
}
// tree-sitter dereferences a null node's subtree: a field the parser left out
// of an incomplete construct is null, so every query on a node goes through
// these, which answer for a null node as for a childless, error-free one.
inline bool hasError(Node node) {
  return !isNull(node) && ts_node_has_error(node);
}
inline bool isMissing(Node node) {
  return !isNull(node) && ts_node_is_missing(node);
}
inline uint32_t childCount(Node node) {
  return isNull(node) ? 0 : ts_node_child_count(node);
}
inline Node child(Node node, uint32_t index) {
  return index < childCount(node) ? ts_node_child(node, index) : Node{};
}
Node parent(Node node);
inline uint32_t startByte(Node node) {
  return isNull(node) ? 0 : ts_node_start_byte(node);
}
inline uint32_t endByte(Node node) {
  return isNull(node) ? 0 : ts_node_end_byte(node);
}
Node field(Node node, const char *name);
std::vector<Node> namedChildren(Node node);
/// Children carrying the field `name` (a node may have several decorators).
std::vector<Node> fieldChildren(Node node, const char *name);
/// Calls `visit` for each member of a class body with its decorators: those
/// written before it (siblings in the body, comments between skipped) and
/// its own.
void forEachClassMember(
    Node body,
    const std::function<void(Node member, const std::vector<Node> &decorators)>
        &visit);
/// Drops wrappers that change nothing at run time: `await`, parentheses,
/// `x as T`, `x!`, `x satisfies T`, `<T>x`.
Node unwrap(Node node);
/// Skips wrappers but not `await` (for telling awaited calls apart).
Node unwrapTypes(Node node);
/// A function, method, arrow function or function expression.
bool isFunctionNode(Node node);
/// Syntax that runs nothing: a type annotation or argument list, an
/// interface, a type alias, an ambient declaration. A parse error inside it
/// cannot hide data access.
bool isTypeOnly(Node node);
/// An ERROR node (a child of `parent`) that hides no code: the pinned
/// TypeScript grammar rejects the `type` of `export type * from './x'`
/// (TypeScript 5.0) and recovers in place, and a bare `&` in a JSX
/// attribute's string.
bool isInertError(Node error, Node parent);
/// An ERROR node lies in `node`, outside the bodies of functions nested in it
/// (those are checked statement by statement), outside type-only syntax, and
/// is not inert. A MISSING token counts only with `countMissing`: the parser
/// completed the tree around it, so its shape is usable, but not values it
/// had to invent.
bool hasErrorOutsideFunctions(Node node, bool countMissing = false);
/// The first ERROR node below `node` that hides code, or the first MISSING
/// one if none; null when the only MISSING tokens are the grammar's benign
/// ones. Type-only syntax is not searched.
Node firstProblem(Node node);
/// Whether a MISSING token is one the pinned grammar assumes in valid code
/// (the `!` of a generic tagged template). Takes the parent found walking
/// down: ts_node_parent() of a zero-width node can answer a sibling.
bool isBenignMissing(Node missing, Node parent);

/// One pass over the whole tree, without recursion, that lists every node's
/// children. tree-sitter finds a node's children and fields by stepping
/// through its siblings, and the walks ask millions of times: while an index
/// lives, field(), namedChildren(), fieldChildren() and parent() answer from
/// it for the nodes of its tree, on its thread. It also gives the tree's
/// depth (the walks recurse, so absurdly deep files are refused first) and
/// its call nodes (of the grammar's type `callType`) outside ERROR subtrees.
class TreeIndex {
public:
  TreeIndex(Node root, std::string_view callType);
  ~TreeIndex();
  TreeIndex(const TreeIndex &) = delete;
  TreeIndex &operator=(const TreeIndex &) = delete;

  unsigned depth() const { return depth_; }
  const std::vector<Node> &calls() const { return calls_; }

  struct Entry {
    Node node;
    TSFieldId field; // as a child of its parent; 0 for none
    bool named;
    uint32_t parent;     // index of the parent entry; the root's is its own
    uint32_t firstChild; // into children_
    uint32_t childCount;
  };
  /// The index that answers for `node`, or null.
  static const TreeIndex *covering(Node node);
  /// `node`'s entry; null when it is not in the tree.
  const Entry *find(Node node) const;
  const Entry &childOf(const Entry &entry, uint32_t i) const {
    return entries_[children_[entry.firstChild + i]];
  }
  const Entry &parentOf(const Entry &entry) const {
    return entries_[entry.parent];
  }

private:
  const TSTree *tree_;
  const TreeIndex *outer_; // the index this one hides while it lives
  unsigned depth_ = 0;
  std::vector<Node> calls_;
  std::vector<Entry> entries_;     // in document order
  std::vector<uint32_t> children_; // entry indices, grouped by parent
  std::vector<uint32_t> slots_;    // open addressing: node id -> entry + 1
};

/// Binds nodes to the text of their file.
class Source {
public:
  explicit Source(const SourceFile &file) : file_(file) {}
  const SourceFile &file() const { return file_; }
  std::string_view text(Node node) const;
  std::string str(Node node) const { return std::string(text(node)); }
  SourceLocation where(Node node) const;
  /// The value of a string literal, or of a template literal without
  /// substitutions; nullopt for anything else.
  std::optional<std::string> stringValue(Node node) const;
  /// A property key as written: `a`, `'a'`, `"a"`, `[computed]` -> nullopt.
  std::optional<std::string> propertyName(Node node) const;
  /// The name a callee or decorator expression ends in: `Foo`, `a.b.Foo`,
  /// `Foo(...)` -> "Foo".
  std::string calleeName(Node node) const;

private:
  const SourceFile &file_;
};

/// How long the parses of a file of `size` bytes may take together: about
/// a second, plus 20 microseconds a byte. On some malformed input
/// tree-sitter's error recovery runs for minutes.
double parseBudgetSeconds(std::size_t size);
/// Parses `text`, or gives up (null) after `seconds`. The parser is reset
/// either way. With `old`, an earlier tree edited (ts_tree_edit) to match
/// `text`, only what the edits touched is parsed again.
TSTree *parseWithinBudget(TSParser *parser, const std::string &text,
                          double seconds, const TSTree *old = nullptr);
/// The message for a file whose parse ran out of its budget.
std::string parserGaveUp(std::size_t size);

} // namespace racelint::ts
