#pragma once

// Framework knowledge as data: analyzer/models/*.yaml, embedded in the binary
// at build time and parsed once. Front-ends consult these tables; only what
// data cannot say is code.

#include "model/Program.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace racelint {

using NameSet = std::set<std::string>;

/// One ORM operation: the event it makes and what each argument is.
struct OperationModel {
  /// "read", "insert", "update", "delete", "upsert" or "save" (an entity
  /// instance: update when it was loaded, insert when it is new).
  std::string kind;
  std::vector<std::string> args;
  /// The database computes the new value from the current one.
  bool atomic = false;
  /// The call fails when no row matches, so its outcome is checked.
  bool throwsWhenNoRow = false;
  /// For reads: "row", "rows" or "value" (a count or a boolean).
  std::string result = "row";
};

struct TypeOrmModel {
  NameSet repositoryTypes, managerTypes, dataSourceTypes, queryRunnerTypes;
  NameSet injectRepositoryDecorators;
  std::map<std::string, OperationModel> operations;
  /// Keys of a find-options object (`where`, `select`, `lock`, ...).
  NameSet findOptions;
  /// Where-value operators (`In`, `MoreThan`, ...); `Equal` is not one.
  NameSet findOperators;
  std::map<std::string, RowLock> lockModes;
  /// Methods that run a query-builder chain, with what they return.
  std::map<std::string, std::string> queryBuilderRuns;
  NameSet entityDecorators, columnDecorators, primaryDecorators,
      versionDecorators, generatedDecorators;
};

struct PrismaModel {
  NameSet clientTypes, clientNames;
  std::map<std::string, OperationModel> operations;
  NameSet atomicOperators, comparisonOperators, rawSql;
  std::string transaction;
  std::map<std::string, Isolation> isolationLevels;
};

struct HttpModel {
  NameSet controllerDecorators, headerDecorators, bodyDecorators,
      requestDecorators, wrapperDecorators;
  std::map<std::string, std::string> routeDecorators; // decorator -> method
  std::map<std::string, std::string> expressRouteMethods;
  NameSet expressHeaderGetters;
  /// Declared types of a request object, and of a request body (DTO names).
  NameSet requestTypes;
  std::vector<std::string> requestBodyTypeSuffixes;
  /// Global functions whose result is their first argument in another type.
  NameSet valueConversions;
  std::vector<std::string> idempotencyMarkers;
  NameSet idempotencyHeaders, concurrencyHeaders;
  std::vector<std::string> webhookMarkers;
  NameSet uniqueViolationMarkers;
  /// Next.js: App Router route files and methods, the Pages Router API
  /// directory, header functions, body readers, the server-action directive.
  std::string nextRouteFile, nextPagesApiDir, nextServerActionDirective;
  NameSet nextRouteMethods, nextHeaderFunctions, nextBodyReaders;

  /// `name` (a middleware, interceptor, guard or decorator) de-duplicates
  /// requests by idempotency key.
  bool isIdempotencyMarker(const std::string &name) const;
  bool isWebhookRoute(const std::string &route) const;
};

/// The same provider's Python library: its module (`stripe`) and client
/// classes, with their own resource names and keyword arguments.
struct PythonPaymentApi {
  NameSet modules, constructors;
  NameSet calls;      // "PaymentIntent.create", "payment_intents.create"
  NameSet namespaces; // path segments that add nothing (`client.v1`)
  std::string idempotencyOption; // a keyword, or a key of `options={...}`
  std::string optionsArgument;
  NameSet webhookVerifiers;
};

struct PaymentProvider {
  std::string provider;
  NameSet constructors, names;
  NameSet calls; // "paymentIntents.create"
  std::string idempotencyOption;
  NameSet webhookVerifiers;
  std::string signatureHeader;
  std::string eventId;
  PythonPaymentApi python;
};

struct EmailSender {
  NameSet types, names;
  NameSet calls; // "emails.send"
};

struct EffectsModel {
  std::vector<PaymentProvider> payments;
  NameSet randomGenerators;
  NameSet httpFunctions, httpClients, httpMethods, httpIdempotencyHeaders;
  std::vector<EmailSender> email;

  const PaymentProvider *providerNamed(const std::string &name) const;
  const PaymentProvider *providerConstructedBy(const std::string &type) const;
  const PaymentProvider *provider(const std::string &provider) const;
  /// The provider whose Python module or client class `name` is.
  const PaymentProvider *pythonProvider(const std::string &name) const;
  /// The index of the email sender `name` stands for, or -1.
  int emailSenderNamed(const std::string &name) const;
  /// The index of the email sender of this type or constructor, or -1.
  int emailSenderTyped(const std::string &type) const;
};

struct SupabaseModel {
  NameSet clientFactories, clientNames, clientTypes;
  NameSet equalityFilters, listFilters, otherFilters, singleRow;
};

struct SqlClientModel {
  NameSet constructors, names, methods, tags, transactions;
};

