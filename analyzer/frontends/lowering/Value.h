#pragma once

// What the lowering walks know about a value: what it is (a repository, a
// query being built, a request, a row...) and what it carries (the reads it
// derives from, the writes whose outcome it holds, header values, request
// values). Shared by the front-ends built on tree-sitter.

#include "Syntax.h"
#include "model/Program.h"

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace racelint::lowering {

using ts::Node;

/// What a value is, as far as data access is concerned.
enum class Role {
  Plain,          // with `loadedBy`: the rows a read returned
  Repository,     // TypeORM Repository<name>
  Manager,        // TypeORM EntityManager
  DataSource,     // TypeORM DataSource
  QueryRunner,    // TypeORM QueryRunner
  QueryBuilder,   // TypeORM SelectQueryBuilder & co. (state in `builder`)
  PrismaClient,   // PrismaClient, or the `tx` of an interactive transaction
  PrismaDelegate, // prisma.<name>
  Request,        // an HTTP request (Express req, NestJS @Req())
  RequestHeaders, // its headers object
  EntityInstance, // an entity object (loaded by a read, or new)
  Service,        // an instance of class <name> of the scanned code
  EntityClass,    // an entity class itself (a TypeORM target)
  PaymentClient,  // a payment provider's client (provider in `name`), or one
                  // of its resources (`path`: "checkout.sessions")
  EmailClient,    // an email sender (its index in `name`), `path` as above
  HttpClient,     // axios and the like
  WebhookEvent,   // the event a provider's signature check returned
  SupabaseClient, // a supabase-js client
  SupabaseQuery,  // a PostgREST query being built (state in `query`)
  SqlClient,      // node-postgres, postgres.js, knex: runs raw SQL
  Session,        // a SQLAlchemy session (or Flask-SQLAlchemy's db.session)
  OrmQuery,       // a SQLAlchemy query or statement being built (`orm`)
  SqlText,        // text("...") of SQLAlchemy: the SQL in `path`
};

/// A TypeORM query builder chain, as far as it has been built.
struct QueryBuilderState {
  std::string entity;
  std::string alias;
  enum class Operation {
    Select,
    Update,
    Insert,
    Delete
  } operation = Operation::Select;
  std::vector<Node> setObjects;                  // .set({...}), .values({...})
  std::vector<std::pair<Node, Node>> conditions; // .where('sql', params)
  RowLock lock = RowLock::None;
  bool lockWaits = true;
  bool onConflict = false; // .orIgnore(), .orUpdate()
};

/// A supabase-js query builder chain, as far as it has been built. It runs
/// when awaited.
struct SupabaseQueryState {
  std::string table;
  enum class Operation {
    Select,
    Insert,
    Update,
    Upsert,
    Delete
  } operation = Operation::Select;
  Node values{};                                   // insert/update/upsert
  std::vector<std::pair<std::string, Node>> equal; // eq(column, value)
  std::vector<std::string> tested;                 // other filters
  bool many = false;                               // in(column, list)
  std::vector<std::string> selected;               // select('a, b')
  bool selectsAll = false;
  std::vector<std::string> onConflict;
  bool ignoreDuplicates = false;
  bool returning = false; // .select() after a write, or a count requested
  bool single = false;
};

/// A SQLAlchemy query (`session.query(M).filter(...)`) or statement
/// (`select(M).where(...)`, `update(M)...`), as far as it has been built.
struct OrmQueryState {
  std::string model;
  /// Or the model the caller passes in this parameter, or that the receiver
  /// holds in this attribute (see Event::tableParameter).
  std::optional<unsigned> tableParameter;
  std::string tableAttribute;
  /// Django's ORM (autocommit outside `transaction.atomic`), not a
  /// SQLAlchemy session (a transaction from the first statement).
  bool django = false;
  enum class Operation {
    Select,
    Update,
    Delete,
    Insert
  } operation = Operation::Select;
  std::vector<std::pair<std::string, Node>> equal;  // column == value
  std::vector<std::string> tested;                  // other comparisons
  std::vector<std::pair<std::string, Node>> values; // column -> new value
  bool valuesUnknown = false; // **kwargs, a dict built elsewhere
  RowLock lock = RowLock::None;
  bool onConflictDoNothing = false, onConflictDoUpdate = false;
  std::vector<std::string> conflictColumns;
};

struct Value {
  Role role = Role::Plain;
  /// Entity class, Prisma delegate or service class name, by role.
  std::string name;
  /// The reads this value derives from (def-use of query results).
  std::set<EventIndex> reads;
  /// The writes whose result (affected rows, count) this value carries.
  std::set<EventIndex> writeResults;
  /// The header reads whose value this is.
  std::set<EventIndex> headers;
  bool fromRequest = false;
  /// A resource path below a client (`paymentIntents`, `emails`).
  std::string path;
  /// The application class the value is an instance of, when it is a
  /// framework's handle too (`class X extends Repository<Band>`): the methods
  /// the framework does not model are X's own.
  std::string className;
  /// Made fresh by this call (`randomUUID()`): never the same twice.
  bool random = false;
  /// An object built here (a literal, `new Entity()`, `repo.create()`), not
  /// loaded: saving it inserts a row.
  bool fresh = false;
  /// Computed by arithmetic from read values (`row.count + 1`).
  bool arithmetic = false;
  /// Carries a provider's event id (`event.id` of a verified webhook).
  bool eventId = false;
  /// A supabase-js result `{ data, error, count }` around the rows or the
  /// write's outcome: `data` is them, `error` says nothing of either.
  bool envelope = false;
  /// The unit's parameters (by position) this value derives from.
  std::set<unsigned> parameters;
  /// Which value this is, when it is a parameter, a path into one, the
  /// request or a literal (see Event::keyValues); empty when computed or
  /// loaded. Two values with different origins may still be equal at run
  /// time, but nothing in the code says so.
  std::string origin;
  /// What `self.<attribute>` holds, when only the receiver's class knows
  /// (Python): named so that a call can pass it on.
  std::string receiverAttribute;
  /// For entity instances: the read that loaded it, or the columns given
  /// when it was created (`repo.create({...})`).
  std::optional<EventIndex> loadedBy;
  std::vector<SetColumn> createdColumns;
  /// Of those, the columns given a provider's event id.
  std::vector<std::string> eventIdColumns;
  /// A column of a loaded row, bound by destructuring (`const { status } =
  /// order`): the read and the column, so that conditions on it count.
  std::optional<std::pair<EventIndex, std::string>> sourceColumn;
  std::shared_ptr<QueryBuilderState> builder;
  std::shared_ptr<SupabaseQueryState> query;
  std::shared_ptr<OrmQueryState> orm;

  /// The taint of `other` added to this value (roles are kept).
  void absorb(const Value &other);
};

} // namespace racelint::lowering
