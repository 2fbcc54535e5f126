#pragma once

// Small accessors over the JSON parse trees that libpg_query returns.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace racelint::pg {

using Json = nlohmann::json;

/// The node's type name ("SelectStmt") and its body, for a `{Type: {...}}`
/// node.
std::string_view nodeType(const Json &node);
const Json &nodeBody(const Json &node);
/// The body of `node` when it is of type `type`, else null.
const Json *asNode(const Json &node, std::string_view type);
/// A member of an object, or a shared null when absent (never throws).
const Json &member(const Json &object, std::string_view key);
std::string stringMember(const Json &object, std::string_view key);
int intMember(const Json &object, std::string_view key, int fallback = -1);
bool boolMember(const Json &object, std::string_view key);
/// The `sval` of each String node in a list (qualified names, key lists).
std::vector<std::string> stringList(const Json &list);
/// The last element of a qualified name list (`public.users` -> `users`).
std::string lastName(const Json &list);

/// A table's name as racelint keys it: bare in the default `public` schema,
/// qualified in any other (`auth.users` is not the application's `users`).
std::string qualifiedTable(const std::string &schema, const std::string &name);
/// The table a RangeVar names, and the one a dotted name list names.
std::string relationName(const Json &rangeVar);
std::string relationName(const std::vector<std::string> &names);
/// How deeply `node` nests (objects and arrays), counted without recursion.
std::size_t depthOf(const Json &node);
/// The deepest parse tree the walks below take: they recurse, and a
/// generated `1+1+...` of thousands of terms would overflow the stack.
/// PostgreSQL's own parser stops at about the same depth (max_stack_depth).
constexpr std::size_t kMaxTreeDepth = 1500;

/// Calls `visit` on every object node below `node` (pre-order).
template <typename Visit> void walk(const Json &node, Visit &&visit) {
  if (node.is_object()) {
    visit(node);
    for (const auto &item : node.items())
      walk(item.value(), visit);
  } else if (node.is_array()) {
    for (const Json &item : node)
      walk(item, visit);
  }
}

} // namespace racelint::pg
