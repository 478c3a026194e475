// parse_doc_comment(): docs/annotations.md on comment text alone.
#include <gtest/gtest.h>

#include "ecc/srcscan.h"

namespace {

using ecc::Json;
using ecc::parse_doc_comment;

TEST(DocComment, PlainLinesBecomeOneDescription) {
  Json j = parse_doc_comment("/// Trace signals\n///   sent by   kill.\n");
  EXPECT_EQ(j.dump(), R"({"description":"Trace signals sent by   kill."})");
}

TEST(DocComment, BlockCommentMarkersAreStripped) {
  Json j = parse_doc_comment("/**\n * Process id\n * to trace.\n */");
  EXPECT_EQ(j.dump(), R"({"description":"Process id to trace."})");
  EXPECT_EQ(parse_doc_comment("/** one line */").dump(), R"({"description":"one line"})");
}

TEST(DocComment, JsonValuesAreParsedAndOthersKeptAsStrings) {
  Json j = parse_doc_comment(
      "/// Filter by pid\n"
      "/// @cmdarg {\"short\":\"p\",\"long\":\"pid\"}\n"
      "/// @unit  milliseconds \n"
      "/// @count 3\n"
      "/// @enabled true\n");
  EXPECT_EQ(j.dump(),
            R"({"description":"Filter by pid","cmdarg":{"short":"p","long":"pid"},)"
            R"("unit":"milliseconds","count":3,"enabled":true})");
  EXPECT_TRUE(j["cmdarg"].is_object());
  EXPECT_TRUE(j["unit"].is_string());
}

TEST(DocComment, KeysKeepTheirOrder) {
  Json j = parse_doc_comment("/// @version 0.1\n/// @brief b\n/// @details d\n");
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"version", "brief", "details"}));
  EXPECT_EQ(j["version"], 0.1);  // valid JSON: a number
}

TEST(DocComment, ValuesContinueOnFollowingLines) {
  Json j = parse_doc_comment(
      "/**\n"
      " * @sample {\"interval\": 1000,\n"
      " *          \"type\": \"log2_hist\"}\n"
      " * @details a longer\n"
      " *   explanation\n"
      " */");
  EXPECT_EQ(j["sample"], Json::parse(R"({"interval":1000,"type":"log2_hist"})"));
  EXPECT_EQ(j["details"], "a longer explanation");
  EXPECT_FALSE(j.contains("description"));
}

TEST(DocComment, NoContentGivesAnEmptyObject) {
  EXPECT_TRUE(parse_doc_comment("///\n///   \n").empty());
  EXPECT_TRUE(parse_doc_comment("/** */").empty());
  EXPECT_TRUE(parse_doc_comment("").is_object());
}

TEST(DocComment, ALaterKeyReplacesAnEarlierOneAndIsReported) {
  std::vector<std::string> repeated;
  Json j = parse_doc_comment("/// @metric label\n/// @unit ms\n/// @metric counter\n/// @metric histogram\n",
                             &repeated);
  EXPECT_EQ(j.dump(), R"({"metric":"histogram","unit":"ms"})");
  EXPECT_EQ(repeated, (std::vector<std::string>{"metric", "metric"}));
  repeated.clear();
  parse_doc_comment("/// @metric label\n/// @unit ms\n", &repeated);
  EXPECT_TRUE(repeated.empty());
}

TEST(DocComment, AnAtSignWithoutANameIsText) {
  Json j = parse_doc_comment("/// mail me @ home\n/// @ not a key\n");
  EXPECT_EQ(j.dump(), R"({"description":"mail me @ home @ not a key"})");
}

}  // namespace
