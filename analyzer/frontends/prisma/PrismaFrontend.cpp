// A tokenizer and recursive-descent parser for the Prisma schema language,
// enough of it to read models: fields, their attributes and block attributes.
// Other blocks (datasource, generator, enum, view, type) are skipped whole.

#include "PrismaFrontend.h"

#include <cctype>
#include <cstring>
#include <set>

namespace racelint {
namespace {

struct Token {
  enum Kind { Name, String, Punct, Newline, End } kind = End;
  std::string text;
  std::size_t offset = 0;
};

std::vector<Token> tokenize(const std::string &text) {
  std::vector<Token> tokens;
  std::size_t at = 0;
  while (at < text.size()) {
    char c = text[at];
    if (c == '\n') {
      tokens.push_back({Token::Newline, "\n", at++});
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      ++at;
    } else if (text.compare(at, 2, "//") == 0) {
      at = text.find('\n', at);
      if (at == std::string::npos)
        at = text.size();
    } else if (c == '"') {
      std::size_t begin = at++;
      std::string value;
      while (at < text.size() && text[at] != '"' && text[at] != '\n') {
        if (text[at] == '\\' && at + 1 < text.size())
          ++at;
        value += text[at++];
      }
      ++at; // the closing quote
      tokens.push_back({Token::String, value, begin});
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t begin = at;
      while (at < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[at])) ||
              text[at] == '_' || text[at] == '.'))
        ++at;
      tokens.push_back({Token::Name, text.substr(begin, at - begin), begin});
    } else if (text.compare(at, 2, "@@") == 0) {
      tokens.push_back({Token::Punct, "@@", at});
      at += 2;
    } else {
      tokens.push_back({Token::Punct, std::string(1, c), at++});
    }
  }
  tokens.push_back({Token::End, "", text.size()});
  return tokens;
}

/// An attribute: `@unique`, `@map("x")`, `@@unique([a, b], name: "k")`.
struct Attribute {
  std::string name;
  std::vector<std::string> fieldList; // the first `[...]` argument
  std::string firstString;            // the first string argument
  std::size_t offset = 0;
};

struct Field {
  std::string name;
  std::string type;
  bool optional = false;
  bool list = false;
  std::vector<Attribute> attributes;
  std::size_t offset = 0;

  const Attribute *attribute(const std::string &attributeName) const {
    for (const Attribute &a : attributes)
      if (a.name == attributeName)
        return &a;
    return nullptr;
  }
};

struct Model {
  std::string name;
  std::vector<Field> fields;
  std::vector<Attribute> blockAttributes;
  std::size_t offset = 0;
};

class Parser {
public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  std::vector<Model> models() {
    std::vector<Model> result;
    while (peek().kind != Token::End) {
      if (peek().kind == Token::Name) {
        Token keyword = take();
        if (peek().kind == Token::Name && peekAt(1).text == "{") {
          Token name = take();
          take(); // {
          if (keyword.text == "model") {
            result.push_back(modelBody(name));
            continue;
          }
          skipBlock();
          continue;
        }
        if (peek().text == "{") {
          take();
          skipBlock(); // an unnamed block: datasource-like
          continue;
        }
      } else {
        take();
      }
    }
    return result;
  }

private:
  const Token &peek() const { return peekAt(0); }
  const Token &peekAt(std::size_t ahead) const {
    return tokens_[std::min(at_ + ahead, tokens_.size() - 1)];
  }
  Token take() {
    Token token = peek();
    if (at_ < tokens_.size() - 1)
      ++at_;
    return token;
  }

  /// Skips to the `}` matching an already consumed `{`.
  void skipBlock() {
    int depth = 1;
    while (peek().kind != Token::End && depth > 0) {
      Token token = take();
      if (token.text == "{")
        ++depth;
      else if (token.text == "}")
        --depth;
    }
  }

  /// Skips a parenthesised argument list, keeping what attributes need.
  void arguments(Attribute &attribute) {
    take(); // (
    int depth = 1;
    bool firstArgument = true;
    while (peek().kind != Token::End && depth > 0) {
      Token token = take();
      if (token.text == "(" || token.text == "[") {
        if (token.text == "[" && depth == 1 && firstArgument &&
            attribute.fieldList.empty()) {
          while (peek().kind != Token::End && peek().text != "]") {
            Token item = take();
            if (item.kind == Token::Name)
              attribute.fieldList.push_back(item.text);
            else if (item.text == "(") // `[email(sort: Desc)]`
              while (peek().kind != Token::End && take().text != ")") {
              }
          }
          take(); // ]
          continue;
        }
        ++depth;
      } else if (token.text == ")" || token.text == "]") {
        --depth;
      } else if (token.text == "," && depth == 1) {
        firstArgument = false;
      } else if (token.kind == Token::String && attribute.firstString.empty() &&
                 firstArgument) {
        attribute.firstString = token.text;
      }
    }
  }

