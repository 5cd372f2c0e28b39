#include <QTest>
class LuaMeterTest : public QObject {
    Q_OBJECT
};
QTEST_GUILESS_MAIN(LuaMeterTest)
#include "LuaMeterTest.moc"
