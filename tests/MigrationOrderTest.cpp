#include "engine/MigrationOrder.h"

#include <gtest/gtest.h>

using racelint::migrationOrderKey;

namespace {

TEST(MigrationOrder, CommonLayouts) {
  EXPECT_LT(migrationOrderKey("supabase/migrations/20240101000000_a.sql"),
            migrationOrderKey("supabase/migrations/20240201000000_b.sql"));
  EXPECT_LT(
      migrationOrderKey("prisma/migrations/20240101000000_a/migration.sql"),
      migrationOrderKey("prisma/migrations/20240201000000_b/migration.sql"));
  EXPECT_LT(migrationOrderKey("db/V2__b.sql"),
            migrationOrderKey("db/V10__a.sql"));
  EXPECT_LT(migrationOrderKey("db/V1_1__b.sql"),
            migrationOrderKey("db/V1_2__a.sql"));
  EXPECT_LT(migrationOrderKey("db/V9__x.sql"),
            migrationOrderKey("db/R__views.sql"));
  EXPECT_LT(migrationOrderKey("m/0002_b.sql"),
            migrationOrderKey("m/0010_a.sql"));
  EXPECT_LT(migrationOrderKey("m/0010_a.sql"),
            migrationOrderKey("m/schema.sql"));
  EXPECT_LT(migrationOrderKey("m/a.sql"), migrationOrderKey("m/b.sql"));
}

} // namespace
