// The JSON object writer: escaping, numbers, arrays.
#include <catch2/catch.hpp>

#include <limits>
#include <vector>

#include "core/json.hpp"

TEST_CASE("json_object escapes strings and writes numbers", "[core]") {
  const std::vector<double> values{0.5, 2.0};
  const auto s = sgp::core::json_object()
                     .add("name", "a\"b\\c\nd")
                     .add("n", 3)
                     .add("x", 0.25)
                     .add("ok", true)
                     .add("v", values)
                     .str();
  CHECK(s == R"({"name":"a\"b\\c\nd","n":3,"x":0.25,"ok":true,"v":[0.5,2]})");
}

TEST_CASE("non-finite numbers become null", "[core]") {
  CHECK(sgp::core::json_number(std::numeric_limits<double>::quiet_NaN()) == "null");
  CHECK(sgp::core::json_number(std::numeric_limits<double>::infinity()) == "null");
  CHECK(sgp::core::json_quote(std::string(1, '\x01')) == "\"\\u0001\"");
}
