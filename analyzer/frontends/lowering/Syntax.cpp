#include "Syntax.h"

#include "engine/Workers.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace racelint::ts {

namespace {

/// Field ids by (grammar, name): looking a name up compares strings, and the
/// walks ask for the same few fields millions of times. Names are string
/// literals, so their addresses identify them.
TSFieldId fieldId(const TSLanguage *language, const char *name) {
  struct Entry {
    const TSLanguage *language;
    const char *name;
    TSFieldId id;
  };
  thread_local std::vector<Entry> cache;
  for (const Entry &entry : cache)
    if (entry.language == language && entry.name == name)
      return entry.id;
  TSFieldId id = ts_language_field_id_for_name(
      language, name, static_cast<uint32_t>(strlen(name)));
  cache.push_back({language, name, id});
  return id;
}

} // namespace

std::string_view symbolName(const TSLanguage *language, TSSymbol symbol) {
  struct Names {
    const TSLanguage *language;
    std::vector<std::string_view> names;
  };
  thread_local std::vector<Names> tables;
  auto table = std::find_if(tables.begin(), tables.end(), [&](const Names &t) {
    return t.language == language;
  });
  if (table == tables.end()) {
    Names made{language, {}};
    uint32_t count = ts_language_symbol_count(language);
    for (uint32_t id = 0; id < count; ++id) {
      const char *name =
          ts_language_symbol_name(language, static_cast<TSSymbol>(id));
      made.names.emplace_back(name ? name : "");
    }
    tables.push_back(std::move(made));
    table = tables.end() - 1;
  }
  if (symbol < table->names.size())
    return table->names[symbol];
  const char *name = ts_language_symbol_name(language, symbol); // ERROR
  return name ? std::string_view(name) : std::string_view();
}

Node parent(Node node) {
  if (isNull(node))
    return node;
  if (const TreeIndex *index = TreeIndex::covering(node))
    if (const TreeIndex::Entry *entry = index->find(node))
      return entry == &index->parentOf(*entry) ? Node{}
                                               : index->parentOf(*entry).node;
  return ts_node_parent(node);
}

namespace {

/// A cursor for listing children, reset for each node: a new one would
/// allocate its stack every time.
TSTreeCursor &childCursor(Node node) {
  struct Cursor {
    TSTreeCursor cursor;
    explicit Cursor(Node node) : cursor(ts_tree_cursor_new(node)) {}
    ~Cursor() { ts_tree_cursor_delete(&cursor); }
  };
  thread_local Cursor shared(node);
  ts_tree_cursor_reset(&shared.cursor, node);
  return shared.cursor;
}

/// Calls `visit(child, field, named)` for the children of `node`, in order,
/// until it returns false: from the tree's index when one covers it (which
/// leaves out tokens outside every field), else with a cursor.
template <typename Visit> void forEachChild(Node node, Visit &&visit) {
  if (isNull(node))
    return;
  if (const TreeIndex *index = TreeIndex::covering(node))
    if (const TreeIndex::Entry *entry = index->find(node)) {
      for (uint32_t i = 0; i < entry->childCount; ++i) {
        const TreeIndex::Entry &child = index->childOf(*entry, i);
        if (!visit(child.node, child.field, child.named))
          return;
      }
      return;
    }
  TSTreeCursor &cursor = childCursor(node);
  if (ts_tree_cursor_goto_first_child(&cursor)) {
    do {
      Node child = ts_tree_cursor_current_node(&cursor);
      if (!visit(child, ts_tree_cursor_current_field_id(&cursor),
                 ts_node_is_named(child)))
        return;
    } while (ts_tree_cursor_goto_next_sibling(&cursor));
  }
}

TSFieldId fieldOf(Node node, const char *name) {
  return isNull(node) ? 0 : fieldId(ts_tree_language(node.tree), name);
}

} // namespace

Node field(Node node, const char *name) {
  TSFieldId id = fieldOf(node, name);
  if (!id)
    return Node{};
  if (!TreeIndex::covering(node))
    return ts_node_child_by_field_id(node, id);
  Node found{};
  forEachChild(node, [&](Node child, TSFieldId field, bool) {
    if (field == id)
      found = child;
    return field != id;
  });
  return found;
}

std::vector<Node> namedChildren(Node node) {
  std::vector<Node> children;
  if (!isNull(node))
    children.reserve(ts_node_named_child_count(node));
  forEachChild(node, [&](Node child, TSFieldId, bool named) {
    if (named)
      children.push_back(child);
    return true;
  });
  return children;
}

