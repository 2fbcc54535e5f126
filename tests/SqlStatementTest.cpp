#include "sql/SqlStatement.h"
#include "sql/SqliteDialect.h"

#include <gtest/gtest.h>

using namespace racelint;
using racelint::sql::analyzeSql;
using racelint::sql::SqlContext;
using racelint::sql::sqliteToPostgres;

namespace {

Event single(const std::string &sql, const SqlContext &context = {}) {
  auto facts = analyzeSql(sql, context);
  EXPECT_TRUE(facts);
  EXPECT_EQ(facts->events.size(), 1u) << sql;
  return facts->events.empty() ? Event{} : facts->events.back().event;
}

TEST(SqlStatement, SelectWithLockAndKeys) {
  Event read =
      single("SELECT status, price FROM public.leads l WHERE l.id = $1 AND "
             "status = 'open' AND price > 3 FOR UPDATE SKIP LOCKED");
  EXPECT_EQ(read.kind, EventKind::Read);
  EXPECT_EQ(read.table, "leads");
  EXPECT_EQ(read.readColumns, (std::vector<std::string>{"status", "price"}));
  EXPECT_EQ(read.keyColumns, (std::vector<std::string>{"id", "status"}));
  EXPECT_EQ(read.predicateColumns,
            (std::vector<std::string>{"id", "status", "price"}));
  EXPECT_EQ(read.lock, RowLock::Update);
  EXPECT_FALSE(read.lockWaits);
}

TEST(SqlStatement, UpdateAtomicAndNonAtomicSets) {
  SqlContext context{{"v_balance"}};
  auto facts =
      analyzeSql("UPDATE credits SET balance = balance - $2, note = v_balance "
                 "WHERE workspace_id = $1 AND version = 3",
                 context);
  ASSERT_TRUE(facts);
  const sql::StatementEvent &update = facts->events.back();
  ASSERT_EQ(update.event.setColumns.size(), 2u);
  EXPECT_TRUE(update.event.setColumns[0].atomic);
  EXPECT_FALSE(update.event.setColumns[1].atomic);
  EXPECT_EQ(update.event.keyColumns,
            (std::vector<std::string>{"workspace_id", "version"}));
  EXPECT_TRUE(update.valueVariables.count("v_balance"));
}

TEST(SqlStatement, InsertOnConflictIsAnUpsert) {
  Event upsert = single("INSERT INTO processed_events (event_id) VALUES ($1) "
                        "ON CONFLICT (event_id) DO NOTHING");
  EXPECT_EQ(upsert.kind, EventKind::Upsert);
  EXPECT_EQ(upsert.keyColumns, (std::vector<std::string>{"event_id"}));
  Event insert = single("INSERT INTO users (email, name) VALUES ($1, $2)");
  EXPECT_EQ(insert.kind, EventKind::Insert);
  EXPECT_EQ(insert.setColumns.size(), 2u);
}

TEST(SqlStatement, DeleteAndTransactions) {
  EXPECT_EQ(single("DELETE FROM carts WHERE id = $1").kind, EventKind::Delete);
  Event begin = single("BEGIN ISOLATION LEVEL SERIALIZABLE");
  EXPECT_EQ(begin.kind, EventKind::TxBegin);
  EXPECT_EQ(begin.isolation, Isolation::Serializable);
  EXPECT_EQ(single("COMMIT").kind, EventKind::TxEnd);
  auto set = analyzeSql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", {});
  ASSERT_TRUE(set && set->setIsolation);
  EXPECT_EQ(*set->setIsolation, Isolation::RepeatableRead);
}

TEST(SqlStatement, SubqueryReadsComeFirst) {
  auto facts =
      analyzeSql("INSERT INTO members (user_id) SELECT $1 WHERE NOT EXISTS "
                 "(SELECT 1 FROM members WHERE user_id = $1)",
                 {});
  ASSERT_TRUE(facts);
  ASSERT_EQ(facts->events.size(), 2u);
  EXPECT_EQ(facts->events[0].event.kind, EventKind::Read);
  EXPECT_EQ(facts->events[1].event.kind, EventKind::Insert);
}

TEST(SqlStatement, AdvisoryLocks) {
  Event lock = single("SELECT pg_advisory_xact_lock(hashtext($1))");
  EXPECT_EQ(lock.kind, EventKind::Lock);
  EXPECT_TRUE(lock.advisory);
  EXPECT_TRUE(lock.transactionScoped);
}

TEST(SqlStatement, SyntaxErrorIsReported) {
  std::string error;
  EXPECT_FALSE(analyzeSql("SELEC 1 FROM", {}, &error));
  EXPECT_NE(error.find("syntax error"), std::string::npos);
}

TEST(SqliteDialect, PlaceholdersNumberedInOrderOrByPosition) {
  EXPECT_EQ(sqliteToPostgres("SELECT id FROM t WHERE a = ? AND b = ?"),
            "SELECT id FROM t WHERE a = $1 AND b = $2");
  EXPECT_EQ(sqliteToPostgres("UPDATE t SET a = ?2 WHERE id = ?1 AND b = ?"),
            "UPDATE t SET a = $2 WHERE id = $1 AND b = $2");
  // Quoted text and comments keep their question marks.
  EXPECT_EQ(sqliteToPostgres("SELECT '?' FROM t -- why?\nWHERE a = ?"),
            "SELECT '?' FROM t -- why?\nWHERE a = $1");
}

TEST(SqliteDialect, BeginModes) {
  auto begin = [](const std::string &sql) {
    auto facts = analyzeSql(sqliteToPostgres(sql), {});
    EXPECT_TRUE(facts) << sql;
    return facts && !facts->events.empty() ? facts->events.front().event
                                           : Event{};
  };
  EXPECT_EQ(begin("BEGIN IMMEDIATE").isolation, Isolation::Serializable);
  EXPECT_EQ(begin("begin exclusive transaction;").isolation,
            Isolation::Serializable);
  EXPECT_EQ(begin("BEGIN DEFERRED").kind, EventKind::TxBegin);
  EXPECT_EQ(begin("BEGIN DEFERRED").isolation, Isolation::Unspecified);
}

TEST(SqliteDialect, InsertOrIgnoreIsAnUpsert) {
  Event insert = single(sqliteToPostgres(
      "INSERT OR IGNORE INTO waitlist (event_id, email) VALUES (?, ?);"));
  EXPECT_EQ(insert.kind, EventKind::Upsert);
  EXPECT_EQ(insert.table, "waitlist");
}

} // namespace
