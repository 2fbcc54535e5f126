#include "FrameworkModels.h"

#include "EmbeddedModels.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <yaml-cpp/yaml.h>

namespace racelint {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

NameSet names(const YAML::Node &node) {
  NameSet result;
  if (node && node.IsSequence())
    for (const YAML::Node &item : node)
      result.insert(item.as<std::string>());
  return result;
}

std::vector<std::string> list(const YAML::Node &node) {
  std::vector<std::string> result;
  if (node && node.IsSequence())
    for (const YAML::Node &item : node)
      result.push_back(item.as<std::string>());
  return result;
}

std::map<std::string, std::string> stringMap(const YAML::Node &node) {
  std::map<std::string, std::string> result;
  if (node && node.IsMap())
    for (const auto &item : node)
      result[item.first.as<std::string>()] = item.second.as<std::string>();
  return result;
}

std::map<std::string, OperationModel> operations(const YAML::Node &node) {
  std::map<std::string, OperationModel> result;
  if (!node || !node.IsMap())
    throw std::runtime_error("operations: a map is required");
  for (const auto &item : node) {
    OperationModel operation;
    operation.kind = item.second["kind"].as<std::string>();
    operation.args = list(item.second["args"]);
    operation.atomic = item.second["atomic"].as<bool>(false);
    operation.throwsWhenNoRow =
        item.second["throws_when_no_row"].as<bool>(false);
    operation.result = item.second["result"].as<std::string>("row");
    if (operation.result != "row" && operation.result != "rows" &&
        operation.result != "value")
      throw std::runtime_error("unknown result '" + operation.result + "'");
    result[item.first.as<std::string>()] = std::move(operation);
  }
  return result;
}

RowLock rowLockFromName(const std::string &name) {
  if (name == "update")
    return RowLock::Update;
  if (name == "no_key_update")
    return RowLock::NoKeyUpdate;
  if (name == "share")
    return RowLock::Share;
  if (name == "key_share")
    return RowLock::KeyShare;
  throw std::runtime_error("unknown lock '" + name + "'");
}

TypeOrmModel parseTypeOrm(const YAML::Node &root) {
  TypeOrmModel model;
  model.repositoryTypes = names(root["repository_types"]);
  model.managerTypes = names(root["manager_types"]);
  model.dataSourceTypes = names(root["data_source_types"]);
  model.queryRunnerTypes = names(root["query_runner_types"]);
  model.injectRepositoryDecorators =
      names(root["inject_repository_decorators"]);
  model.operations = operations(root["operations"]);
  model.findOptions = names(root["find_options"]);
  model.findOperators = names(root["find_operators"]);
  for (const auto &[mode, lock] : stringMap(root["lock_modes"]))
    model.lockModes[mode] = rowLockFromName(lock);
  model.queryBuilderRuns = stringMap(root["query_builder_runs"]);
  model.entityDecorators = names(root["entity_decorators"]);
  model.columnDecorators = names(root["column_decorators"]);
  model.primaryDecorators = names(root["primary_decorators"]);
  model.versionDecorators = names(root["version_decorators"]);
  model.generatedDecorators = names(root["generated_decorators"]);
  return model;
}

PrismaModel parsePrisma(const YAML::Node &root) {
  PrismaModel model;
  model.clientTypes = names(root["client_types"]);
  model.clientNames = names(root["client_names"]);
  model.operations = operations(root["operations"]);
  model.atomicOperators = names(root["atomic_operators"]);
  model.comparisonOperators = names(root["comparison_operators"]);
  model.rawSql = names(root["raw_sql"]);
  model.transaction = root["transaction"].as<std::string>();
  for (const auto &[name, level] : stringMap(root["isolation_levels"]))
    if (auto isolation = isolationFromName(level))
      model.isolationLevels[name] = *isolation;
    else
      throw std::runtime_error("unknown isolation level '" + level + "'");
  return model;
}

HttpModel parseHttp(const YAML::Node &root) {
  HttpModel model;
  const YAML::Node nest = root["nestjs"];
  model.controllerDecorators = names(nest["controller_decorators"]);
  model.routeDecorators = stringMap(nest["route_decorators"]);
  model.headerDecorators = names(nest["header_decorators"]);
  model.bodyDecorators = names(nest["body_decorators"]);
  model.requestDecorators = names(nest["request_decorators"]);
  model.wrapperDecorators = names(nest["wrapper_decorators"]);
  const YAML::Node express = root["express"];
  model.expressRouteMethods = stringMap(express["route_methods"]);
  model.expressHeaderGetters = names(express["header_getters"]);
  model.requestTypes = names(root["request_types"]);
  model.valueConversions = names(root["value_conversions"]);
  model.requestBodyTypeSuffixes = list(root["request_body_type_suffixes"]);
  for (const std::string &marker : list(root["idempotency_markers"]))
    model.idempotencyMarkers.push_back(lower(marker));
  model.idempotencyHeaders = names(root["idempotency_headers"]);
  model.concurrencyHeaders = names(root["concurrency_headers"]);
  model.webhookMarkers = list(root["webhook_markers"]);
  model.uniqueViolationMarkers = names(root["unique_violation_markers"]);
  const YAML::Node next = root["nextjs"];
  model.nextRouteFile = next["route_file"].as<std::string>();
  model.nextRouteMethods = names(next["route_methods"]);
  model.nextPagesApiDir = next["pages_api_dir"].as<std::string>();
  model.nextHeaderFunctions = names(next["header_functions"]);
  model.nextBodyReaders = names(next["body_readers"]);
  model.nextServerActionDirective =
      next["server_action_directive"].as<std::string>();
  return model;
}

EffectsModel parseEffects(const YAML::Node &root) {
  EffectsModel model;
  for (const YAML::Node &item : root["payments"]) {
    PaymentProvider provider;
    provider.provider = item["provider"].as<std::string>();
    provider.constructors = names(item["constructors"]);
    provider.names = names(item["names"]);
    provider.calls = names(item["calls"]);
    provider.idempotencyOption = item["idempotency_option"].as<std::string>();
    provider.webhookVerifiers = names(item["webhook_verifiers"]);
    provider.signatureHeader = item["signature_header"].as<std::string>("");
    provider.eventId = item["event_id"].as<std::string>("id");
    if (const YAML::Node python = item["python"]) {
      provider.python.modules = names(python["modules"]);
      provider.python.constructors = names(python["constructors"]);
      provider.python.calls = names(python["calls"]);
      provider.python.namespaces = names(python["namespaces"]);
      provider.python.idempotencyOption =
          python["idempotency_option"].as<std::string>();
      provider.python.optionsArgument =
          python["options_argument"].as<std::string>("");
      provider.python.webhookVerifiers = names(python["webhook_verifiers"]);
    }
    model.payments.push_back(std::move(provider));
  }
  model.randomGenerators = names(root["random_generators"]);
  const YAML::Node http = root["http"];
  model.httpFunctions = names(http["functions"]);
  model.httpClients = names(http["clients"]);
  model.httpMethods = names(http["methods"]);
  model.httpIdempotencyHeaders = names(http["idempotency_headers"]);
  for (const YAML::Node &item : root["email"])
    model.email.push_back(
        {names(item["types"]), names(item["names"]), names(item["calls"])});
  return model;
}

SupabaseModel parseSupabase(const YAML::Node &root) {
  SupabaseModel model;
  model.clientFactories = names(root["client_factories"]);
  model.clientNames = names(root["client_names"]);
  model.clientTypes = names(root["client_types"]);
  model.equalityFilters = names(root["equality_filters"]);
  model.listFilters = names(root["list_filters"]);
  model.otherFilters = names(root["other_filters"]);
  model.singleRow = names(root["single_row"]);
  return model;
}

SqlClientModel parseSqlClients(const YAML::Node &root) {
  SqlClientModel model;
  model.constructors = names(root["constructors"]);
  model.names = names(root["names"]);
  model.methods = names(root["methods"]);
  model.tags = names(root["tags"]);
  model.transactions = names(root["transactions"]);
  return model;
}

int argument(const YAML::Node &node) { return node ? node.as<int>() : -1; }

CppModel parseCpp(const YAML::Node &root) {
  CppModel model;
  for (const YAML::Node &item : root["transactions"]) {
    CppTransactionType type;
    type.isolationArgument = argument(item["isolation_argument"]);
    type.nested = item["nested"] && item["nested"].as<bool>();
    type.behaviorArgument = argument(item["behavior_argument"]);
    type.serializableBehaviors = names(item["serializable_behaviors"]);
    model.transactions[item["type"].as<std::string>()] = type;
  }
  model.autocommitTypes = names(root["autocommit_types"]);
  model.transactionFactories = names(root["transaction_factories"]);
  model.transactionParameters = names(root["transaction_parameters"]);
  model.commit = names(root["commit"]);
  model.abort = names(root["abort"]);
  model.uniqueViolationErrors = names(root["unique_violation_errors"]);
  for (const YAML::Node &item : root["execute"]) {
    CppSqlCall call;
    call.sql = argument(item["sql"]);
    call.statement = argument(item["statement"]);
    call.values = argument(item["values"]);
    call.rowsChecked = item["rows_checked"] && item["rows_checked"].as<bool>();
    if (item["dialect"])
      call.dialect = item["dialect"].as<std::string>();
    call.resultCallback = argument(item["result_callback"]);
    model.execute[item["function"].as<std::string>()] = call;
  }
  for (const YAML::Node &item : root["prepare"])
    model.prepare[item["function"].as<std::string>()] = {argument(item["name"]),
                                                         argument(item["sql"])};
  const YAML::Node statements = root["statements"];
  CppStatementApi &api = model.statements;
  api.dialect = statements["dialect"].as<std::string>();
  for (const YAML::Node &item : statements["prepare"])
    api.prepare[item["function"].as<std::string>()] = {argument(item["sql"]),
                                                       argument(item["out"])};
  for (const YAML::Node &item : statements["types"])
    api.types[item["type"].as<std::string>()] = argument(item["sql"]);
  for (const YAML::Node &item : statements["bind"])
    api.bind[item["function"].as<std::string>()] = {argument(item["position"]),
                                                    argument(item["value"])};
  api.run = names(statements["run"]);
  api.columns = names(statements["columns"]);
  api.changes = names(statements["changes"]);
  const YAML::Node streams = root["streams"];
  model.streams.start = names(streams["start"]);
  model.streams.preparedStart = names(streams["prepared_start"]);
  model.streams.statementTypes = names(streams["statement_types"]);
  model.streams.rowsetTypes = names(streams["rowset_types"]);
  model.streams.execute = names(streams["execute"]);
  model.streams.append = names(streams["append"]);
  model.streams.chain = names(streams["chain"]);
  model.streams.use = names(streams["use"]);
  model.streams.into = names(streams["into"]);
  const YAML::Node mappers = root["mappers"];
  CppMapperApi &mapper = model.mappers;
  mapper.types = names(mappers["types"]);
  mapper.criteria = names(mappers["criteria"]);
  mapper.equalOperators = names(mappers["equal_operators"]);
  mapper.tableMember = mappers["table_member"].as<std::string>();
  mapper.columnPrefix = mappers["column_prefix"].as<std::string>();
  mapper.primaryKey = mappers["primary_key"].as<std::string>();
  mapper.setterPrefixes = list(mappers["setter_prefixes"]);
  mapper.getterPrefixes = list(mappers["getter_prefixes"]);
  mapper.operations = stringMap(mappers["operations"]);
  const YAML::Node http = root["http"];
  model.requestTypes = names(http["request_types"]);
  model.headerGetters = names(http["header_getters"]);
  model.httpClients = stringMap(http["clients"]);
  for (const YAML::Node &item : http["routes"]) {
    CppRoute route;
    route.method = item["method"].as<std::string>();
    route.path = argument(item["path"]);
    route.handler = argument(item["handler"]);
    route.methods = argument(item["methods"]);
    if (item["path_from"])
      route.pathFrom = item["path_from"].as<std::string>();
    route.methodsFrom = names(item["methods_from"]);
    if (item["handler_method"])
      route.handlerMethod = item["handler_method"].as<std::string>();
    model.routes[item["function"].as<std::string>()] = route;
  }
  return model;
}

PythonModel parsePython(const YAML::Node &root) {
  PythonModel model;
  const YAML::Node sa = root["sqlalchemy"];
  model.sessionTypes = names(sa["session_types"]);
  model.sessionNames = names(sa["session_names"]);
  model.extensionNames = names(sa["extension_names"]);
  model.modelBases = names(sa["model_bases"]);
  model.columnConstructors = names(sa["column_constructors"]);
  model.uniqueConstraints = names(sa["unique_constraints"]);
  model.indexes = names(sa["indexes"]);
  model.queryRuns = stringMap(sa["query_runs"]);
  model.statements = stringMap(sa["statements"]);
  model.executes = names(sa["executes"]);
  model.integrityErrors = names(sa["integrity_errors"]);
  model.primaryKeyGets = names(sa["primary_key_gets"]);
  const YAML::Node alembic = root["alembic"];
  model.alembicRevision = alembic["revision"].as<std::string>();
  model.alembicDownRevision = alembic["down_revision"].as<std::string>();
  model.alembicOp = alembic["op"].as<std::string>();
  const YAML::Node fastapi = root["fastapi"];
  model.routeMethods = stringMap(fastapi["route_methods"]);
  model.routerConstructors = stringMap(fastapi["router_constructors"]);
  model.headerFunctions = names(fastapi["header_functions"]);
  model.requestTypes = names(fastapi["request_types"]);
  model.notBody = names(fastapi["not_body"]);
  model.dependencyFunctions = names(fastapi["dependency_functions"]);
  const YAML::Node flask = root["flask"];
  model.flaskRouteDecorators = names(flask["route_decorators"]);
  model.flaskRequestNames = names(flask["request_names"]);
  model.flaskBodyMembers = names(flask["body_members"]);
  model.flaskBodyMethods = names(flask["body_methods"]);
  model.exitingCalls = names(flask["exiting_calls"]);
  model.conversions = names(root["conversions"]);
  model.engineConstructor = sa["engine_constructor"].as<std::string>();
  for (const auto &entry : root["database_dialects"])
    model.databaseDialects[entry.first.as<std::string>()] = list(entry.second);
  const YAML::Node django = root["django"];
  model.django.modelsModule = django["models_module"].as<std::string>();
  model.django.modelBase = django["model_base"].as<std::string>();
  model.django.migrationBase = django["migration_base"].as<std::string>();
  model.django.relationFields = names(django["relation_fields"]);
  model.django.nonColumns = names(django["non_columns"]);
  model.django.uniqueConstraints = names(django["unique_constraints"]);
  model.django.managers = names(django["managers"]);
  model.django.queryRuns = stringMap(django["query_runs"]);
  model.django.equalityLookups = names(django["equality_lookups"]);
  model.django.atomic = names(django["atomic"]);
  model.django.viewDecorators = stringMap(django["view_decorators"]);
  model.django.viewMethods = stringMap(django["view_methods"]);
  model.django.viewBases = names(django["view_bases"]);
  model.django.actionDecorator = django["action_decorator"].as<std::string>();
  model.django.bodyMembers = names(django["body_members"]);
  model.django.metaHeaderPrefix =
      django["meta_header_prefix"].as<std::string>();
  model.django.notModelSuffixes = names(django["not_model_suffixes"]);
  return model;
}

template <typename Parse>
auto parseFile(const char *file, const std::string &text, Parse parse) {
  try {
    return parse(YAML::Load(text));
  } catch (const std::exception &error) {
    throw std::runtime_error(std::string("analyzer/models/") + file + ": " +
                             error.what());
  }
}

} // namespace