std::vector<Node> fieldChildren(Node node, const char *name) {
  std::vector<Node> children;
  if (TSFieldId id = fieldOf(node, name))
    forEachChild(node, [&](Node child, TSFieldId field, bool) {
      if (field == id)
        children.push_back(child);
      return true;
    });
  return children;
}

void forEachClassMember(
    Node body,
    const std::function<void(Node member, const std::vector<Node> &decorators)>
        &visit) {
  std::vector<Node> pending;
  for (Node member : namedChildren(body)) {
    if (is(member, "decorator")) {
      pending.push_back(member);
      continue;
    }
    if (is(member, "comment"))
      continue; // `@Post()`, a comment, then the method
    std::vector<Node> decorators = std::move(pending);
    pending.clear();
    for (Node decorator : fieldChildren(member, "decorator"))
      decorators.push_back(decorator);
    visit(member, decorators);
  }
}

Node unwrapTypes(Node node) {
  while (!isNull(node)) {
    std::string_view kind = type(node);
    if (kind == "parenthesized_expression" || kind == "as_expression" ||
        kind == "non_null_expression" || kind == "satisfies_expression" ||
        kind == "type_assertion" || kind == "instantiation_expression") {
      std::vector<Node> children = namedChildren(node);
      if (children.empty())
        return node;
      // `<T>x` puts the type first; every other wrapper the expression.
      node = kind == "type_assertion" ? children.back() : children.front();
    } else {
      return node;
    }
  }
  return node;
}

Node unwrap(Node node) {
  node = unwrapTypes(node);
  while (is(node, "await_expression")) {
    std::vector<Node> children = namedChildren(node);
    if (children.empty())
      return node;
    node = unwrapTypes(children.front());
  }
  return node;
}

bool isFunctionNode(Node node) {
  std::string_view kind = type(node);
  return kind == "arrow_function" || kind == "function_expression" ||
         kind == "function" || kind == "function_declaration" ||
         kind == "method_definition" || kind == "generator_function" ||
         kind == "generator_function_declaration";
}

bool isTypeOnly(Node node) {
  std::string_view kind = type(node);
  return kind == "type_annotation" || kind == "type_arguments" ||
         kind == "type_parameters" || kind == "interface_declaration" ||
         kind == "type_alias_declaration" || kind == "ambient_declaration";
}

bool isInertError(Node error, Node parent) {
  if (!is(error, "ERROR"))
    return false;
  // A string holds no code: in a JSX attribute (`to="a?x=1&y=2"`) the grammar
  // reads `&y` as an unfinished character entity.
  if (is(parent, "string"))
    return true;
  return is(parent, "export_statement") && !isNull(field(parent, "source")) &&
         childCount(error) == 1 && is(child(error, 0), "type");
}

bool hasErrorOutsideFunctions(Node node, bool countMissing) {
  if (is(node, "ERROR") || (countMissing && isMissing(node)))
    return true;
  if (!hasError(node))
    return false;
  uint32_t count = childCount(node);
  for (uint32_t i = 0; i < count; ++i) {
    Node nested = child(node, i);
    if (isTypeOnly(nested) || isInertError(nested, node))
      continue;
    if (isFunctionNode(nested)) {
      if (hasErrorOutsideFunctions(field(nested, "parameters"), countMissing))
        return true;
      continue;
    }
    if (hasErrorOutsideFunctions(nested, countMissing))
      return true;
  }
  return false;
}

bool isBenignMissing(Node missing, Node parent) {
  // The pinned grammar reads a generic tagged template
  // (`tx.$queryRaw<T>`...``, Prisma's idiom) as a non-null assertion whose `!`
  // it has to assume. The code is valid and its shape usable.
  return type(missing) == "!" && is(parent, "non_null_expression");
}

namespace {
Node findNode(Node node, Node parent, bool missing) {
  if (missing ? isMissing(node) && !isBenignMissing(node, parent)
              : is(node, "ERROR") && !isInertError(node, parent))
    return node;
  if (!hasError(node) || isTypeOnly(node))
    return Node{};
  uint32_t count = childCount(node);
  for (uint32_t i = 0; i < count; ++i) {
    Node found = findNode(child(node, i), node, missing);
    if (!isNull(found))
      return found;
  }
  return Node{};
}
} // namespace

