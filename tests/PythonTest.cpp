// The Python front-end on bad and unusual input: old syntax, broken syntax,
// huge generated modules, notebooks and dynamic attribute access.

#include "TestSupport.h"

#include <gtest/gtest.h>

using namespace racelint;
using racelint::testing::countRule;
using racelint::testing::findDiagnostic;
using racelint::testing::scanFiles;
using racelint::testing::scanWithBuiltins;
using racelint::testing::TempDirectory;

namespace {

// A model with no unique key on email and a get-or-create on it: one RL101.
const char *const kModels = R"(
from app.extensions import db


class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), nullable=False)
)";

const char *const kRacyRegistration = R"(
def register(email):
    user = User.query.filter_by(email=email).first()
    if user is None:
        db.session.add(User(email=email))
        db.session.commit()
)";

TEST(PythonBadInput, Python2SyntaxIsReadLikePython3) {
  // tree-sitter's grammar accepts print and exec statements, `except E, e`
  // and backquotes: the data access in such a file is analysed as usual.
  std::string legacy = R"(print "starting"

def register(email):
    try:
        user = User.query.filter_by(email=email).first()
        if user is None:
            db.session.add(User(email=email))
            db.session.commit()
    except IntegrityError, e:
        print >>sys.stderr, `e`
    exec "x = 1"
)";
  ScanResult result =
      scanFiles({{"models.py", kModels}, {"legacy.py", legacy}});
  ASSERT_EQ(countRule(result, "RL101"), 1);
  EXPECT_EQ(result.findings.front().where.line, 7u);
  EXPECT_EQ(result.findings.front().where.file, "legacy.py");
}

TEST(PythonBadInput, SyntaxErrorKeepsWhatParsed) {
  std::string text = kRacyRegistration;
  text += R"(

def broken(email):
    user = User.query.filter_by(email=email).first()
    if user is None:
        db.session.add(User(email=email) +)
        db.session.commit()


def unclosed(email):
    user = User.query.filter_by(email=email).first()
    if user is None:
        db.session.add(User(email=email)
)";
  ScanResult result = scanFiles({{"models.py", kModels}, {"users.py", text}});
  const Diagnostic *partial = findDiagnostic(result, "partial-parse");
  ASSERT_NE(partial, nullptr);
  EXPECT_EQ(partial->level, Level::Warning);
  EXPECT_EQ(partial->where.file, "users.py");
  // Only the intact function reports; neither broken insert is an event.
  ASSERT_EQ(countRule(result, "RL101"), 1);
  EXPECT_EQ(result.findings.front().where.line, 5u);
}

TEST(PythonBadInput, GarbageNeverCrashesNorFinds) {
  ScanResult result = scanFiles({
      {"models.py", kModels},
      {"odd.py", "@\ndef (:\n  class ::\nlambda: yield from\n"
                 "async with as:\n  await\n"},
      {"half.py", "def f(email):\n    db.session.add(User(email=email"},
      {"control.py", std::string("x = '\x01\x02'\n") +
                         "db.session.execute(text('SELECT FROM WHERE'))\n"},
      {"empty.py", ""},
      {"stub.pyi", "def register(email: str) -> None: ...\n"},
  });
  EXPECT_TRUE(result.findings.empty());
  EXPECT_NE(findDiagnostic(result, "partial-parse"), nullptr);
}

TEST(PythonBadInput, UnclosedDefinitionsNeverCrash) {
  ScanResult result = scanFiles({
      {"a.py", "def f(\n"},
      {"b.py", "class A:\n    def m(self, x=(\n"},
      {"c.py", "@app.post('/x')\nasync def h(a: int = Depends(\n"},
  });
  EXPECT_TRUE(result.findings.empty());
}

TEST(PythonBadInput, DynamicAttributesAreNotGuessed) {
  // getattr picks the method at run time: no read, no insert is assumed.
  std::string dynamic = R"(
def register(email, name):
    user = getattr(User.query, "filter_by")(email=email).first()
    if user is None:
        getattr(db.session, name)(User(email=email))
        add = getattr(db.session, "add")
        add(User(email=email))
        db.session.__getattribute__("commit")()
)";
  ScanResult result =
      scanFiles({{"models.py", kModels}, {"dynamic.py", dynamic}});
  EXPECT_TRUE(result.findings.empty());
}

