#include "TestSupport.h"

#include <gtest/gtest.h>

using racelint::testing::scanFiles;

namespace {

TEST(Schema, CreateTableWithInlineAndTableConstraints) {
  auto result = scanFiles({{"001_init.sql", R"(
CREATE TABLE public.users (
  id bigserial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  org_id bigint,
  handle text,
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT users_org_handle UNIQUE (org_id, handle)
);)"}});
  const racelint::Table *users = result.schema.findTable("users");
  ASSERT_NE(users, nullptr);
  EXPECT_EQ(users->columns.size(), 5u);
  EXPECT_FALSE(users->findColumn("id")->nullable);
  EXPECT_TRUE(users->findColumn("id")->hasDefault);
  EXPECT_EQ(users->uniqueKeys.size(), 3u);
  EXPECT_NE(users->uniqueKeyWithin({"email"}), nullptr);
  EXPECT_EQ(users->uniqueKeyWithin({"handle"}), nullptr);
  EXPECT_NE(users->uniqueKeyWithin({"org_id", "handle"}), nullptr);
  ASSERT_NE(users->versionColumn(), nullptr);
  EXPECT_EQ(users->findColumn("email")->declared.line, 4u);
}

TEST(Schema, MigrationsApplyInVersionOrderNotPathOrder) {
  // 10_ sorts before 9_ as text; by version it comes after, and drops the key.
  auto result = scanFiles({
      {"9_add_key.sql",
       "ALTER TABLE t ADD CONSTRAINT t_code_key UNIQUE (code);"},
      {"10_drop_key.sql", "ALTER TABLE t DROP CONSTRAINT t_code_key;"},
      {"1_create.sql", "CREATE TABLE t (id int PRIMARY KEY, code text);"},
  });
  const racelint::Table *table = result.schema.findTable("t");
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->uniqueKeyWithin({"code"}), nullptr);
}

TEST(Schema, AlterRenameDropAndIndexes) {
  auto result = scanFiles({{"supabase/migrations/20240101000000_init.sql", R"(
CREATE TABLE accounts (id uuid PRIMARY KEY, mail text, legacy text);
ALTER TABLE accounts RENAME COLUMN mail TO email;
ALTER TABLE accounts DROP COLUMN legacy;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS accounts_email_live
  ON accounts (lower(email)) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX accounts_id_email ON accounts (id, email);
DROP INDEX accounts_id_email;
ALTER TABLE accounts ADD COLUMN version int;
ALTER TABLE accounts ALTER COLUMN version SET NOT NULL, ALTER COLUMN version SET DEFAULT 1;
ALTER TABLE accounts RENAME TO members;
CREATE TABLE scratch (id int);
DROP TABLE scratch;
)"}});
  EXPECT_EQ(result.schema.findTable("accounts"), nullptr);
  EXPECT_EQ(result.schema.findTable("scratch"), nullptr);
  const racelint::Table *members = result.schema.findTable("members");
  ASSERT_NE(members, nullptr);
  EXPECT_NE(members->findColumn("email"), nullptr);
  EXPECT_EQ(members->findColumn("legacy"), nullptr);
  const racelint::UniqueKey *key = members->uniqueKeyWithin({"email"});
  ASSERT_NE(key, nullptr);
  EXPECT_TRUE(key->partial);
  EXPECT_EQ(key->name, "accounts_email_live");
  EXPECT_EQ(members->uniqueKeys.size(), 2u); // pkey and the partial index
  EXPECT_FALSE(members->findColumn("version")->nullable);
  EXPECT_TRUE(members->findColumn("version")->hasDefault);
}

TEST(Schema, PrismaMigrationDirectoriesOrderByTheirTimestamp) {
  auto result = scanFiles({
      {"prisma/migrations/20240102000000_key/migration.sql",
       "CREATE UNIQUE INDEX \"Order_ref_key\" ON \"Order\"(\"ref\");"},
      {"prisma/migrations/20240101000000_init/migration.sql",
       "CREATE TABLE \"Order\" (\"id\" TEXT NOT NULL, \"ref\" TEXT NOT NULL, "
       "CONSTRAINT \"Order_pkey\" PRIMARY KEY (\"id\"));"},
  });
  const racelint::Table *order = result.schema.findTable("Order");
  ASSERT_NE(order, nullptr);
  EXPECT_NE(order->uniqueKeyWithin({"ref"}), nullptr);
}

} // namespace