Node firstProblem(Node node) {
  Node error = findNode(node, parent(node), false);
  return isNull(error) ? findNode(node, parent(node), true) : error;
}

namespace {

thread_local const TreeIndex *currentIndex = nullptr;

uint32_t slotFor(const void *id, std::size_t mask) {
  auto bits = reinterpret_cast<std::uintptr_t>(id);
  return static_cast<uint32_t>(((bits >> 3) * 0x9E3779B97F4A7C15ull) >> 32) &
         static_cast<uint32_t>(mask);
}

/// The arrays of the last index this thread built, kept for the next one:
/// fresh ones for every file cost page faults and zeroing.
struct IndexStorage {
  std::vector<TreeIndex::Entry> entries;
  std::vector<uint32_t> children;
  std::vector<uint32_t> slots;
};
thread_local IndexStorage spareStorage;

} // namespace

TreeIndex::TreeIndex(Node root, std::string_view callType)
    : tree_(root.tree), outer_(currentIndex) {
  entries_.swap(spareStorage.entries);
  children_.swap(spareStorage.children);
  slots_.swap(spareStorage.slots);
  entries_.clear();
  entries_.reserve(ts_node_descendant_count(root));
  // The grammar's symbols named `callType` (an alias can share the name).
  const TSLanguage *language = ts_tree_language(root.tree);
  std::vector<bool> isCall(ts_language_symbol_count(language));
  for (TSSymbol id = 0; id < isCall.size(); ++id)
    isCall[id] = symbolName(language, id) == callType;
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  // The entries of the cursor's ancestors.
  std::vector<uint32_t> open;
  // The depth of the outermost ERROR node around the cursor, 0 for none: a
  // call the parser could not build is no call.
  unsigned errorDepth = 0;
  for (;;) {
    unsigned depth = static_cast<unsigned>(open.size());
    depth_ = std::max(depth_, depth);
    Node node = ts_tree_cursor_current_node(&cursor);
    auto self = static_cast<uint32_t>(entries_.size());
    TSFieldId field = ts_tree_cursor_current_field_id(&cursor);
    bool named = ts_node_is_named(node);
    // A token outside every field (punctuation, a keyword) is never asked
    // about: parent() of one asks tree-sitter.
    if (named || field || ts_node_child_count(node) > 0)
      entries_.push_back(
          {node, field, named, open.empty() ? self : open.back(), 0, 0});
    TSSymbol symbol = ts_node_symbol(node);
    if (errorDepth == 0 && symbol >= isCall.size()) // ERROR
      errorDepth = depth + 1;
    if (errorDepth == 0 && symbol < isCall.size() && isCall[symbol])
      calls_.push_back(node);
    if (ts_tree_cursor_goto_first_child(&cursor)) {
      open.push_back(self);
      continue;
    }
    bool more = false;
    for (;;) {
      if (errorDepth == open.size() + 1)
        errorDepth = 0; // leaving the ERROR node
      if (ts_tree_cursor_goto_next_sibling(&cursor)) {
        more = true;
        break;
      }
      if (!ts_tree_cursor_goto_parent(&cursor))
        break;
      open.pop_back();
    }
    if (!more)
      break;
  }
  ts_tree_cursor_delete(&cursor);

  // Children grouped by parent, in document order: a counting sort.
  for (std::size_t i = 1; i < entries_.size(); ++i)
    ++entries_[entries_[i].parent].childCount;
  uint32_t next = 0;
  for (Entry &entry : entries_) {
    entry.firstChild = next;
    next += entry.childCount;
    entry.childCount = 0;
  }
  children_.resize(next);
  for (std::size_t i = 1; i < entries_.size(); ++i) {
    Entry &parent = entries_[entries_[i].parent];
    children_[parent.firstChild + parent.childCount++] =
        static_cast<uint32_t>(i);
  }

  std::size_t size = 16;
  while (size < entries_.size() * 2)
    size *= 2;
  slots_.assign(size, 0);
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    uint32_t slot = slotFor(entries_[i].node.id, size - 1);
    while (slots_[slot])
      slot = (slot + 1) & (size - 1);
    slots_[slot] = static_cast<uint32_t>(i + 1);
  }
  currentIndex = this;
}

TreeIndex::~TreeIndex() {
  currentIndex = outer_;
  spareStorage.entries.swap(entries_);
  spareStorage.children.swap(children_);
  spareStorage.slots.swap(slots_);
}