  Attribute attribute() {
    Attribute result;
    result.offset = take().offset; // @ or @@
    if (peek().kind == Token::Name)
      result.name = take().text;
    if (peek().text == "(")
      arguments(result);
    return result;
  }

  Model modelBody(const Token &name) {
    Model model;
    model.name = name.text;
    model.offset = name.offset;
    while (peek().kind != Token::End && peek().text != "}") {
      if (peek().kind == Token::Newline) {
        take();
      } else if (peek().text == "@@") {
        model.blockAttributes.push_back(attribute());
      } else if (peek().kind == Token::Name) {
        model.fields.push_back(field());
      } else {
        take(); // stray punctuation: resynchronise on the next line
      }
    }
    take(); // }
    return model;
  }

  Field field() {
    Field result;
    Token name = take();
    result.name = name.text;
    result.offset = name.offset;
    if (peek().kind == Token::Name)
      result.type = take().text;
    if (peek().text == "(") { // Unsupported("...")
      Attribute ignored;
      arguments(ignored);
    }
    while (peek().kind == Token::Punct &&
           (peek().text == "?" || peek().text == "[" || peek().text == "]")) {
      Token mark = take();
      result.optional |= mark.text == "?";
      result.list |= mark.text == "[";
    }
    while (peek().kind != Token::End && peek().kind != Token::Newline &&
           peek().text != "}") {
      if (peek().text == "@")
        result.attributes.push_back(attribute());
      else
        take();
    }
    return result;
  }

  std::vector<Token> tokens_;
  std::size_t at_ = 0;
};

bool endsWith(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string delegateName(const std::string &model) {
  std::string name = model;
  if (!name.empty())
    name[0] =
        static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
  return name;
}

} // namespace

bool PrismaFrontend::handles(const std::string &path) const {
  return endsWith(path, ".prisma");
}

FileAnalysis PrismaFrontend::analyze(const SourceFile &file) const {
  FileAnalysis analysis;
  analysis.path = file.path();
  std::vector<Model> models = Parser(tokenize(file.text())).models();
  std::set<std::string> modelNames;
  for (const Model &model : models)
    modelNames.insert(model.name);

  for (const Model &model : models) {
    Table table;
    table.name = model.name;
    for (const Attribute &attribute : model.blockAttributes)
      if (attribute.name == "map" && !attribute.firstString.empty())
        table.name = attribute.firstString;
    table.declared = file.span(model.offset, model.offset + model.name.size());
    std::map<std::string, std::string> columnOfField;
    for (const Field &field : model.fields) {
      // A relation field names another model; its foreign key is a scalar
      // field of its own. Lists are relations too (or unsupported scalars).
      if (modelNames.count(field.type) || field.list || field.type.empty())
        continue;
      Column column;
      column.name = field.name;
      if (const Attribute *map = field.attribute("map");
          map && !map->firstString.empty())
        column.name = map->firstString;
      column.type = field.type;
      column.nullable = field.optional;
      column.hasDefault =
          field.attribute("default") || field.attribute("updatedAt");
      column.declared =
          file.span(field.offset, field.offset + field.name.size());
      columnOfField[field.name] = column.name;
      if (column.name != field.name)
        analysis.columnNames[table.name][field.name] = column.name;
      for (const char *kind : {"id", "unique"})
        if (const Attribute *attribute = field.attribute(kind)) {
          UniqueKey key;
          key.primary = std::string(kind) == "id";
          key.name = table.name + "." + field.name + " @" + kind;
          key.columns = {column.name};
          key.declared = file.span(attribute->offset,
                                   attribute->offset + 1 + std::strlen(kind));
          table.uniqueKeys.push_back(std::move(key));
        }
      table.columns.push_back(std::move(column));
    }
    for (const Attribute &attribute : model.blockAttributes) {
      if ((attribute.name != "unique" && attribute.name != "id") ||
          attribute.fieldList.empty())
        continue;
      UniqueKey key;
      key.primary = attribute.name == "id";
      key.name = model.name + " @@" + attribute.name + "(";
      for (std::size_t i = 0; i < attribute.fieldList.size(); ++i) {
        const std::string &fieldName = attribute.fieldList[i];
        auto column = columnOfField.find(fieldName);
        key.columns.push_back(column == columnOfField.end() ? fieldName
                                                            : column->second);
        key.name += (i ? ", " : "") + fieldName;
      }
      key.name += ")";
      key.declared = file.span(attribute.offset,
                               attribute.offset + 2 + attribute.name.size());
      table.uniqueKeys.push_back(std::move(key));
    }
    analysis.tableNames["prisma:" + delegateName(model.name)] = table.name;
    analysis.schemaChanges.push_back(declareTable(std::move(table)));
  }
  return analysis;
}

} // namespace racelint