struct PythonModel {
  NameSet sessionTypes, sessionNames, extensionNames, modelBases;
  NameSet columnConstructors, uniqueConstraints, indexes;
  std::map<std::string, std::string> queryRuns;  // method -> row|rows|value
  std::map<std::string, std::string> statements; // select/update/...
  NameSet executes, integrityErrors, primaryKeyGets;
  std::string alembicRevision, alembicDownRevision, alembicOp;
  std::map<std::string, std::string> routeMethods;       // post -> POST
  std::map<std::string, std::string> routerConstructors; // APIRouter -> prefix
  NameSet headerFunctions, requestTypes, notBody, dependencyFunctions;
  NameSet flaskRouteDecorators, flaskRequestNames, flaskBodyMembers,
      flaskBodyMethods, exitingCalls;
  /// Builtins whose result is their argument, as far as taint goes (`str`).
  NameSet conversions;
  /// `create_engine`: its `isolation_level` applies to every session.
  std::string engineConstructor;
  /// Dialect -> string prefixes that select it (URLs, Django ENGINEs).
  std::map<std::string, std::vector<std::string>> databaseDialects;
  struct Django {
    std::string modelsModule, modelBase, migrationBase;
    NameSet relationFields, nonColumns, uniqueConstraints, managers;
    std::map<std::string, std::string> queryRuns;
    NameSet equalityLookups, atomic;
    std::map<std::string, std::string> viewDecorators, viewMethods;
    NameSet viewBases;
    std::string actionDecorator;
    NameSet bodyMembers;
    std::string metaHeaderPrefix;
    NameSet notModelSuffixes;
  } django;
};

/// A C/C++ call that runs SQL (cpp.yaml `execute`); argument positions, -1
/// when absent.
struct CppSqlCall {
  int sql = -1;
  /// The argument naming a statement prepared elsewhere, instead of `sql`.
  int statement = -1;
  /// The first of the values bound to $1, $2, ...
  int values = -1;
  /// The call throws unless the expected number of rows came back.
  bool rowsChecked = false;
  /// "sqlite": the SQL is SQLite's (rewritten with sql::sqliteToPostgres).
  std::string dialect;
  /// The argument whose lambda receives the result.
  int resultCallback = -1;
};

struct CppTransactionType {
  int isolationArgument = -1; // the template argument naming the level
  bool nested = false;        // a savepoint in the enclosing transaction
  /// The constructor argument naming a behavior, and the behaviors that
  /// make the transaction serializable (SQLite's IMMEDIATE).
  int behaviorArgument = -1;
  NameSet serializableBehaviors;
};

/// Prepared statements bound by position and run step by step (SQLite).
struct CppStatementApi {
  std::string dialect;
  /// Prepare calls: the SQL argument and the statement's out-parameter.
  std::map<std::string, std::pair<int, int>> prepare;
  /// Classes constructed from SQL: the constructor's SQL argument.
  std::map<std::string, int> types;
  /// Bind calls: the position (or name) argument and the value argument.
  std::map<std::string, std::pair<int, int>> bind;
  NameSet run, columns, changes;
};

/// SQL streamed into a session with bound values (SOCI).
struct CppStreamApi {
  NameSet start, preparedStart, append, chain, use, into;
  /// Objects built from a prepared stream: statements run by `execute`,
  /// rowsets at once.
  NameSet statementTypes, rowsetTypes, execute;
};

/// A call that registers an HTTP handler (cpp.yaml `http.routes`).
struct CppRoute {
  std::string method;
  int path = -1, handler = -1, methods = -1;
  /// The chain call holding the path (argument 0), and the chain calls that
  /// name the methods.
  std::string pathFrom;
  NameSet methodsFrom;
  /// The handler is this method of the registering template's argument.
  std::string handlerMethod;
};

/// ORM mappers over model classes (Drogon's).
struct CppMapperApi {
  NameSet types, criteria, equalOperators;
  std::string tableMember, columnPrefix, primaryKey;
  std::vector<std::string> setterPrefixes, getterPrefixes;
  /// Method -> "read", "read_by_key", "insert", "update" or "delete".
  std::map<std::string, std::string> operations;
};

/// C and C++ libraries, by the qualified names of their declarations.
struct CppModel {
  std::map<std::string, CppTransactionType> transactions;
  NameSet autocommitTypes, transactionFactories, transactionParameters, commit,
      abort, uniqueViolationErrors;
  std::map<std::string, CppSqlCall> execute;
  /// Prepare calls: the arguments holding the statement's name and its SQL.
  std::map<std::string, std::pair<int, int>> prepare;
  CppStatementApi statements;
  CppStreamApi streams;
  CppMapperApi mappers;
  NameSet requestTypes, headerGetters;
  /// Outbound HTTP calls -> their method.
  std::map<std::string, std::string> httpClients;
  std::map<std::string, CppRoute> routes;
};

struct FrameworkModels {
  TypeOrmModel typeorm;
  PrismaModel prisma;
  HttpModel http;
  EffectsModel effects;
  SupabaseModel supabase;
  SqlClientModel sqlClients;
  PythonModel python;
  CppModel cpp;
};

/// The models built into the binary (parsed on first use; thread-safe).
const FrameworkModels &builtinModels();

/// Parses the models from YAML text; throws std::runtime_error naming the
/// file and the problem.
FrameworkModels parseFrameworkModels(
    const std::string &typeormYaml, const std::string &prismaYaml,
    const std::string &httpYaml, const std::string &effectsYaml,
    const std::string &supabaseYaml, const std::string &sqlClientsYaml,
    const std::string &pythonYaml, const std::string &cppYaml);

std::optional<Isolation> isolationFromName(std::string name);

} // namespace racelint
