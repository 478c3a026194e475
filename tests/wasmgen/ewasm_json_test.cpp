// templates/eunomia-include/ewasm_json.h, the guest SDK's JSON line writer,
// built natively with a 16-byte line: what fits is copied whole, what does
// not is cut at the line's end and marks the line truncated (text, digits
// and strings alike), and the next line starts clean.
#include <gtest/gtest.h>

#include <string>

#define EWASM_JSON_LINE_MAX 16
extern "C" {
#include "ewasm_json.h"
}

namespace {

std::string line() { return std::string(ewasm_json_out.buf, ewasm_json_out.len); }

void reset() {
  ewasm_json_out.len = 0;
  ewasm_json_out.truncated = 0;
}

}  // namespace

TEST(EwasmJson, WhatFitsIsCopiedWhole) {
  reset();
  ewasm_json_raw("{\"a\":");
  ewasm_json_u64(0);
  ewasm_json_raw(",\"b\":");
  ewasm_json_u64(42);
  EXPECT_EQ(line(), "{\"a\":0,\"b\":42");  // 14 bytes: the room of a 16-byte line
  EXPECT_EQ(ewasm_json_out.truncated, 0);
}

TEST(EwasmJson, TextThatDoesNotFitIsCut) {
  reset();
  ewasm_json_raw("0123456789");
  ewasm_json_raw("abcdefgh");
  EXPECT_EQ(line(), "0123456789abcd");
  EXPECT_EQ(ewasm_json_out.truncated, 1);
  ewasm_json_raw("x");  // a full line takes no more
  EXPECT_EQ(line(), "0123456789abcd");
}

TEST(EwasmJson, DigitsThatDoNotFitAreCutFromTheRight) {
  reset();
  ewasm_json_raw("{\"a\":");
  ewasm_json_u64(18446744073709551615ull);
  EXPECT_EQ(line(), "{\"a\":184467440");
  EXPECT_EQ(ewasm_json_out.truncated, 1);
}

TEST(EwasmJson, StringsEscapeAndCut) {
  reset();
  const char s[] = {'a', '"', '\n', '\x01', static_cast<char>(0xe9)};
  ewasm_json_strn(s, sizeof s);
  EXPECT_EQ(line(), "\"a\\\"\\n\\u0001?\"");  // 14 bytes
  EXPECT_EQ(ewasm_json_out.truncated, 0);
  reset();
  ewasm_json_strn("0123456789abcdef", 16);
  EXPECT_EQ(line(), "\"0123456789abc");
  EXPECT_EQ(ewasm_json_out.truncated, 1);
}
