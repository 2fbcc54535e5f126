// The object arguments ORMs take: predicates (`where`), values to write
// (`data`, `set`), selected columns, and object members.

#include "Lowerer.h"

namespace racelint::ts {

namespace {

std::string capitalized(std::string name) {
  if (!name.empty())
    name[0] =
        static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name;
}

} // namespace

/// A member of an object literal as (key, value): `a: v`, `'a': v` and
/// shorthand `a`; a null value for spreads and computed keys.
std::pair<std::string, Node> Lowerer::objectMember(Node member) {
  if (is(member, "shorthand_property_identifier"))
    return {source_.str(member), member};
  if (is(member, "pair"))
    if (auto key = source_.propertyName(field(member, "key")))
      return {*key, unwrap(field(member, "value"))};
  return {"", Node{}};
}

void Lowerer::selectColumns(Node value, Event &event) {
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
void Lowerer::whereArgument(Node where, Event &event, bool prisma,
                            const std::string &prefix) {
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
    markUsed(value);
    addUnique(event.keyColumns, "id");
    addUnique(event.predicateColumns, "id");
    for (EventIndex read : value.reads)
      event.predicateValueFrom.emplace_back("id", read);
    addKeyValue(event, "id", value);
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
            operators |=
                models_.prisma.comparisonOperators.count(op) || op == "equals";
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
    markUsed(value);
    addUnique(event.predicateColumns, column);
    // TypeORM's `In([...])`; in Prisma, and for any other call, the call's
    // result is the value compared with.
    bool operatorCall =
        !prisma && is(valueNode, "call_expression") &&
        models_.typeorm.findOperators.count(source_.calleeName(valueNode));
    if (!operatorCall) {
      addUnique(event.keyColumns, column);
      addKeyValue(event, column, value);
    }
    for (EventIndex read : value.reads)
      event.predicateValueFrom.emplace_back(column, read);
  }
}

/// Property values to write; returns what they carry.
Value Lowerer::dataObject(Node data, Event &event, bool prisma) {
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
    markUsed(carried);
    event.valuesFromRequest |= carried.fromRequest;
    return carried;
  }
  for (Node pair : namedChildren(data)) {
    if (is(pair, "spread_element")) {
      Value spread = expression(pair);
      markUsed(spread);
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
    markUsed(value);
    if (!set.atomic) {
      carried.absorb(value);
      event.valuesFromRequest |= value.fromRequest;
      set.fromCurrentValue = value.arithmetic;
    }
    if (value.eventId)
      addUnique(event.eventIdColumns, key);
    event.setColumns.push_back(set);
  }
  return carried;
}

} // namespace racelint::ts
