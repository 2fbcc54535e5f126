#include "SqlFrontend.h"

#include "SqlInternal.h"
#include "SqlStatement.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

namespace racelint::sql {
namespace {

using pg::Json;

bool endsWith(const std::string &text, std::string_view suffix) {
  if (text.size() < suffix.size())
    return false;
  for (std::size_t i = 0; i < suffix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(
            text[text.size() - suffix.size() + i])) != suffix[i])
      return false;
  return true;
}

/// Skips the white space and comments the splitter leaves before a statement.
std::size_t firstTokenOffset(const std::string &text, std::size_t at,
                             std::size_t end) {
  while (at < end) {
    if (std::isspace(static_cast<unsigned char>(text[at]))) {
      ++at;
    } else if (text.compare(at, 2, "--") == 0) {
      // PostgreSQL ends a comment at a CR as at a LF (old Mac line ends).
      std::size_t newline = text.find_first_of("\r\n", at);
      at = newline == std::string::npos ? end : newline + 1;
    } else if (text[at] == '\\') {
      // A psql meta-command (`\set`, `\echo`, `\i`) runs to the end of its
      // line; no SQL statement starts with a backslash.
      std::size_t newline = text.find_first_of("\r\n", at);
      at = newline == std::string::npos ? end : newline + 1;
    } else if (text.compare(at, 2, "/*") == 0) {
      std::size_t close = text.find("*/", at + 2);
      at = close == std::string::npos ? end : close + 2;
    } else {
      break;
    }
  }
  return std::min(at, end);
}

Diagnostic parseError(const SourceFile &file, std::size_t at,
                      const std::string &message, const char *what) {
  Diagnostic diagnostic;
  diagnostic.level = Level::Error;
  diagnostic.code = "parse-error";
  diagnostic.message = std::string(what) + ": " + message;
  diagnostic.where = file.span(at, at + 1);
  return diagnostic;
}

/// Collects the top-level DML of a file into one script unit, tracking the
/// transactions that BEGIN/COMMIT open and close.
class ScriptBuilder {
public:
  explicit ScriptBuilder(const SourceFile &file) {
    unit_.kind = Unit::Kind::SqlScript;
    unit_.name = file.path();
    unit_.declared = file.span(0, 0);
  }

  void add(StatementFacts facts, const StatementSource &source) {
    SourceLocation where =
        source.file.span(source.begin, source.begin + source.text.size());
    if (facts.setIsolation && openTx_)
      unit_.events[*openTx_].isolation = *facts.setIsolation;
    for (StatementEvent &statementEvent : facts.events) {
      Event event = std::move(statementEvent.event);
      event.where = where;
      if (event.kind == EventKind::TxEnd) {
        event.inTx = openTx_;
        openTx_.reset();
      } else if (event.kind == EventKind::TxBegin) {
        openTx_ = unit_.events.size();
      } else {
        event.inTx = openTx_;
      }
      unit_.events.push_back(std::move(event));
    }
  }

