// SQLite's spelling of statements PostgreSQL's parser reads the same way
// (see SqliteDialect.h). Only SQL text is rewritten here, never source code.

#include "SqliteDialect.h"

#include <cctype>
#include <string_view>
#include <vector>

namespace racelint::sql {
namespace {

std::string upper(std::string_view text) {
  std::string result(text);
  for (char &c : result)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return result;
}

/// The statement's leading words, upper-cased, with the offset after each.
std::vector<std::pair<std::string, std::size_t>>
leadingWords(const std::string &statement, std::size_t count) {
  std::vector<std::pair<std::string, std::size_t>> words;
  std::size_t at = 0;
  while (words.size() < count) {
    while (at < statement.size() &&
           std::isspace(static_cast<unsigned char>(statement[at])))
      ++at;
    std::size_t begin = at;
    while (at < statement.size() &&
           (std::isalpha(static_cast<unsigned char>(statement[at])) ||
            statement[at] == '_'))
      ++at;
    if (at == begin)
      break;
    words.emplace_back(
        upper(std::string_view(statement).substr(begin, at - begin)), at);
  }
  return words;
}

std::string rewriteStatement(const std::string &statement) {
  auto words = leadingWords(statement, 3);
  if (words.size() >= 2 && words[0].first == "BEGIN") {
    const std::string &mode = words[1].first;
    std::size_t rest = words[1].second;
    if (words.size() >= 3 && words[2].first == "TRANSACTION")
      rest = words[2].second;
    // IMMEDIATE and EXCLUSIVE take the database's write lock at BEGIN:
    // writing transactions run one at a time, as if serializable.
    if (mode == "IMMEDIATE" || mode == "EXCLUSIVE")
      return "BEGIN ISOLATION LEVEL SERIALIZABLE" + statement.substr(rest);
    if (mode == "DEFERRED")
      return "BEGIN" + statement.substr(rest);
  }
  if (words.size() >= 3 && words[0].first == "INSERT" &&
      words[1].first == "OR" && words[2].first == "IGNORE") {
    std::string body = "INSERT" + statement.substr(words[2].second);
    // Before the statement's own `;`, if any.
    std::size_t end = body.find_last_not_of(" \t\r\n;");
    return body.substr(0, end + 1) + " ON CONFLICT DO NOTHING" +
           body.substr(end + 1);
  }
  return statement;
}

} // namespace

std::string sqliteToPostgres(const std::string &sql) {
  std::string result, statement;
  unsigned nextPlaceholder = 1;
  auto flush = [&] {
    result += rewriteStatement(statement);
    statement.clear();
  };
  for (std::size_t at = 0; at < sql.size(); ++at) {
    char c = sql[at];
    if (c == '\'' || c == '"' || c == '`') {
      std::size_t close = sql.find(c, at + 1);
      close = close == std::string::npos ? sql.size() - 1 : close;
      statement += sql.substr(at, close - at + 1);
      at = close;
    } else if (c == '-' && at + 1 < sql.size() && sql[at + 1] == '-') {
      std::size_t end = sql.find('\n', at);
      end = end == std::string::npos ? sql.size() - 1 : end;
      statement += sql.substr(at, end - at + 1);
      at = end;
    } else if (c == '?') {
      // `?NNN` names its position; a bare `?` takes the next one.
      std::size_t end = at + 1;
      while (end < sql.size() &&
             std::isdigit(static_cast<unsigned char>(sql[end])))
        ++end;
      unsigned position = end > at + 1
                              ? std::stoul(sql.substr(at + 1, end - at - 1))
                              : nextPlaceholder;
      nextPlaceholder = position + 1;
      statement += "$" + std::to_string(position);
      at = end - 1;
    } else if (c == ';') {
      statement += c;
      flush();
    } else {
      statement += c;
    }
  }
  flush();
  return result;
}

} // namespace racelint::sql
