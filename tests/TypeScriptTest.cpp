// The TypeScript and Prisma front-ends on bad and unusual input, and the
// pieces the fixtures cannot isolate: schema reading, naming, exclusions.

#include "Registry.h"
#include "TestSupport.h"
#include "frontends/Frontends.h"
#include "frontends/typescript/TsInternal.h"

#include <gtest/gtest.h>

using namespace racelint;
using racelint::testing::countRule;
using racelint::testing::findDiagnostic;
using racelint::testing::kRacyRegistration;
using racelint::testing::scanFiles;
using racelint::testing::scanWithBuiltins;
using racelint::testing::TempDirectory;

namespace {

TEST(TypeScriptBadInput, SyntaxErrorKeepsWhatParsed) {
  std::string text = kRacyRegistration;
  text += R"(
export class Broken {
  constructor(@InjectRepository(User) private users: Repository<User>) {}
  async missingOperand(name: string) {
    const row = await this.users.findOneBy({ name });
    if (row) throw new Error();
    await this.users.insert({ name } +);
  }
  async strayBrackets(name: string) {
    const row = await this.users.findOneBy({ name });
    if (row) throw new Error();
    await this.users.insert({ name }) ]] ;
  }
}
)";
  ScanResult result = scanFiles({{"users.service.ts", text}});
  const Diagnostic *partial = findDiagnostic(result, "partial-parse");
  ASSERT_NE(partial, nullptr);
  EXPECT_EQ(partial->level, Level::Warning);
  EXPECT_EQ(partial->where.line, 21u);
  // The good method is analysed; neither broken insert yields an event.
  ASSERT_EQ(countRule(result, "RL101"), 1);
  EXPECT_EQ(result.findings.front().where.line, 7u);
}

TEST(TypeScriptBadInput, GarbageNeverCrashesNorFinds) {
  ScanResult result = scanFiles({
      {"odd.ts", "@Injectable() @Foo\nconst x = @Bar 3;\nclass { @ m() {} }\n"
                 "export @Dec class B { @Column() @Column() x; "
                 "constructor(@Inject() @InjectRepository() private r) {} }\n"
                 "function (\n"},
      {"half.ts", "export class A { async m() { await this.repo.save("},
      {"binaryish.ts", std::string("const a = '\x01\x02';\n") +
                           "await prisma.$queryRaw`SELECT FROM WHERE`;\n"},
      {"empty.ts", ""},
  });
  EXPECT_TRUE(result.findings.empty());
  EXPECT_NE(findDiagnostic(result, "partial-parse"), nullptr);
}

// An incomplete construct leaves fields null (here a function's missing
// `parameters`): asking a null node anything crashed the whole scan.
TEST(TypeScriptBadInput, UnclosedFunctionBodyCostsOnlyItself) {
  ScanResult result = scanFiles({
      {"form.tsx", "export function F(props: P) {\n  const {\n}\n"},
      {"half.ts", "export const G = async ({ a }: P) => {\n  if (a) {\n"},
      {"users.service.ts", kRacyRegistration},
  });
  EXPECT_EQ(countRule(result, "RL101"), 1);
  EXPECT_NE(findDiagnostic(result, "parser-recovery"), nullptr);
}

// tree-sitter 0.20.7 corrupted its heap on this (`free(): invalid size`); the
// runtime racelint builds is one that does not.
TEST(TypeScriptBadInput, AmbiguousGenericsDoNotCorruptTheParser) {
  std::string line = "const x = ";
  for (int i = 0; i < 16000; ++i)
    line += "a<b,";
  line += "1;\n";
  ScanResult result = scanFiles({{"generated.ts", line + line + line},
                                 {"users.service.ts", kRacyRegistration}});
  EXPECT_EQ(findDiagnostic(result, "analysis-failed"), nullptr);
  EXPECT_EQ(countRule(result, "RL101"), 1);
}

TEST(TypeScriptBadInput, UnusualButValidTypeScriptFindsNothing) {
  ScanResult result = scanFiles({
      {"features.ts",
       "export type * from './x';\nenum E { A = 1 }\n"
       "namespace N { export const v = 1; }\n"
       "abstract class Base<T extends object> { abstract m(): T; }\n"
       "function over(a: string): void;\nfunction over(a: any) {}\n"
       "const cfg = { a: 1 } satisfies Record<string, number>;\n"
       "export default class {}\n"},
      {"view.tsx", "export const View = () => <div>{items.map((i) => "
                   "<Item key={i.id} {...i} />)}</div>;\n"},
      {"types.d.ts", "declare module 'x' { export function f(): void; }\n"
                     "export interface A { in_x: string }\n"},
  });
  EXPECT_TRUE(result.findings.empty());
  EXPECT_EQ(findDiagnostic(result, "partial-parse"), nullptr);
  for (const Diagnostic &diagnostic : result.diagnostics)
    EXPECT_NE(diagnostic.where.file, "types.d.ts") << diagnostic.message;
}