const PaymentProvider *
EffectsModel::providerNamed(const std::string &name) const {
  for (const PaymentProvider &provider : payments)
    if (provider.names.count(name))
      return &provider;
  return nullptr;
}

const PaymentProvider *
EffectsModel::providerConstructedBy(const std::string &type) const {
  for (const PaymentProvider &provider : payments)
    if (provider.constructors.count(type))
      return &provider;
  return nullptr;
}

const PaymentProvider *EffectsModel::provider(const std::string &name) const {
  for (const PaymentProvider &provider : payments)
    if (provider.provider == name)
      return &provider;
  return nullptr;
}

const PaymentProvider *
EffectsModel::pythonProvider(const std::string &name) const {
  for (const PaymentProvider &provider : payments)
    if (provider.python.modules.count(name) ||
        provider.python.constructors.count(name))
      return &provider;
  return nullptr;
}

int EffectsModel::emailSenderNamed(const std::string &name) const {
  for (std::size_t i = 0; i < email.size(); ++i)
    if (email[i].names.count(name))
      return static_cast<int>(i);
  return -1;
}

int EffectsModel::emailSenderTyped(const std::string &type) const {
  for (std::size_t i = 0; i < email.size(); ++i)
    if (email[i].types.count(type))
      return static_cast<int>(i);
  return -1;
}

