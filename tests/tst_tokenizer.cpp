// The tokenizer on awkward text: offsets, contractions, numbers, emoji, CJK, RTL, control characters.
#include "tokenizer.h"

#include <QTest>

using namespace attention;

namespace {
std::vector<std::string> texts(const std::vector<Token> &tokens)
{
    std::vector<std::string> out;
    for (const Token &t : tokens)
        out.push_back(t.text);
    return out;
}
} // namespace

class tst_Tokenizer : public QObject
{
    Q_OBJECT
private slots:
    void words_data();
    void words();
    void offsetsAreCodePointsAndBytes();
    void neverSplitsACodePoint_data();
    void neverSplitsACodePoint();
    void invalidUtf8BecomesReplacement();
    void normalization();
    void tokensFromSplitWords();
};

void tst_Tokenizer::words_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("classic") << QStringLiteral("The animal didn't cross the street because it was too tired.")
                             << QStringList{"The",     "animal", "didn't", "cross", "the",   "street",
                                            "because", "it",     "was",    "too",   "tired", "."};
    QTest::newRow("typographic apostrophe")
        << QStringLiteral("It doesn’t fit.") << QStringList{"It", "doesn’t", "fit", "."};
    QTest::newRow("quotes are not apostrophes")
        << QStringLiteral("'quoted' and dogs' bowls")
        << QStringList{"'", "quoted", "'", "and", "dogs", "'", "bowls"};
    QTest::newRow("french elision") << QStringLiteral("l'homme la mange")
                                    << QStringList{"l'homme", "la", "mange"};
    QTest::newRow("numbers") << QStringLiteral("pi is 3.14, not 3,000.")
                             << QStringList{"pi", "is", "3.14", ",", "not", "3,000", "."};
    QTest::newRow("ellipsis and bangs")
        << QStringLiteral("Wait... what?!!") << QStringList{"Wait", "...", "what", "?", "!!"};
    QTest::newRow("code") << QStringLiteral("total = price*count; print(total)")
                          << QStringList{"total", "=",     "price", "*",     "count",
                                         ";",     "print", "(",     "total", ")"};
    QTest::newRow("snake_case") << QStringLiteral("my_var += 1") << QStringList{"my_var", "+", "=", "1"};
    QTest::newRow("accents") << QStringLiteral("Café naïve Ærøskøbing")
                             << QStringList{"Café", "naïve", "Ærøskøbing"};
    QTest::newRow("combining accent stays in word")
        << QStringLiteral("Cafe\u0301 ok") << QStringList{"Cafe\u0301", "ok"};
    QTest::newRow("CJK, one token per ideograph")
        << QStringLiteral("我爱你。") << QStringList{"我", "爱", "你", "。"};
    QTest::newRow("japanese kana") << QStringLiteral("ねこ") << QStringList{"ね", "こ"};
    QTest::newRow("hebrew RTL") << QStringLiteral("שלום עולם") << QStringList{"שלום", "עולם"};
    QTest::newRow("arabic RTL with comma")
        << QStringLiteral("مرحبا، عالم") << QStringList{"مرحبا", "،", "عالم"};
    QTest::newRow("emoji alone") << QStringLiteral("I ❤️ 🐈!") << QStringList{"I", "❤️", "🐈", "!"};
    QTest::newRow("emoji ZWJ family and skin tone")
        << QStringLiteral("👨‍👩‍👧 👍🏽") << QStringList{"👨‍👩‍👧", "👍🏽"};
    QTest::newRow("flag") << QStringLiteral("🇫🇷 vin") << QStringList{"🇫🇷", "vin"};
    QTest::newRow("control characters separate")
        << QStringLiteral("a\tb\nc\u0007d\u200Be") << QStringList{"a", "b", "c", "d", "e"};
    QTest::newRow("bidi marks dropped") << QStringLiteral("\u202Bab\u202C") << QStringList{"ab"};
    QTest::newRow("blank") << QStringLiteral(" \t\r\n ") << QStringList{};
    QTest::newRow("empty") << QString() << QStringList{};
}

void tst_Tokenizer::words()
{
    QFETCH(QString, input);
    QFETCH(QStringList, expected);
    QStringList got;
    for (const std::string &s : texts(tokenize(input.toStdString())))
        got << QString::fromStdString(s);
    QCOMPARE(got, expected);
}