// The pinned grammar wants `&amp;` in JSX text; React and TypeScript accept a
// bare `&`. Its error recovery used to cost the whole function.
TEST(TypeScriptBadInput, AmpersandInJsxTextIsValid) {
  ScanResult result = scanFiles({{"signup.tsx", R"(
export async function Signup({ email }: { email: string }) {
  const notice = <p>Terms & conditions, Tom && Jerry, R&D, Q & A</p>;
  const existing = await prisma.user.findFirst({ where: { email } });
  if (existing) return <p>Welcome back & enjoy</p>;
  await prisma.user.create({ data: { email } });
  return <main><>Sales & marketing</>{email} & {notice}</main>;
}
)"}});
  EXPECT_EQ(findDiagnostic(result, "partial-parse"), nullptr);
  ASSERT_EQ(countRule(result, "RL101"), 1);
  EXPECT_EQ(result.findings.front().where.line, 6u);
}

TEST(TypeScriptBadInput, BrokenJsxIsStillASyntaxError) {
  ScanResult result =
      scanFiles({{"view.tsx", "export const View = () => <p>{count</p>;\n"}});
  EXPECT_NE(findDiagnostic(result, "partial-parse"), nullptr);
}

TEST(TypeScriptBadInput, TypeOnlyReExportsAreValid) {
  ScanResult result = scanFiles(
      {{"index.ts", "export type * from './models';\n"
                    "export type * as shapes from './shapes';\n"},
       {"users.service.ts",
        std::string("export type * from './dto';\n") + kRacyRegistration}});
  EXPECT_EQ(findDiagnostic(result, "partial-parse"), nullptr);
  EXPECT_EQ(countRule(result, "RL101"), 1);
}

// The pinned grammar's scanner reads a line break before `in_...` as the
// `in` operator's: without a semicolon on the member before it, the rest of
// the file used to go.
TEST(TypeScriptBadInput, MemberNamedInAfterMemberWithoutSemicolonIsValid) {
  ScanResult result = scanFiles({{"users.service.ts", R"(
export interface ImportResult {
  total: number
  in_other_campaigns: number
}
export class UsersService {
  constructor(@InjectRepository(User) private users: Repository<User>) {}
  async register(name: string, options: {
    subject: string
    in_reply_to?: number
  }) {
    const existing = await this.users.findOneBy({ name });
    if (existing) throw new ConflictException();
    await this.users.insert({ name });
  }
}
)"}});
  EXPECT_EQ(findDiagnostic(result, "partial-parse"), nullptr);
  ASSERT_EQ(countRule(result, "RL101"), 1);
  EXPECT_EQ(result.findings.front().where.line, 14u);
}

// A type runs nothing: an error in one costs no statement.
TEST(TypeScriptBadInput, SyntaxErrorInATypeCostsNothing) {
  std::string text = kRacyRegistration;
  text.replace(text.find("(name: string)"), 14,
               "(name: string, options: { a: number b: string })");
  ScanResult result = scanFiles({{"users.service.ts", text}});
  EXPECT_EQ(findDiagnostic(result, "partial-parse"), nullptr);
  EXPECT_EQ(countRule(result, "RL101"), 1);
}

// The grammar assumes the `!` of a generic tagged template; ts_node_parent()
// of that zero-width token answered `>` when the type arguments span lines.
TEST(TypeScriptBadInput, MultiLineGenericTaggedTemplateIsNoRecovery) {
  ScanResult result = scanFiles({{"search.service.ts", R"(
export class SearchService {
  constructor(private prisma: PrismaService) {}
  async near() {
    return this.prisma.$queryRaw<
      { room_id: string }[]
    >`SELECT room_id FROM room_embedding`;
  }
}
)"}});
  EXPECT_EQ(findDiagnostic(result, "parser-recovery"), nullptr);
}

// Calls the parser could not build are no Express routes.
TEST(TypeScriptBadInput, RouteInsideASyntaxErrorIsNoRoute) {
  ScanResult result = scanFiles({{"app.ts", R"(
async function pay(req, res) {
  await stripe.charges.create({ amount: 100 });
}
const routes = [app.post('/pay', pay) }}} ;
)"}});
  EXPECT_NE(findDiagnostic(result, "partial-parse"), nullptr);
  EXPECT_EQ(countRule(result, "RL301"), 0);
}

TEST(TypeScriptBadInput, MinifiedBundleIsSkippedWithANote) {
  std::string bundle = "!function(e){";
  for (int i = 0; i < 2000; ++i)
    bundle += "var a=e.findOne({});e.save(a);";
  bundle += "}();\n";
  std::string longString =
      "export const blob = \"" + std::string(200000, 'x') + "\";\n";
  ScanResult result = scanFiles(
      {{"vendor.js", bundle}, {"blob.ts", longString + kRacyRegistration}});
  const Diagnostic *minified = findDiagnostic(result, "minified-file");
  ASSERT_NE(minified, nullptr);
  EXPECT_EQ(minified->where.file, "vendor.js");
  EXPECT_EQ(minified->level, Level::Note);
  // A long string literal is no bundle: that file is analysed.
  EXPECT_EQ(countRule(result, "RL101"), 1);
}

// Generated code (a GraphQL SDK) may hold one long object literal among
// thousands of ordinary lines: no bundle either.
TEST(TypeScriptBadInput, OneLongLineAmongManyIsNoBundle) {
  std::string generated;
  for (int i = 0; i < 4000; ++i)
    generated +=
        "export type Field" + std::to_string(i) + " = { id: string };\n";
  generated += "export const Document = {";
  for (int i = 0; i < 300; ++i)
    generated += "kind: 'Field', name: { value: 'f' } };";
  generated += "};\n";
  ScanResult result = scanFiles({{"sdk.ts", generated + kRacyRegistration}});
  EXPECT_EQ(findDiagnostic(result, "minified-file"), nullptr);
  EXPECT_EQ(countRule(result, "RL101"), 1);
}

TEST(TypeScriptBadInput, DeepNestingIsRefusedNotACrash) {
  std::string deep = "export const x =\n";
  for (int i = 0; i < 20000; ++i)
    deep += "[\n";
  for (int i = 0; i < 20000; ++i)
    deep += "]\n";
  ScanResult result =
      scanFiles({{"deep.ts", deep}, {"users.service.ts", kRacyRegistration}});
  const Diagnostic *refused = findDiagnostic(result, "too-deeply-nested");
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->where.file, "deep.ts");
  EXPECT_EQ(countRule(result, "RL101"), 1);
}

TEST(TypeScriptDiscovery, DependencyAndBuildDirectoriesAreSkippedByDefault) {
  TempDirectory directory;
  for (const char *folder : {"src", "dist", "node_modules/lib", ".next/server"})
    directory.write(std::string(folder) + "/users.service.ts",
                    kRacyRegistration);
  ScanResult defaults =
      scanWithBuiltins({directory.path().string()}, directory.path().string());
  ASSERT_EQ(countRule(defaults, "RL101"), 1);
  EXPECT_EQ(defaults.findings.front().where.file, "src/users.service.ts");

  std::vector<std::unique_ptr<Frontend>> frontends = createFrontends();
  std::vector<std::unique_ptr<Rule>> rules = createBuiltinRules();
  ScanOptions options;
  options.paths = {directory.path().string()};
  options.baseDirectory = directory.path().string();
  options.excludedNames = {"src"};
  ScanResult inverted = scan(options, frontends, rules);
  // dist and node_modules now scanned, src skipped; hidden stays hidden.
  EXPECT_EQ(countRule(inverted, "RL101"), 2);

  // A directory named on the command line is scanned, whatever its name.
  ScanResult named = scanWithBuiltins({(directory.path() / "dist").string()},
                                      directory.path().string());
  EXPECT_EQ(countRule(named, "RL101"), 1);
}

TEST(PrismaSchema, ModelsBecomeTablesWithKeysAndNames) {
  ScanResult result = scanFiles({{"schema.prisma", R"(
// comment { with braces }
datasource db { provider = "postgresql" url = env("DATABASE_URL") }
enum Status { OPEN CLOSED }
model Invoice {
  id         String   @id @default(uuid())
  contractId String   @map("contract_id")
  number     String   @unique @db.VarChar(32)
  status     Status   @default(OPEN)
  paidAt     DateTime? @map("paid_at")
  version    Int      @default(0)
  contract   Contract @relation(fields: [contractId], references: [id])
  lines      Line[]
  @@unique([contractId, number(sort: Desc)], name: "per_contract")
  @@map("invoices")
}
model Line {
  invoiceId String
  position  Int
  @@id([invoiceId, position])
}
model Contract { id String @id }
)"}});
  const Table *invoices = result.schema.findTable("invoices");
  ASSERT_NE(invoices, nullptr);
  EXPECT_NE(invoices->findColumn("contract_id"), nullptr);
  EXPECT_EQ(invoices->findColumn("contract"), nullptr); // a relation
  EXPECT_EQ(invoices->findColumn("lines"), nullptr);
  ASSERT_NE(invoices->findColumn("paid_at"), nullptr);
  EXPECT_TRUE(invoices->findColumn("paid_at")->nullable);
  ASSERT_NE(invoices->versionColumn(), nullptr);
  EXPECT_NE(invoices->uniqueKeyWithin({"number"}), nullptr);
  const UniqueKey *compound =
      invoices->uniqueKeyWithin({"contract_id", "number"});
  ASSERT_NE(compound, nullptr);
  EXPECT_EQ(compound->columns.size(), 1u); // `number` alone is the strongest
  const Table *line = result.schema.findTable("Line");
  ASSERT_NE(line, nullptr);
  const UniqueKey *primary = line->uniqueKeyWithin({"invoiceId", "position"});
  ASSERT_NE(primary, nullptr);
  EXPECT_TRUE(primary->primary);
  ASSERT_EQ(result.files.size(), 1u);
  EXPECT_EQ(result.files[0].tableNames.at("prisma:invoice"), "invoices");
  EXPECT_EQ(result.files[0].columnNames.at("invoices").at("paidAt"), "paid_at");
}

TEST(PrismaSchema, BrokenSchemaNeverCrashes) {
  ScanResult result =
      scanFiles({{"schema.prisma", "model A { id Int @id @default(\n"
                                   "model { }}} @@ \"unterminated\n"
                                   "model B { x String @unique\n"}});
  EXPECT_TRUE(result.findings.empty());
}

TEST(TypeOrmNaming, TableNamesAreSnakeCase) {
  EXPECT_EQ(ts::snakeCase("User"), "user");
  EXPECT_EQ(ts::snakeCase("BandMember"), "band_member");
  EXPECT_EQ(ts::snakeCase("HTTPRequestLog"), "http_request_log");
  EXPECT_EQ(ts::snakeCase("Album2Track"), "album2_track");
}

TEST(Linking, EntityNamesResolveAcrossFilesAndColumnsAreRenamed) {
  ScanResult result = scanFiles({
      {"seat.entity.ts", "@Entity('seats')\nexport class Seat {\n"
                         "  @PrimaryGeneratedColumn() id: number;\n"
                         "  @Column({ name: 'event_id' }) eventId: number;\n"
                         "  @Column() label: string;\n}\n"},
      {"seats.service.ts",
       "export class SeatsService {\n"
       "  constructor(@InjectRepository(Seat) private seats: Repository<Seat>) "
       "{}\n"
       "  async hold(eventId: number, label: string) {\n"
       "    if (await this.seats.existsBy({ eventId, label })) return;\n"
       "    await this.seats.insert({ eventId, label });\n  }\n}\n"},
  });
  ASSERT_EQ(countRule(result, "RL101"), 1);
  EXPECT_NE(result.findings.front().message.find("seats(event_id, label)"),
            std::string::npos)
      << result.findings.front().message;
}

TEST(Linking, AmbiguousCalleesAreNotGuessed) {
  const char *service = "export class Shop {\n"
                        "  constructor(private prisma: PrismaService) {}\n"
                        "  async write(id: string) {\n"
                        "    await this.prisma.item.update({ where: { id }, "
                        "data: { sold: true } });\n  }\n}\n";
  ScanResult result = scanFiles({
      {"a.ts", service},
      {"b.ts", service},
      {"caller.ts",
       "export class Caller {\n  constructor(private shop: Shop, private "
       "prisma: PrismaService) {}\n"
       "  async run(id: string) {\n"
       "    const item = await this.prisma.item.findUnique({ where: { id } "
       "});\n"
       "    if (item.sold) return;\n    await this.shop.write(id);\n  }\n}\n"},
  });
  // Shop.write exists twice: the call stays unresolved, nothing is linked.
  EXPECT_EQ(countRule(result, "RL102"), 0);
}

// RL302 says what a retry repeats: the resource a create call makes.
TEST(TypeScriptEffects, PaymentRetryNamesWhatItCreatesAgain) {
  ScanResult result = scanFiles({{"src/app/api/signup/route.ts",
                                  R"(import Stripe from 'stripe';
const stripe = new Stripe(process.env.KEY!);
export async function POST(request: Request) {
  await stripe.customers.create({ email: 'a@b.c' });
  await stripe.paymentIntents.capture('pi_1');
  return new Response(null);
}
)"}});
  std::vector<std::string> messages;
  for (const Finding &finding : result.findings)
    if (finding.ruleId == "RL302")
      messages.push_back(finding.message);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_NE(messages[0].find("creates a second customer."), std::string::npos)
      << messages[0];
  EXPECT_NE(messages[1].find("repeats it at the provider."), std::string::npos)
      << messages[1];
}

} // namespace