bool HttpModel::isIdempotencyMarker(const std::string &name) const {
  std::string folded = lower(name);
  return std::any_of(idempotencyMarkers.begin(), idempotencyMarkers.end(),
                     [&](const std::string &marker) {
                       return folded.find(marker) != std::string::npos;
                     });
}

bool HttpModel::isWebhookRoute(const std::string &route) const {
  std::string folded = lower(route);
  return std::any_of(webhookMarkers.begin(), webhookMarkers.end(),
                     [&](const std::string &marker) {
                       return folded.find(marker) != std::string::npos;
                     });
}

std::optional<Isolation> isolationFromName(std::string name) {
  name = lower(name);
  std::replace(name.begin(), name.end(), ' ', '_');
  if (name == "serializable")
    return Isolation::Serializable;
  if (name == "repeatable_read" || name == "repeatableread")
    return Isolation::RepeatableRead;
  if (name == "read_committed" || name == "readcommitted")
    return Isolation::ReadCommitted;
  if (name == "read_uncommitted" || name == "readuncommitted")
    return Isolation::ReadUncommitted;
  return std::nullopt;
}

FrameworkModels parseFrameworkModels(
    const std::string &typeormYaml, const std::string &prismaYaml,
    const std::string &httpYaml, const std::string &effectsYaml,
    const std::string &supabaseYaml, const std::string &sqlClientsYaml,
    const std::string &pythonYaml, const std::string &cppYaml) {
  FrameworkModels models;
  models.typeorm = parseFile("typeorm.yaml", typeormYaml, parseTypeOrm);
  models.prisma = parseFile("prisma.yaml", prismaYaml, parsePrisma);
  models.http = parseFile("http.yaml", httpYaml, parseHttp);
  models.effects = parseFile("effects.yaml", effectsYaml, parseEffects);
  models.supabase = parseFile("supabase.yaml", supabaseYaml, parseSupabase);
  models.sqlClients =
      parseFile("sql_clients.yaml", sqlClientsYaml, parseSqlClients);
  models.python = parseFile("python.yaml", pythonYaml, parsePython);
  models.cpp = parseFile("cpp.yaml", cppYaml, parseCpp);
  return models;
}

const FrameworkModels &builtinModels() {
  static const FrameworkModels models = parseFrameworkModels(
      embedded::kTypeormYaml, embedded::kPrismaYaml, embedded::kHttpYaml,
      embedded::kEffectsYaml, embedded::kSupabaseYaml,
      embedded::kSqlClientsYaml, embedded::kPythonYaml, embedded::kCppYaml);
  return models;
}

} // namespace racelint
