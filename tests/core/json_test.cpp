// The JSON object writer: escaping, numbers, arrays.
#include <catch2/catch.hpp>

#include <limits>
#include <string>
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

TEST_CASE("numbers are exact by default and short when asked", "[core]") {
  CHECK(sgp::core::json_number(0.1) == "0.1");
  CHECK(sgp::core::json_number(1.0 / 3.0) == "0.3333333333333333");
  CHECK(std::stod(sgp::core::json_number(1.0 / 3.0)) == 1.0 / 3.0);
  CHECK(sgp::core::json_number(8.0) == "8");
  CHECK(sgp::core::json_number(1.0 / 3.0, 6) == "0.333333");
  CHECK(sgp::core::json_number(123456789.0, 6) == "1.23457e+08");
  const auto line = sgp::core::json_object(6).add("loss", 2.302585092994046).add("n", 7).str();
  CHECK(line == R"({"loss":2.30259,"n":7})");
}