const TreeIndex *TreeIndex::covering(Node node) {
  return currentIndex && !isNull(node) && node.tree == currentIndex->tree_
             ? currentIndex
             : nullptr;
}

const TreeIndex::Entry *TreeIndex::find(Node node) const {
  std::size_t mask = slots_.size() - 1;
  for (uint32_t slot = slotFor(node.id, mask); slots_[slot];
       slot = (slot + 1) & mask) {
    const Entry &entry = entries_[slots_[slot] - 1];
    if (entry.node.id == node.id)
      return &entry;
  }
  return nullptr;
}

std::string_view Source::text(Node node) const {
  if (isNull(node))
    return {};
  uint32_t begin = startByte(node);
  uint32_t end = endByte(node);
  const std::string &all = file_.text();
  if (begin > end || end > all.size())
    return {};
  return std::string_view(all).substr(begin, end - begin);
}

SourceLocation Source::where(Node node) const {
  if (isNull(node))
    return {};
  return file_.span(startByte(node), endByte(node));
}

std::optional<std::string> Source::stringValue(Node node) const {
  node = unwrapTypes(node);
  if (is(node, "string")) {
    std::string value;
    for (Node part : namedChildren(node)) {
      if (is(part, "string_fragment")) {
        value += text(part);
      } else if (is(part, "escape_sequence")) {
        std::string_view escape = text(part);
        value += escape.size() == 2 && escape[1] == 'n' ? '\n'
                 : escape.size() >= 2                   ? escape[1]
                                                        : '\\';
      }
    }
    return value;
  }
  if (is(node, "template_string")) {
    std::string value;
    for (Node part : namedChildren(node)) {
      if (is(part, "template_substitution"))
        return std::nullopt;
      value += text(part);
    }
    return value;
  }
  return std::nullopt;
}

std::optional<std::string> Source::propertyName(Node node) const {
  if (is(node, "property_identifier") || is(node, "identifier") ||
      is(node, "shorthand_property_identifier") ||
      is(node, "private_property_identifier"))
    return str(node);
  if (is(node, "string"))
    return stringValue(node);
  if (is(node, "number"))
    return str(node);
  return std::nullopt;
}

std::string Source::calleeName(Node node) const {
  node = unwrap(node);
  if (is(node, "call_expression"))
    return calleeName(field(node, "function"));
  if (is(node, "member_expression"))
    return str(field(node, "property"));
  if (is(node, "identifier") || is(node, "type_identifier") ||
      is(node, "property_identifier"))
    return str(node);
  return {};
}

double parseBudgetSeconds(std::size_t size) {
  return 1.0 + static_cast<double>(size) * 20e-6;
}

std::string parserGaveUp(std::size_t size) {
  char budget[32];
  std::snprintf(budget, sizeof budget, "%.1f", parseBudgetSeconds(size));
  return std::string("file not analysed: the parser gave up (its error "
                     "recovery ran past ") +
         budget + " s)";
}

namespace {
// tree-sitter's allocator, but for what it does on failure: its own prints
// and aborts, which a worker's memory limit turned into a "crash".
void *orOutOfMemory(void *memory, std::size_t size) {
  if (!memory && size > 0)
    outOfMemory();
  return memory;
}
void *parserMalloc(std::size_t size) {
  return orOutOfMemory(std::malloc(size), size);
}
void *parserCalloc(std::size_t count, std::size_t size) {
  return orOutOfMemory(std::calloc(count, size), count * size);
}
void *parserRealloc(void *memory, std::size_t size) {
  return orOutOfMemory(std::realloc(memory, size), size);
}
} // namespace

TSTree *parseWithinBudget(TSParser *parser, const std::string &text,
                          double seconds, const TSTree *old) {
  static const bool allocatorSet =
      (ts_set_allocator(parserMalloc, parserCalloc, parserRealloc, std::free),
       true);
  (void)allocatorSet;
  if (seconds <= 0)
    return nullptr;
  ts_parser_set_timeout_micros(parser, static_cast<uint64_t>(seconds * 1e6));
  TSTree *tree = ts_parser_parse_string(parser, old, text.data(),
                                        static_cast<uint32_t>(text.size()));
  // A parse that timed out would resume on the next call: start afresh.
  ts_parser_reset(parser);
  return tree;
}

} // namespace racelint::ts
