#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace racelint {

/// Where a migration file stands in the order the schema is built. Files with
/// a version (a timestamp or number in the name, as Supabase, Prisma, Flyway,
/// Rails, Django and most tools write them) come first, by version; then
/// Flyway's repeatable `R__` scripts; then every other file in path order.
struct MigrationOrderKey {
  int group = 0; // 0 versioned, 1 repeatable, 2 unversioned
  std::vector<std::uint64_t> version;
  std::string path;

  auto operator<=>(const MigrationOrderKey &) const = default;
};

MigrationOrderKey migrationOrderKey(const std::string &displayPath);

/// Alembic's order: each revision after the one it names as down_revision.
/// Returns each revision's position in that chain (roots first; branches
/// in revision order), for the revisions of `parentOf` (revision -> parent).
std::map<std::string, std::uint64_t>
revisionChainOrder(const std::map<std::string, std::string> &parentOf);

} // namespace racelint
