// The loader's pure parts, without a kernel: decoders, value encoding,
// record decoding (bitfields, strings) and histogram text.
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>

#include "ecc/codec.h"
#include "ecc/loader.h"
#include "ecc/runtime.h"
#include "test_util.h"

namespace ecc::loader {
namespace {

TEST(LoaderDecode, Base64RoundTripsEveryLength) {
  for (size_t n = 0; n < 70; n++) {
    std::vector<uint8_t> bytes(n);
    for (size_t i = 0; i < n; i++) bytes[i] = static_cast<uint8_t>(i * 37 + 11);
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes) << n;
  }
}

TEST(LoaderDecode, Base64Rejects) {
  EXPECT_THROW(base64_decode("abc"), Error);     // not a multiple of 4
  EXPECT_THROW(base64_decode("ab*d"), Error);    // bad character
  EXPECT_THROW(base64_decode("a=bc"), Error);    // data after padding
  EXPECT_THROW(base64_decode("a==="), Error);    // too much padding
}

TEST(LoaderDecode, InflateChecksTheSize) {
  std::vector<uint8_t> bytes(1000, 7);
  auto z = zlib_compress(bytes);
  EXPECT_EQ(zlib_inflate(z, 1000), bytes);
  EXPECT_THROW(zlib_inflate(z, 999), Error);
  EXPECT_THROW(zlib_inflate(z, 1001), Error);
  std::vector<uint8_t> junk = {1, 2, 3, 4};
  EXPECT_THROW(zlib_inflate(junk, 4), Error);
}

Field int_field(const char* name, uint32_t off, uint32_t size, bool is_signed) {
  Field f;
  f.kind = Field::Kind::Int;
  f.name = name;
  f.offset = off;
  f.size = size;
  f.is_signed = is_signed;
  return f;
}

TEST(LoaderFormat, BitfieldsStringsAndJsonEscapes) {
  Field rec;
  rec.kind = Field::Kind::Record;
  rec.size = 12;
  Field lo = int_field("lo", 0, 4, false);
  lo.bit_offset = 0;
  lo.bit_size = 3;
  Field neg = int_field("neg", 0, 4, true);
  neg.bit_offset = 3;
  neg.bit_size = 5;
  Field hi = int_field("hi", 1, 4, false);
  hi.bit_offset = 0;
  hi.bit_size = 24;
  Field s;
  s.kind = Field::Kind::String;
  s.name = "s";
  s.offset = 4;
  s.size = 8;
  rec.children = {lo, neg, hi, s};
  std::vector<uint8_t> data(12, 0);
  uint32_t bits = 5u | (static_cast<uint32_t>(-9 & 31) << 3) | (0xabcdefu << 8);
  std::memcpy(data.data(), &bits, 4);
  std::memcpy(data.data() + 4, "a\"b\n\x01", 5);
  std::string out;
  append_json(out, rec, data);
  EXPECT_EQ(out, R"({"lo":5,"neg":-9,"hi":11259375,"s":"a\"b\n\u0001"})");
  EXPECT_EQ(Json::parse(out), decode(rec, data));
  // A short record decodes what it has and null for the rest.
  EXPECT_EQ(decode(rec, std::span<const uint8_t>(data).first(6))["s"], nullptr);
}

// decode_text and decode_number (the @metric path) read scalars straight
// from the bytes: the same text and number as decode's Json value, for every
// kind, on every byte pattern tried, short records included.
TEST(LoaderFormat, TextAndNumberAgreeWithDecode) {
  std::vector<Field> fields;
  for (uint32_t size : {1u, 2u, 4u, 8u, 16u})
    for (bool is_signed : {false, true}) fields.push_back(int_field("i", 1, size, is_signed));
  Field bits = int_field("b", 2, 4, true);
  bits.bit_offset = 5;
  bits.bit_size = 11;
  fields.push_back(bits);
  Field c = int_field("c", 0, 1, true);
  c.kind = Field::Kind::Char;
  Field b = int_field("flag", 3, 1, false);
  b.kind = Field::Kind::Bool;
  Field str;
  str.kind = Field::Kind::String;
  str.offset = 4;
  str.size = 16;
  Field e = int_field("e", 0, 4, false);
  e.kind = Field::Kind::Enum;
  e.values = {{"ONE", 1}};
  Field f32 = int_field("f", 4, 4, true), f64 = int_field("d", 8, 8, true);
  f32.kind = f64.kind = Field::Kind::Float;
  Field arr;
  arr.kind = Field::Kind::Array;
  arr.offset = 2;
  arr.count = 3;
  arr.size = 6;
  arr.children = {int_field("", 0, 2, false)};
  fields.insert(fields.end(), {c, b, str, e, f32, f64, arr});
  for (uint32_t seed = 0; seed < 64; seed++) {
    std::vector<uint8_t> data(24);
    for (size_t i = 0; i < data.size(); i++) data[i] = static_cast<uint8_t>((seed * 131 + i * 29 + seed * i * 7) & 0xff);
    if (seed % 4 == 0) std::memcpy(data.data() + 4, "ab\xc3\xa9 \"x", 7);
    if (seed % 8 == 1) std::memset(data.data(), 0, 4);
    for (size_t len : {data.size(), size_t(6), size_t(1)}) {
      std::span<const uint8_t> bytes = std::span<const uint8_t>(data).first(len);
      for (const Field& f : fields) {
        Json v = decode(f, bytes);
        std::string text = v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, Json::error_handler_t::replace);
        double number = v.is_number() ? v.get<double>() : v.is_boolean() ? double(v.get<bool>()) : 0;
        std::string reused = "left over from the last event";
        decode_text(reused, f, bytes);
        EXPECT_EQ(decode_text(f, bytes), text) << f.name << " seed " << seed << " len " << len;
        EXPECT_EQ(reused, text) << f.name << " seed " << seed << " len " << len;
        double got = decode_number(f, bytes);
        if (std::isnan(number)) EXPECT_TRUE(std::isnan(got));
        else EXPECT_EQ(got, number) << f.name << " seed " << seed << " len " << len;
      }
    }
  }
}

