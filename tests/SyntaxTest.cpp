// TreeIndex must answer every question about a node's children exactly as
// tree-sitter does, through hidden nodes, inherited fields and extras.

#include "frontends/lowering/Syntax.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

extern "C" const TSLanguage *tree_sitter_tsx();
extern "C" const TSLanguage *tree_sitter_python();

namespace {

using racelint::ts::Node;

struct TreeDeleter {
  void operator()(TSTree *tree) const { ts_tree_delete(tree); }
};

/// Every node of the tree, in document order, found without the index.
std::vector<Node> allNodes(Node root) {
  std::vector<Node> nodes;
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  for (bool more = true; more;) {
    nodes.push_back(ts_tree_cursor_current_node(&cursor));
    if (ts_tree_cursor_goto_first_child(&cursor))
      continue;
    while (!ts_tree_cursor_goto_next_sibling(&cursor))
      if (!ts_tree_cursor_goto_parent(&cursor)) {
        more = false;
        break;
      }
  }
  ts_tree_cursor_delete(&cursor);
  return nodes;
}

/// What the helpers answer for each node and each of the grammar's fields.
std::vector<std::string> answers(const std::vector<Node> &nodes,
                                 const TSLanguage *language) {
  auto id = [](Node node) {
    return racelint::ts::isNull(node)
               ? std::string("null")
               : std::string(racelint::ts::type(node)) + "@" +
                     std::to_string(ts_node_start_byte(node)) + "-" +
                     std::to_string(ts_node_end_byte(node));
  };
  std::vector<std::string> lines;
  for (Node node : nodes) {
    std::string line = id(node) + " children:";
    for (Node child : racelint::ts::namedChildren(node))
      line.append(" ").append(id(child));
    for (TSFieldId field = 1; field <= ts_language_field_count(language);
         ++field) {
      const char *name = ts_language_field_name_for_id(language, field);
      Node first = racelint::ts::field(node, name);
      std::vector<Node> all = racelint::ts::fieldChildren(node, name);
      if (racelint::ts::isNull(first) && all.empty())
        continue;
      line += std::string(" ") + name + "=" + id(first) + "[";
      for (Node child : all)
        line += id(child) + ",";
      line += "]";
    }
    // ts_node_parent() of a zero-width node can answer a sibling.
    if (ts_node_start_byte(node) < ts_node_end_byte(node))
      line += " parent=" + id(racelint::ts::parent(node));
    lines.push_back(line);
  }
  return lines;
}

void expectSameAnswers(const TSLanguage *language, const std::string &text) {
  std::unique_ptr<TSParser, void (*)(TSParser *)> parser(ts_parser_new(),
                                                         ts_parser_delete);
  ts_parser_set_language(parser.get(), language);
  std::unique_ptr<TSTree, TreeDeleter> tree(ts_parser_parse_string(
      parser.get(), nullptr, text.data(), static_cast<uint32_t>(text.size())));
  Node root = ts_tree_root_node(tree.get());
  std::vector<Node> nodes = allNodes(root);
  std::vector<std::string> direct = answers(nodes, language);
  racelint::ts::TreeIndex index(root, "call_expression");
  ASSERT_NE(racelint::ts::TreeIndex::covering(root), nullptr);
  std::vector<std::string> indexed = answers(nodes, language);
  ASSERT_EQ(direct.size(), indexed.size());
  for (std::size_t i = 0; i < direct.size(); ++i)
    EXPECT_EQ(direct[i], indexed[i]);
}

TEST(TreeIndex, AnswersAsTreeSitterDoesInTypeScript) {
  expectSameAnswers(tree_sitter_tsx(), R"(
import { Body, Controller, Post } from '@nestjs/common';
/* a comment between members */
@Controller('orders')
export default class Orders<T extends object> extends Base implements I {
  constructor(@InjectRepository(Order) private readonly orders: Repo<T>) {
    super();
  }
  @Post() // a comment inside
  async create(@Body() { id, ...rest }: Dto, [a, , b] = []) {
    for (const [key, value] of Object.entries(rest)) (this as any)[key] = value;
    const row = await this.orders.findOne({ where: { id } })!;
    if (!row) throw new Error(`no ${id}`);
    return <div className="x" {...rest}>{row.name && <b>{a ?? b}</b>}</div>;
  }
}
export const f = async <U,>(x: U): Promise<U> => x satisfies U;
label: while (true) { break label; }
)");
}

TEST(TreeIndex, AnswersAsTreeSitterDoesOnBrokenCode) {
  expectSameAnswers(tree_sitter_tsx(), R"(
export function F(props: P) {
  const {
}
class { m( }
const x = a<b,a<b,1;
)");
}

TEST(TreeIndex, AnswersAsTreeSitterDoesInPython) {
  expectSameAnswers(tree_sitter_python(), R"(
@router.post("/orders", response_model=Out)
async def create(body: In, db: Session = Depends(get_db), *args, **kw):
    row = db.query(Order).filter(Order.id == body.id).with_for_update().first()
    if not row:  # a comment
        raise HTTPException(404)
    for field, value in body.dict(exclude_unset=True).items():
        setattr(row, field, value)
    return {k: v for k, v in kw.items() if v} | {"a": [x async for x in g()]}

class Order(Base, metaclass=M):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    def f(self, /, a, *, b=1) -> None: print(f"{a!r:>{b}}"); lambda: (yield)
)");
}

} // namespace
