#include "audit/CaseRef.h"

#include <QTest>

using namespace fairuse;

class CaseRefTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void make_data() {
        QTest::addColumn<quint64>("bits");
        QTest::addColumn<QString>("expected");
        QTest::newRow("zero is zero-padded") << quint64{0} << QStringLiteral("FU-000000000000");
        QTest::newRow("small") << quint64{0xabcdef} << QStringLiteral("FU-000000ABCDEF");
        QTest::newRow("all 48 bits") << quint64{0xFFFF'FFFF'FFFF} << QStringLiteral("FU-FFFFFFFFFFFF");
        QTest::newRow("high bits are dropped") << quint64{0xDEAD'0123'4567'89AB} << QStringLiteral("FU-0123456789AB");
        QTest::newRow("bit 48 alone is dropped") << (quint64{1} << 48) << QStringLiteral("FU-000000000000");
    }

    void make() {
        QFETCH(quint64, bits);
        QFETCH(QString, expected);
        const QString ref = makeCaseRef(bits);
        QCOMPARE(ref, expected);
        QVERIFY(isValidCaseRef(ref));
    }

    void madeRefsAreAlwaysValid() {
        // A spread of inputs (a simple LCG, deterministic) all give valid references.
        std::uint64_t x = 0x9E3779B97F4A7C15ULL;
        for (int i = 0; i < 1000; ++i) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            QVERIFY2(isValidCaseRef(makeCaseRef(x)), qPrintable(makeCaseRef(x)));
        }
    }

    void valid_data() {
        QTest::addColumn<QString>("ref");
        QTest::addColumn<bool>("valid");
        QTest::newRow("valid") << QStringLiteral("FU-0A1B2C3D4E5F") << true;
        QTest::newRow("digits only") << QStringLiteral("FU-123456789012") << true;
        QTest::newRow("lower-case hex") << QStringLiteral("FU-0a1b2c3d4e5f") << false;
        QTest::newRow("lower-case prefix") << QStringLiteral("fu-0A1B2C3D4E5F") << false;
        QTest::newRow("11 digits") << QStringLiteral("FU-0A1B2C3D4E5") << false;
        QTest::newRow("13 digits") << QStringLiteral("FU-0A1B2C3D4E5F0") << false;
        QTest::newRow("non-hex letter") << QStringLiteral("FU-0A1B2C3D4E5G") << false;
        QTest::newRow("leading space") << QStringLiteral(" FU-0A1B2C3D4E5F") << false;
        QTest::newRow("trailing newline") << QStringLiteral("FU-0A1B2C3D4E5F\n") << false;
        QTest::newRow("underscore") << QStringLiteral("FU_0A1B2C3D4E5F") << false;
        QTest::newRow("no dash") << QStringLiteral("FU0A1B2C3D4E5F0") << false;
        QTest::newRow("other prefix") << QStringLiteral("FX-0A1B2C3D4E5F") << false;
        QTest::newRow("prefix only") << QStringLiteral("FU-") << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("full-width digits") << QStringLiteral("FU-０１２３４５６７８９０１") << false;
        QTest::newRow("Arabic-Indic digits") << QStringLiteral("FU-٠١٢٣٤٥٦٧٨٩٠١") << false;
        QTest::newRow("sign") << QStringLiteral("FU--A1B2C3D4E5F") << false;
    }

    void valid() {
        QFETCH(QString, ref);
        QFETCH(bool, valid);
        QCOMPARE(isValidCaseRef(ref), valid);
    }

    void normalise_data() {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::newRow("already normal") << QStringLiteral("FU-0A1B2C3D4E5F") << QStringLiteral("FU-0A1B2C3D4E5F");
        QTest::newRow("lower case") << QStringLiteral("fu-0a1b2c3d4e5f") << QStringLiteral("FU-0A1B2C3D4E5F");
        QTest::newRow("mixed case") << QStringLiteral("Fu-0a1B2c3D4e5F") << QStringLiteral("FU-0A1B2C3D4E5F");
        QTest::newRow("surrounding whitespace")
            << QStringLiteral(" \t fu-0a1b2c3d4e5f \n") << QStringLiteral("FU-0A1B2C3D4E5F");
        QTest::newRow("bare hex") << QStringLiteral("0A1B2C3D4E5F") << QStringLiteral("FU-0A1B2C3D4E5F");
        QTest::newRow("bare lower-case hex") << QStringLiteral(" 0a1b2c3d4e5f ") << QStringLiteral("FU-0A1B2C3D4E5F");
        QTest::newRow("FU without the dash") << QStringLiteral("FU0A1B2C3D4E5F") << QString();
        QTest::newRow("twelve characters, not hex") << QStringLiteral("user-1234567") << QString();
        QTest::newRow("inner space is not accepted") << QStringLiteral("FU- 0A1B2C3D4E5F") << QString();
        QTest::newRow("too short") << QStringLiteral("fu-0a1b") << QString();
        QTest::newRow("user id, not a case") << QStringLiteral("uid-12345") << QString();
        QTest::newRow("full-width letters do not fold to ASCII")
            << QStringLiteral("FU-０ａ１ｂ２ｃ３ｄ４ｅ５ｆ") << QString();
        QTest::newRow("empty") << QString() << QString();
    }

    void normalise() {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        QCOMPARE(normaliseCaseRef(input), expected);
    }
};

QTEST_GUILESS_MAIN(CaseRefTest)
#include "CaseRefTest.moc"
