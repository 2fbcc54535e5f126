// Calls resolve to the code the caller can reach, as the language would:
// through its imports, its classes and their bases, and what a constructor
// stores in `self`; never to a same-named function of a module it does not
// import, nor of another language.

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace racelint {
namespace {

using testing::scanFiles;

const char *const kModels =
    R"(from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass

class Member(Base):
    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column()
)";

const char *const kHelpers = R"(from sqlalchemy.orm import Session
from models import Member

def enrol(db: Session, email):
    db.add(Member(email=email))
    db.commit()
)";

/// The events of the unit named `name` after linking.
const Unit *unitNamed(const ScanResult &result, const std::string &name) {
  for (const FileAnalysis &file : result.files)
    for (const Unit &unit : file.units)
      if (unit.name == name)
        return &unit;
  return nullptr;
}

bool inserts(const Unit &unit) {
  return std::any_of(
      unit.events.begin(), unit.events.end(), [](const Event &event) {
        return event.kind == EventKind::Insert && event.table == "members";
      });
}

TEST(NameResolution, ImportedFunctionIsLinked) {
  ScanResult result = scanFiles({{"models.py", kModels},
                                 {"helpers.py", kHelpers},
                                 {"routes.py", R"(from helpers import enrol

def join(db, email):
    enrol(db, email)
)"}});
  const Unit *join = unitNamed(result, "join");
  ASSERT_NE(join, nullptr);
  EXPECT_TRUE(inserts(*join));
}

TEST(NameResolution, FunctionOfAModuleNotImportedIsNotLinked) {
  ScanResult result = scanFiles({{"models.py", kModels},
                                 {"helpers.py", kHelpers},
                                 {"routes.py", R"(def join(db, email):
    enrol(db, email)
)"}});
  const Unit *join = unitNamed(result, "join");
  ASSERT_NE(join, nullptr);
  EXPECT_FALSE(inserts(*join));
}

TEST(NameResolution, SameNamedFunctionOfAnotherLanguageIsNotLinked) {
  // `execute` of bundled TypeScript is no Python function.
  ScanResult result = scanFiles(
      {{"vendor/vm.ts", R"(import { createClient } from '@supabase/supabase-js';

export async function execute(email: string) {
  const supabase = createClient('url', 'key');
  await supabase.from('members').insert({ email });
}
)"},
       {"jobs.py", R"(def run(conn, email):
    conn.execute(email)
    execute(conn, email)
)"}});
  const Unit *execute = unitNamed(result, "execute");
  ASSERT_NE(execute, nullptr);
  EXPECT_TRUE(inserts(*execute)); // what a wrong link would splice in
  const Unit *run = unitNamed(result, "run");
  ASSERT_NE(run, nullptr);
  for (const Event &event : run->events)
    EXPECT_NE(event.kind, EventKind::Insert);
}

TEST(NameResolution, MethodsResolveThroughInstancesBasesAndConstructors) {
  // A module-level service holds a repository whose base class queries the
  // model its subclass passed to `super().__init__`.
  ScanResult result =
      scanFiles({{"app/__init__.py", ""},
                 {"app/models.py", kModels},
                 {"app/base.py", R"(from sqlalchemy.orm import Session

class Repository:
    def __init__(self, model):
        self.model = model

    def find(self, db: Session, row_id):
        return db.query(self.model).filter(self.model.id == row_id).first()
)"},
                 {"app/members.py", R"(from app.base import Repository
from app.models import Member

class MemberRepository(Repository):
    def __init__(self):
        super().__init__(Member)

members = MemberRepository()
)"},
                 {"app/service.py", R"(from .members import members

class MemberService:
    def __init__(self):
        self.repository = members

    def lookup(self, db, member_id):
        return self.repository.find(db, row_id=member_id)

service = MemberService()
)"},
                 {"app/routes.py", R"(from app.service import service

def show(db, member_id):
    return service.lookup(db, member_id)
)"}});
  const Unit *show = unitNamed(result, "show");
  ASSERT_NE(show, nullptr);
  auto read = std::find_if(
      show->events.begin(), show->events.end(),
      [](const Event &event) { return event.kind == EventKind::Read; });
  ASSERT_NE(read, show->events.end());
  EXPECT_EQ(read->table, "members");
  EXPECT_EQ(read->keyColumns, std::vector<std::string>{"id"});
  EXPECT_EQ(read->where.file, "app/base.py");
}

TEST(NameResolution, CodeFlowListsEveryCallFromTheHandler) {
  ScanResult result =
      scanFiles({{"models.py", kModels},
                 {"checks.py", R"(from sqlalchemy.orm import Session
from models import Member

def enrol_once(db: Session, email):
    if db.query(Member).filter(Member.email == email).first() is None:
        db.add(Member(email=email))
        db.commit()
)"},
                 {"service.py", R"(from checks import enrol_once

def sign_up(db, email):
    enrol_once(db, email)
)"},
                 {"routes.py", R"(from service import sign_up

def join(db, email):
    sign_up(db, email)
)"}});
  auto finding =
      std::find_if(result.findings.begin(), result.findings.end(),
                   [](const Finding &f) { return f.ruleId == "RL101"; });
  ASSERT_NE(finding, result.findings.end());
  ASSERT_GE(finding->flow.size(), 3u);
  EXPECT_EQ(finding->flow[0].where.file, "routes.py");
  EXPECT_EQ(finding->flow[0].where.line, 4u);
  EXPECT_EQ(finding->flow[1].where.file, "service.py");
  EXPECT_EQ(finding->flow[1].where.line, 4u);
  EXPECT_EQ(finding->flow.back().where, finding->where);
}

// A check and a write are about one row when their keys take one value: a
// caller that checks another row does not race with the helper's write, and
// the finding names only the call that does.
TEST(NameResolution, SameRowIsSameValueThroughCalls) {
  ScanResult result = scanFiles({{"models.py", R"(from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass

class Seat(Base):
    __tablename__ = "seats"
    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String)
)"},
                                 {"seats.py", R"(from sqlalchemy import update
from sqlalchemy.orm import Session
from models import Seat

def release(db: Session, seat_id):
    db.execute(update(Seat).where(Seat.id == seat_id).values(state="free"))

def trade(db: Session, kept_id, given_id):
    kept = db.get(Seat, kept_id)
    if kept.state != "held":
        return
    release(db, seat_id=given_id)

def cancel(db: Session, seat_id):
    seat = db.get(Seat, seat_id)
    if seat.state != "held":
        return
    release(db, seat_id)
)"}});
  std::vector<const Finding *> races;
  for (const Finding &finding : result.findings)
    if (finding.ruleId == "RL102")
      races.push_back(&finding);
  ASSERT_EQ(races.size(), 1u);
  EXPECT_EQ(races[0]->where.line, 6u);
  std::vector<unsigned> calls;
  for (const RelatedLocation &related : races[0]->related)
    if (related.message == "reached from this call")
      calls.push_back(related.where.line);
  EXPECT_EQ(calls, std::vector<unsigned>{18u});
}

TEST(NameResolution, RecursionEndsAndKeepsTheCall) {
  ScanResult result = scanFiles(
      {{"models.py", kModels}, {"loop.py", R"(from sqlalchemy.orm import Session
from models import Member

def ping(db: Session, n):
    db.add(Member(email="x"))
    pong(db, n)

def pong(db, n):
    ping(db, n)
)"}});
  const Unit *ping = unitNamed(result, "ping");
  ASSERT_NE(ping, nullptr);
  EXPECT_TRUE(std::any_of(
      ping->events.begin(), ping->events.end(),
      [](const Event &event) { return event.kind == EventKind::Call; }));
}

// TypeScript: what an imported name gives (a factory's client, a class that
// extends a framework type) resolves through the importer's own imports,
// relative paths, index files, re-exports and tsconfig.json `paths`.

bool updatesOrders(const Unit &unit) {
  return std::any_of(
      unit.events.begin(), unit.events.end(), [](const Event &event) {
        return event.kind == EventKind::Update && event.table == "orders";
      });
}

const char *const kSupabaseFactory =
    R"(import { createClient } from '@supabase/supabase-js';
export const getAdminClient = () => createClient('url', 'key');
)";

const char *const kMarkPaid = R"(export async function markPaid(id: string) {
  await getAdminClient().from('orders').update({ status: 'paid' }).eq('id', id);
}
)";

TEST(NameResolution, TypeScriptFactoryThroughPathsAndIndex) {
  ScanResult result = scanFiles(
      {{"tsconfig.json", R"({
  // comments and trailing commas are allowed, as tsc allows them
  "compilerOptions": {
    "baseUrl": ".",
    "paths": { "@/*": ["./src/*",], /* one */ },
  },
})"},
       {"src/lib/supabase/admin.ts", kSupabaseFactory},
       {"src/lib/supabase/index.ts", "export * from './admin';\n"},
       {"src/lib/orders.ts",
        std::string("import { getAdminClient } from '@/lib/supabase';\n") +
            kMarkPaid}});
  const Unit *markPaid = unitNamed(result, "markPaid");
  ASSERT_NE(markPaid, nullptr);
  EXPECT_TRUE(updatesOrders(*markPaid));
}

TEST(NameResolution, UnreadableTsconfigIsSaid) {
  ScanResult result = scanFiles(
      {{"tsconfig.json", "{ \"compilerOptions\": { \"paths\": "},
       {"src/lib/supabase/admin.ts", kSupabaseFactory},
       {"src/lib/orders.ts",
        std::string(
            "import { getAdminClient } from '@/lib/supabase/admin';\n") +
            kMarkPaid}});
  const Diagnostic *note = testing::findDiagnostic(result, "config-not-read");
  ASSERT_NE(note, nullptr);
  EXPECT_EQ(note->where.file, "tsconfig.json");
  const Unit *markPaid = unitNamed(result, "markPaid");
  ASSERT_NE(markPaid, nullptr);
  EXPECT_FALSE(updatesOrders(*markPaid));
}

TEST(NameResolution, TypeScriptSameNamedFactoryNotImportedIsNotUsed) {
  // The supabase factory exists, but this module imports another one.
  ScanResult result = scanFiles(
      {{"src/admin.ts", kSupabaseFactory},
       {"src/legacy.ts", "export function getAdminClient() { return {}; }\n"},
       {"src/orders.ts",
        std::string("import { getAdminClient } from './legacy';\n") +
            kMarkPaid},
       {"src/unimported.ts", kMarkPaid}});
  for (const FileAnalysis &file : result.files)
    for (const Unit &unit : file.units)
      EXPECT_FALSE(updatesOrders(unit)) << file.path << " " << unit.name;
}

TEST(NameResolution, TypeScriptCustomRepositoryInjectedByType) {
  ScanResult result = scanFiles(
      {{"src/band.entity.ts",
        R"(import { Entity, PrimaryGeneratedColumn, Column } from 'typeorm';
@Entity()
export class Band {
  @PrimaryGeneratedColumn() id: number;
  @Column() name: string;
}
)"},
       {"src/bands.repository.ts", R"(import { Repository } from 'typeorm';
import { Band } from './band.entity';
export class BandsRepository extends Repository<Band> {
  byName(name: string) { return this.findOne({ where: { name } }); }
}
)"},
       {"src/bands.service.ts",
        R"(import { BandsRepository } from './bands.repository';
export class BandsService {
  constructor(private readonly bands: BandsRepository) {}
  rename(id: number, name: string) { return this.bands.update(id, { name }); }
  find(name: string) { return this.bands.byName(name); }
}
)"}});
  const Unit *rename = unitNamed(result, "BandsService.rename");
  const Unit *find = unitNamed(result, "BandsService.find");
  ASSERT_NE(rename, nullptr);
  ASSERT_NE(find, nullptr);
  ASSERT_FALSE(rename->events.empty());
  EXPECT_EQ(rename->events.front().kind, EventKind::Update);
  EXPECT_EQ(rename->events.front().table, "band");
  // Its own method is called like a service's, and reads through TypeORM's.
  ASSERT_FALSE(find->events.empty());
  EXPECT_EQ(find->events.front().kind, EventKind::Read);
  EXPECT_EQ(find->events.front().keyColumns, std::vector<std::string>{"name"});
}

} // namespace
} // namespace racelint
