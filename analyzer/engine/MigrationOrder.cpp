#include "MigrationOrder.h"

#include <cctype>
#include <filesystem>

namespace racelint {
namespace {

/// Leading numeric fields of `name`: "20240101_x" -> {20240101};
/// with `dotted`, Flyway's "1.2_3__x" -> {1, 2, 3}.
std::vector<std::uint64_t> leadingVersion(const std::string &name,
                                          bool dotted) {
  std::vector<std::uint64_t> version;
  std::size_t at = 0;
  while (at < name.size() &&
         std::isdigit(static_cast<unsigned char>(name[at]))) {
    std::uint64_t value = 0;
    while (at < name.size() &&
           std::isdigit(static_cast<unsigned char>(name[at]))) {
      value = value * 10 + static_cast<std::uint64_t>(name[at] - '0');
      ++at;
    }
    version.push_back(value);
    bool separator = at + 1 < name.size() &&
                     (name[at] == '.' || name[at] == '_') &&
                     std::isdigit(static_cast<unsigned char>(name[at + 1]));
    if (!dotted || !separator)
      break;
    ++at;
  }
  return version;
}

} // namespace

MigrationOrderKey migrationOrderKey(const std::string &displayPath) {
  std::filesystem::path path(displayPath);
  std::string name = path.filename().string();
  MigrationOrderKey key;
  key.path = displayPath;

  // prisma/migrations/<timestamp>_name/migration.sql: the directory orders.
  if (name == "migration.sql" && path.has_parent_path())
    name = path.parent_path().filename().string();

  if (name.size() > 1 && (name[0] == 'V' || name[0] == 'v') &&
      std::isdigit(static_cast<unsigned char>(name[1]))) {
    key.version = leadingVersion(name.substr(1), /*dotted=*/true);
  } else if (name.starts_with("R__")) {
    key.group = 1;
  } else {
    key.version = leadingVersion(name, /*dotted=*/false);
  }
  if (key.group == 0 && key.version.empty())
    key.group = 2;
  return key;
}

std::map<std::string, std::uint64_t>
revisionChainOrder(const std::map<std::string, std::string> &parentOf) {
  std::map<std::string, std::vector<std::string>> children;
  std::vector<std::string> roots;
  for (const auto &[revision, parent] : parentOf) {
    if (parent.empty() || !parentOf.count(parent))
      roots.push_back(revision);
    else
      children[parent].push_back(revision);
  }
  std::map<std::string, std::uint64_t> order;
  std::vector<std::string> pending(roots.rbegin(), roots.rend());
  while (!pending.empty()) {
    std::string revision = pending.back();
    pending.pop_back();
    if (!order.emplace(revision, order.size()).second)
      continue;
    const auto &next = children[revision];
    pending.insert(pending.end(), next.rbegin(), next.rend());
  }
  return order;
}

} // namespace racelint
