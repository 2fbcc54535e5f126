#include "Schema.h"

#include <algorithm>
#include <utility>

namespace racelint {

const Column *Table::findColumn(const std::string &name) const {
  auto it = std::find_if(columns.begin(), columns.end(),
                         [&](const Column &c) { return c.name == name; });
  return it == columns.end() ? nullptr : &*it;
}

Column *Table::findColumn(const std::string &name) {
  return const_cast<Column *>(std::as_const(*this).findColumn(name));
}

const Column *Table::versionColumn() const {
  if (declaredVersionColumn)
    return findColumn(*declaredVersionColumn);
  for (const Column &column : columns)
    if (isConventionalVersionColumnName(column.name))
      return &column;
  return nullptr;
}

const UniqueKey *
Table::uniqueKeyWithin(const std::vector<std::string> &names) const {
  const UniqueKey *best = nullptr;
  for (const UniqueKey &key : uniqueKeys) {
    bool covered = !key.columns.empty() &&
                   std::all_of(key.columns.begin(), key.columns.end(),
                               [&](const std::string &column) {
                                 return std::find(names.begin(), names.end(),
                                                  column) != names.end();
                               });
    if (covered && (!best || (best->partial && !key.partial)))
      best = &key;
  }
  return best;
}

Table *Schema::findTable(const std::string &name) {
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : &it->second;
}

const Table *Schema::findTable(const std::string &name) const {
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : &it->second;
}

Table &Schema::createTable(Table table) {
  std::string name = table.name;
  return tables_.insert_or_assign(name, std::move(table)).first->second;
}

void Schema::dropTable(const std::string &name) { tables_.erase(name); }

void Schema::renameTable(const std::string &from, const std::string &to) {
  auto node = tables_.extract(from);
  if (node.empty())
    return;
  node.key() = to;
  node.mapped().name = to;
  tables_.insert_or_assign(to, std::move(node.mapped()));
}

bool isConventionalVersionColumnName(const std::string &name) {
  return name == "version" || name == "lock_version" || name == "row_version" ||
         name == "rowversion";
}

} // namespace racelint