void tst_Tokenizer::offsetsAreCodePointsAndBytes()
{
    // "Ça va 🐈 bien": Ç is 2 bytes, 🐈 is 4 bytes (U+1F408) and 1 code point.
    const std::string s = "Ça va 🐈 bien";
    const auto t = tokenize(s);
    QCOMPARE(t.size(), std::size_t(4));
    QCOMPARE(t[0].start, std::size_t(0));
    QCOMPARE(t[0].end, std::size_t(2));
    QCOMPARE(t[0].byteEnd, std::size_t(3));
    QCOMPARE(t[2].start, std::size_t(6));
    QCOMPARE(t[2].end, std::size_t(7));
    QCOMPARE(t[2].byteStart, std::size_t(7));
    QCOMPARE(t[2].byteEnd, std::size_t(11));
    QCOMPARE(t[3].start, std::size_t(8));
    QCOMPARE(t[3].end, std::size_t(12));
    for (const Token &k : t)
        QCOMPARE(s.substr(k.byteStart, k.byteEnd - k.byteStart), k.text);

    const auto classic = tokenize("The animal didn't cross");
    QCOMPARE(classic[2].text, std::string("didn't"));
    QCOMPARE(classic[2].start, std::size_t(11));
    QCOMPARE(classic[2].end, std::size_t(17));
}

void tst_Tokenizer::neverSplitsACodePoint_data()
{
    QTest::addColumn<QString>("input");
    QTest::newRow("emoji soup") << QStringLiteral("🙂🙃😀x😁😂🤣‍‍👩🏿‍🚀");
    QTest::newRow("mixed scripts") << QStringLiteral("abcالعربيةעבריתελληνικά中文한국어ไทย");
    QTest::newRow("lone joiners and selectors") << QStringLiteral("\u200D\uFE0F\u0301a\u200D");
    QTest::newRow("math and symbols") << QStringLiteral("√d_k ≈ 2.83 · −∞ ∑ ∫");
}

void tst_Tokenizer::neverSplitsACodePoint()
{
    QFETCH(QString, input);
    const std::string s = input.toStdString();
    const auto tokens = tokenize(s);
    std::size_t previousEnd = 0;
    for (const Token &t : tokens) {
        QVERIFY(!t.text.empty());
        QVERIFY(t.start >= previousEnd);
        QVERIFY(t.end > t.start);
        QCOMPARE(s.substr(t.byteStart, t.byteEnd - t.byteStart), t.text);
        // Valid UTF-8 in every token: decoding and re-encoding gives the same bytes.
        std::string again;
        for (char32_t c : decodeUtf8(t.text))
            again += encodeUtf8(c);
        QCOMPARE(again, t.text);
        QVERIFY(QString::fromStdString(t.text).toStdString() == t.text);
        previousEnd = t.end;
    }
}

void tst_Tokenizer::invalidUtf8BecomesReplacement()
{
    // A lone continuation byte, a truncated 3-byte sequence, an overlong '/' and a surrogate.
    const std::string bad = std::string("ok \x80 x\xE2\x82 \xC0\xAF \xED\xA0\x80 end");
    const auto t = tokenize(bad);
    QVERIFY(!t.empty());
    QCOMPARE(t.front().text, std::string("ok"));
    QCOMPARE(t.back().text, std::string("end"));
    for (const Token &k : t) {
        QVERIFY(k.byteEnd <= bad.size());
        QCOMPARE(bad.substr(k.byteStart, k.byteEnd - k.byteStart).size(), k.byteEnd - k.byteStart);
    }
    const auto cps = decodeUtf8("\x80");
    QCOMPARE(cps.size(), std::size_t(1));
    QCOMPARE(cps[0], char32_t(0xFFFD));
}

void tst_Tokenizer::normalization()
{
    QCOMPARE(normalizeForLookup("Didn’t"), std::string("didn't"));
    QCOMPARE(normalizeForLookup("JAVA"), std::string("java"));
    QCOMPARE(normalizeForLookup("Émile"), std::string("Émile")); // only ASCII is folded
}

void tst_Tokenizer::tokensFromSplitWords()
{
    // "the café ." as if joined by spaces: é is 2 bytes and 1 code point, so "." starts at code point 9,
    // byte 10.
    const auto t = tokensFromWords({"the", "café", "."});
    QCOMPARE(t.size(), std::size_t(3));
    QCOMPARE(t[1].start, std::size_t(4));
    QCOMPARE(t[1].end, std::size_t(8));
    QCOMPARE(t[1].byteEnd, std::size_t(9));
    QCOMPARE(t[2].start, std::size_t(9));
    QCOMPARE(t[2].byteStart, std::size_t(10));
    // The same spans the tokenizer gives for the joined text.
    const auto joined = tokenize("the café .");
    for (std::size_t i = 0; i < t.size(); ++i) {
        QCOMPARE(t[i].text, joined[i].text);
        QCOMPARE(t[i].start, joined[i].start);
        QCOMPARE(t[i].byteEnd, joined[i].byteEnd);
    }
}

QTEST_APPLESS_MAIN(tst_Tokenizer)
#include "tst_tokenizer.moc"