  std::optional<Unit> take() {
    if (unit_.events.empty())
      return std::nullopt;
    return std::move(unit_);
  }

private:
  Unit unit_;
  std::optional<EventIndex> openTx_;
};

using StatementVisitor =
    std::function<void(const Json &, const StatementSource &)>;

/// Parses one statement and visits its parse trees; a statement libpg_query
/// rejects costs only itself.
void parseStatement(const SourceFile &file, std::size_t base,
                    const std::string &text, std::size_t begin, std::size_t end,
                    std::vector<Diagnostic> &diagnostics,
                    const StatementVisitor &visit) {
  StatementSource source{file, base + begin, text.substr(begin, end - begin)};
  ParseOutcome parsed = parseSql(source.text);
  if (parsed.tooDeep) {
    Diagnostic diagnostic = parseError(file, source.begin, *parsed.error,
                                       "statement not analysed, though valid");
    diagnostic.level = Level::Warning;
    diagnostic.code = "too-deeply-nested";
    diagnostics.push_back(std::move(diagnostic));
    return;
  }
  if (parsed.error) {
    diagnostics.push_back(
        parseError(file, source.begin + parsed.errorOffset, *parsed.error,
                   "statement not analysed: PostgreSQL syntax error"));
    return;
  }
  for (const Json &item : pg::member(parsed.tree, "stmts"))
    visit(pg::member(item, "stmt"), source);
}

/// The statements of a stretch that libpg_query's splitter could not place,
/// ended at each `;` its scanner finds whatever the parentheses around it: an
/// unbalanced parenthesis then costs its own statement only.
std::vector<std::pair<std::size_t, std::size_t>>
statementsAtSemicolons(const std::string &text, std::size_t begin,
                       std::size_t end) {
  std::vector<std::pair<std::size_t, std::size_t>> pieces;
  std::size_t from = begin;
  for (const SqlToken &token : scanSql(text.substr(begin, end - begin)))
    if (token.semicolon) {
      pieces.emplace_back(from, begin + token.end);
      from = begin + token.end;
    }
  if (from < end)
    pieces.emplace_back(from, end);
  return pieces;
}

/// Splits `text`, which starts at byte `base` of `file`, into statements and
/// parses each, in order. What the splitter leaves out (a statement that
/// starts with no keyword, everything after an unbalanced parenthesis) is
/// split at its semicolons and parsed too, so that no SQL is dropped
/// unreported.
void forEachStatement(const SourceFile &file, std::size_t base,
                      const std::string &text,
                      std::vector<Diagnostic> &diagnostics,
                      const StatementVisitor &visit) {
  PgQuerySplitResult split = pg_query_split_with_scanner(text.c_str());
  if (split.error) {
    // The scanner gave up (an unterminated quote or comment): nothing after
    // that point can be split into statements.
    int cursor = split.error->cursorpos;
    diagnostics.push_back(parseError(
        file, base + (cursor > 0 ? cursor - 1 : 0), split.error->message,
        "SQL not analysed: it cannot be split into statements"));
    pg_query_free_split_result(split);
    return;
  }
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  for (int i = 0; i < split.n_stmts; ++i) {
    auto begin = static_cast<std::size_t>(split.stmts[i]->stmt_location);
    ranges.emplace_back(
        begin, begin + static_cast<std::size_t>(split.stmts[i]->stmt_len));
  }
  pg_query_free_split_result(split);
  ranges.emplace_back(text.size(), text.size()); // the tail, as a gap

  auto parse = [&](std::size_t begin, std::size_t end) {
    if (std::size_t first = firstTokenOffset(text, begin, end); first < end)
      parseStatement(file, base, text, first, end, diagnostics, visit);
  };
  std::size_t covered = 0;
  for (auto [begin, end] : ranges) {
    if (firstTokenOffset(text, covered, begin) < begin)
      for (auto [pieceBegin, pieceEnd] :
           statementsAtSemicolons(text, covered, begin))
        parse(pieceBegin, pieceEnd);
    parse(begin, end);
    covered = std::max(covered, end);
  }
}

} // namespace

bool SqlFrontend::handles(const std::string &path) const {
  return endsWith(path, ".sql");
}

FileAnalysis SqlFrontend::analyze(const SourceFile &file) const {
  FileAnalysis analysis;
  analysis.path = file.path();
  const std::string &text = file.text();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    return analysis;

  ScriptBuilder script(file);
  SqlContext noVariables;
  forEachStatement(
      file, 0, text, analysis.diagnostics,
      [&](const Json &statement, const StatementSource &source) {
        for (SchemaChange &change : schemaChangesOf(statement, source))
          analysis.schemaChanges.push_back(std::move(change));
        if (const Json *function =
                pg::asNode(statement, "CreateFunctionStmt")) {
          if (auto unit =
                  plpgsqlUnitOf(*function, source, analysis.diagnostics))
            analysis.units.push_back(std::move(*unit));
          return;
        }
        script.add(analyzeStatement(statement, noVariables), source);
      });
  if (auto unit = script.take())
    analysis.units.push_back(std::move(*unit));
  return analysis;
}

std::vector<SchemaChange>
schemaChangesOfEmbeddedSql(const SourceFile &file, std::size_t begin,
                           const std::string &sql,
                           std::vector<Diagnostic> &diagnostics) {
  std::vector<SchemaChange> changes;
  forEachStatement(file, begin, sql, diagnostics,
                   [&](const Json &statement, const StatementSource &source) {
                     for (SchemaChange &change :
                          schemaChangesOf(statement, source))
                       changes.push_back(std::move(change));
                   });
  return changes;
}

} // namespace racelint::sql
