// The JSON reader: what core/json.hpp writes reads back; anything but one
// strict document is refused.
#include <catch2/catch.hpp>

#include <string>

#include "core/json.hpp"
#include "core/json_read.hpp"

using sgp::core::json_value;
using sgp::core::parse_json;

TEST_CASE("json_read reads back what json_object writes", "[core]") {
  const std::vector<double> values{1.5, -2.0, 1e-9};
  const auto text = sgp::core::json_object()
                        .add("name", "a \"quoted\"\nline")
                        .add("n", 42)
                        .add("ok", true)
                        .add("values", std::span<const double>(values))
                        .add_raw("inner", "{\"x\":null,\"y\":[]}")
                        .str();
  const auto doc = parse_json(text);
  REQUIRE(doc);
  REQUIRE(doc->kind == json_value::type::object);
  CHECK((*doc)["name"].text == "a \"quoted\"\nline");
  CHECK((*doc)["n"].number == 42);
  CHECK((*doc)["ok"].boolean);
  REQUIRE((*doc)["values"].items.size() == 3);
  CHECK((*doc)["values"].items[2].number == 1e-9);
  CHECK((*doc)["inner"]["x"].kind == json_value::type::null);
  CHECK((*doc)["inner"]["y"].kind == json_value::type::array);
  CHECK((*doc)["missing"].kind == json_value::type::null);
}

TEST_CASE("json_read refuses what is not one strict document", "[core]") {
  CHECK_FALSE(parse_json(""));
  CHECK_FALSE(parse_json("{\"a\":1} x"));
  CHECK_FALSE(parse_json("{\"a\":}"));
  CHECK_FALSE(parse_json("[1,2"));
  CHECK_FALSE(parse_json("\"tab\tinside\""));
  CHECK(parse_json(std::string(64, '[') + std::string(64, ']')));
  CHECK_FALSE(parse_json(std::string(100000, '[') + std::string(100000, ']')));
}
