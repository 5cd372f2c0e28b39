#include <QTest>
class UsageCommandTest : public QObject {
    Q_OBJECT
};
QTEST_GUILESS_MAIN(UsageCommandTest)
#include "UsageCommandTest.moc"
