#include "PgJson.h"

#include <algorithm>

namespace racelint::pg {

namespace {
const Json &nullJson() {
  static const Json null;
  return null;
}
} // namespace

std::string_view nodeType(const Json &node) {
  if (!node.is_object() || node.size() != 1)
    return {};
  return node.begin().key();
}

const Json &nodeBody(const Json &node) {
  if (!node.is_object() || node.size() != 1)
    return nullJson();
  return node.begin().value();
}

std::size_t depthOf(const Json &node) {
  std::size_t deepest = 0;
  std::vector<std::pair<const Json *, std::size_t>> pending{{&node, 1}};
  while (!pending.empty()) {
    auto [current, depth] = pending.back();
    pending.pop_back();
    if (!current->is_structured())
      continue;
    deepest = std::max(deepest, depth);
    for (const Json &child : *current)
      pending.emplace_back(&child, depth + 1);
  }
  return deepest;
}

const Json *asNode(const Json &node, std::string_view type) {
  if (nodeType(node) != type)
    return nullptr;
  return &nodeBody(node);
}

const Json &member(const Json &object, std::string_view key) {
  if (!object.is_object())
    return nullJson();
  auto it = object.find(key);
  return it == object.end() ? nullJson() : *it;
}

std::string stringMember(const Json &object, std::string_view key) {
  const Json &value = member(object, key);
  return value.is_string() ? value.get<std::string>() : std::string();
}

int intMember(const Json &object, std::string_view key, int fallback) {
  const Json &value = member(object, key);
  return value.is_number_integer() ? value.get<int>() : fallback;
}

bool boolMember(const Json &object, std::string_view key) {
  const Json &value = member(object, key);
  return value.is_boolean() && value.get<bool>();
}

std::vector<std::string> stringList(const Json &list) {
  std::vector<std::string> names;
  if (!list.is_array())
    return names;
  for (const Json &item : list)
    if (const Json *string = asNode(item, "String"))
      names.push_back(stringMember(*string, "sval"));
  return names;
}

std::string lastName(const Json &list) {
  std::vector<std::string> names = stringList(list);
  return names.empty() ? std::string() : names.back();
}

std::string qualifiedTable(const std::string &schema, const std::string &name) {
  if (schema.empty() || schema == "public")
    return name;
  return schema + "." + name;
}

std::string relationName(const Json &rangeVar) {
  return qualifiedTable(stringMember(rangeVar, "schemaname"),
                        stringMember(rangeVar, "relname"));
}

std::string relationName(const std::vector<std::string> &names) {
  if (names.empty())
    return "";
  return qualifiedTable(names.size() > 1 ? names[names.size() - 2] : "",
                        names.back());
}

} // namespace racelint::pg