TEST(PythonBadInput, HugeGeneratedModuleIsAnalysed) {
  // A generated module (protobuf, migrations squashed by a tool): 60,000
  // lines are read whole, and the race at its end is still found.
  std::string generated = "TABLE = {\n";
  for (int i = 0; i < 30000; ++i)
    generated +=
        "    'key" + std::to_string(i) + "': " + std::to_string(i) + ",\n";
  generated += "}\n";
  for (int i = 0; i < 10000; ++i)
    generated += "def f" + std::to_string(i) + "(x):\n    return x + " +
                 std::to_string(i) + "\n";
  generated += kRacyRegistration;
  ScanResult result =
      scanFiles({{"models.py", kModels}, {"generated_pb2.py", generated}});
  EXPECT_EQ(countRule(result, "RL101"), 1);
  EXPECT_TRUE(result.diagnostics.empty());
}

TEST(PythonBadInput, EmptyPackageMarkersAreNotNews) {
  ScanResult result = scanFiles(
      {{"models.py", kModels}, {"__init__.py", ""}, {"blank.py", "\n"}});
  const Diagnostic *empty = findDiagnostic(result, "empty-file");
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->where.file, "blank.py");
  EXPECT_EQ(result.diagnostics.size(), 1u);
}

TEST(PythonBadInput, DeepNestingIsRefusedNotACrash) {
  std::string deep = "x = (\n";
  for (int i = 0; i < 20000; ++i)
    deep += "[\n";
  for (int i = 0; i < 20000; ++i)
    deep += "]\n";
  deep += ")\n";
  ScanResult result = scanFiles({{"models.py", kModels},
                                 {"deep.py", deep},
                                 {"users.py", kRacyRegistration}});
  const Diagnostic *refused = findDiagnostic(result, "too-deeply-nested");
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->where.file, "deep.py");
  EXPECT_EQ(countRule(result, "RL101"), 1);
}

TEST(PythonBadInput, NotebooksAreNotAnalysed) {
  // A notebook is JSON around code cells: not a module the app imports.
  TempDirectory directory;
  directory.write("models.py", kModels);
  std::string notebook =
      "{\"cells\": [{\"cell_type\": \"code\", \"source\": [\"" +
      std::string("user = User.query.filter_by(email=e).first()\\n") +
      "if user is None: db.session.add(User(email=e))\"]}]}";
  std::string path = directory.write("explore.ipynb", notebook).string();
  ScanResult inDirectory =
      scanWithBuiltins({directory.path().string()}, directory.path().string());
  EXPECT_TRUE(inDirectory.findings.empty());
  EXPECT_TRUE(inDirectory.diagnostics.empty());
  // Named on the command line, it is reported as skipped, not dropped.
  ScanResult named = scanWithBuiltins({path}, directory.path().string());
  EXPECT_TRUE(named.findings.empty());
  EXPECT_NE(findDiagnostic(named, "unsupported-file"), nullptr);
}

TEST(PythonDatabases, RowLocksOfASqliteOnlyProjectLockNothing) {
  std::string wallet = R"(
from app.extensions import db


class Wallet(db.Model):
    __tablename__ = "wallets"
    id = db.Column(db.Integer, primary_key=True)
    credits = db.Column(db.Integer, nullable=False)


def top_up(wallet_id, amount):
    wallet = Wallet.query.filter_by(id=wallet_id).with_for_update().one()
    wallet.credits = wallet.credits + amount
    db.session.commit()
)";
  std::string sqlite = "DATABASE_URL = \"sqlite:///app.db\"\n";
  ScanResult onSqlite =
      scanFiles({{"wallets.py", wallet}, {"config.py", sqlite}});
  EXPECT_EQ(countRule(onSqlite, "RL201"), 1);
  const Diagnostic *note = findDiagnostic(onSqlite, "sqlite-row-locks");
  ASSERT_NE(note, nullptr);
  EXPECT_EQ(note->where.file, "config.py");
  EXPECT_EQ(note->level, Level::Note);

  // SQLite for tests, PostgreSQL in production: the locks are real there.
  ScanResult both = scanFiles(
      {{"wallets.py", wallet},
       {"config.py",
        sqlite + "PRODUCTION_URL = \"postgresql+psycopg://db/app\"\n"}});
  EXPECT_EQ(countRule(both, "RL201"), 0);
  EXPECT_EQ(findDiagnostic(both, "sqlite-row-locks"), nullptr);
}

} // namespace