TEST(LoaderFormat, Log2HistogramRows) {
  std::string h = log2_histogram({0, 1, 4, 0, 2}, "usecs");
  EXPECT_EQ(h,
            "          usecs          : count    distribution\n"
            "         0 -> 0          : 0        |                                        |\n"
            "         1 -> 1          : 1        |**********                              |\n"
            "         2 -> 3          : 4        |****************************************|\n"
            "         4 -> 7          : 0        |                                        |\n"
            "         8 -> 15         : 2        |********************                    |\n");
  EXPECT_EQ(linear_histogram({0, 3}, 10, 5, "ms"),
            "          ms             : count    distribution\n"
            "        10 -> 14         : 0        |                                        |\n"
            "        15 -> 19         : 3        |****************************************|\n");
}

TEST(LoaderOptions, EncodesByType) {
  ProgOption o;
  o.long_name = "x";
  o.type = int_field("x", 0, 2, true);
  EXPECT_EQ(encode_value(o, "-2"), (std::vector<uint8_t>{0xfe, 0xff}));
  EXPECT_EQ(encode_value(o, "0x7fff"), (std::vector<uint8_t>{0xff, 0x7f}));
  EXPECT_THROW(encode_value(o, "0x8000"), Error);
  EXPECT_THROW(encode_value(o, ""), Error);
  EXPECT_THROW(encode_value(o, "1 "), Error);
  o.type.is_signed = false;
  EXPECT_EQ(encode_value(o, "65535"), (std::vector<uint8_t>{0xff, 0xff}));
  EXPECT_THROW(encode_value(o, "-1"), Error);
  o.type = int_field("x", 0, 8, false);
  EXPECT_EQ(encode_value(o, "0xffffffffffffffff"), std::vector<uint8_t>(8, 0xff));
  o.type.kind = Field::Kind::String;
  o.type.size = 4;
  EXPECT_EQ(encode_value(o, "abc"), (std::vector<uint8_t>{'a', 'b', 'c', 0}));
  EXPECT_THROW(encode_value(o, "abcd"), Error);
}

TEST(LoaderOptions, ParsesLongShortInlineAndSwitches) {
  std::vector<ProgOption> opts(2);
  opts[0].long_name = "pid";
  opts[0].var = "filtered_pid";
  opts[0].short_name = "p";
  opts[0].type = int_field("filtered_pid", 0, 4, true);
  opts[0].default_value = 0;
  opts[1].long_name = "failed";
  opts[1].var = "failed_only";
  opts[1].type.kind = Field::Kind::Bool;
  opts[1].type.size = 1;
  bool help = false;
  auto s = parse_program_args(opts, {"-p5", "--failed"}, help);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].bytes, (std::vector<uint8_t>{5, 0, 0, 0}));
  EXPECT_EQ(s[1].bytes, (std::vector<uint8_t>{1}));
  s = parse_program_args(opts, {"--filtered_pid=7", "-h"}, help);
  EXPECT_TRUE(help);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].bytes, (std::vector<uint8_t>{7, 0, 0, 0}));
  s = parse_program_args(opts, {}, help);
  ASSERT_EQ(s.size(), 1u);  // the cmdarg default
  EXPECT_EQ(s[0].bytes, (std::vector<uint8_t>{0, 0, 0, 0}));
  try {
    parse_program_args(opts, {"--nope"}, help);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Exit::usage);
  }
  EXPECT_THROW(parse_program_args(opts, {"stray"}, help), Error);
  EXPECT_THROW(parse_program_args(opts, {"-p"}, help), Error);
}

// The event path's batching (runtime.h): output is written at once when the
// stream goes idle, and not again within kLatency while records keep coming.
TEST(EventBatching, OutputPaceWritesWhenIdleOrAfterTheLatency) {
  runtime::OutputPace pace;
  EXPECT_TRUE(pace.due(true));
  EXPECT_FALSE(pace.due(false));  // just written, records coming
  EXPECT_TRUE(pace.due(true));    // idle: at once, whatever the time
  std::this_thread::sleep_for(runtime::OutputPace::kLatency + std::chrono::milliseconds(5));
  EXPECT_TRUE(pace.due(false));
  EXPECT_FALSE(pace.due(false));
}

TEST(EventBatching, WakeupBatchIsSetForTheProcess) {
  auto before = runtime::wakeup_batch();
  EXPECT_EQ(before, std::chrono::microseconds(1000));  // the default, docs/ecli.md
  runtime::set_wakeup_batch(std::chrono::microseconds(0));
  EXPECT_EQ(runtime::wakeup_batch(), std::chrono::microseconds(0));
  runtime::wait_for_batch();  // 0: returns at once
  runtime::set_wakeup_batch(before);
}

}  // namespace
}  // namespace ecc::loader
