#pragma once
// The base of the security-rules tests that act as several reviewers: before the first test function, a fresh project
// with the shipped rules, one account per kind of actor signed in through the Auth emulator (roles, an unverified
// e-mail, no role, an unknown role), and a first audit record written with server credentials so the chain has a past.
// Also the genuine changes the core builds for those actors.

#include "RequireBackend.h"
#include "RulesSupport.h"

#include <QTest>

namespace fairuse::testing::rules {

enum class Who { Reviewer, Senior, Admin, Other, Unverified, NoRole, UnknownRole };

inline const enforcement::Policy kPolicy;

/** What the console books for one of its classifier runs. */
inline LlmSpendRecord classifierSpend(const QString& uid) {
    LlmSpendRecord r;
    r.uid = uid;
    r.at = actionTime();
    r.model = QStringLiteral("gpt-4.1-mini");
    r.purpose = QStringLiteral("classifier");
    r.promptTokens = 1200;
    r.completionTokens = 150;
    r.costMicroUsd = 720;
    return r;
}

inline Result<ChangeSet> resolve(const Subject& s, const Reviewer& r, Outcome outcome, bool exempt = false,
                                 std::optional<ClassifierVerdict> verdict = std::nullopt) {
    return enforcement::buildResolve(kPolicy, s.state, s.event(QStringLiteral("e1")), outcome,
                                     QStringLiteral("classifier_error"), QStringLiteral("seen"), exempt,
                                     contextFor(r, QStringLiteral("k-%1-%2").arg(s.state.uid, r.uid)), verdict);
}

inline Result<ChangeSet> overrideTo(const Subject& s, const Reviewer& r, Stage target) {
    return enforcement::buildOverrideStage(kPolicy, s.state, target, QStringLiteral("other"),
                                           QStringLiteral("manual review"), contextFor(r));
}

inline Result<ChangeSet> note(const Subject& s, const Reviewer& r, const QString& eventId = QStringLiteral("e1")) {
    return enforcement::buildAddNote(s.state, s.event(eventId), QStringLiteral("looked at it"), contextFor(r));
}

inline Result<ChangeSet> userNote(const Subject& s, const Reviewer& r) {
    return enforcement::buildAddUserNote(s.state, QStringLiteral("a user note"), contextFor(r));
}

inline Result<ChangeSet> reset(const Subject& s, const Reviewer& r) {
    return enforcement::buildReset(kPolicy, s.state, QStringLiteral("user_contacted"), QStringLiteral("support ticket"),
                                   contextFor(r));
}

inline Result<ChangeSet> exempt(const Subject& s, const Reviewer& r) {
    return enforcement::buildExempt(kPolicy, s.state, true, QStringLiteral("legitimate_use"),
                                    QStringLiteral("conference interpreter"), contextFor(r));
}

class ActorsTestBase : public QObject {
    Q_OBJECT

protected:
    const Actor& actor(Who who) const { return m_actors.at(who); }

    /** A new user as the backend leaves one at `stage` (seedUser()), written with server credentials. */
    QString freshUser(Stage stage) {
        const QString uid = QStringLiteral("user%1").arg(++m_users);
        auto r = wait(m_rules.owner->commit(seedUser(uid, stage)));
        if (!r) {
            qWarning("seeding %s failed: %s", qPrintable(uid), qPrintable(why(r.error())));
        }
        return uid;
    }

    /** Applies `change` as the core built it through `store`: the core's refusal, the store's answer. */
    static Result<CommitResult> applyChange(services::FirestoreCaseStore& store, const Result<ChangeSet>& change) {
        if (!change) {
            return change.error();
        }
        return wait(store.apply(*change));
    }

    RulesProject m_rules;
    std::map<Who, Actor> m_actors;
    int m_users = 0;

private Q_SLOTS:
    void initTestCase() {
        FAIRUSE_REQUIRE_EMULATOR(host);
        REQUIRE_AUTH_EMULATOR();
        QVERIFY(m_rules.create(host, QStringLiteral("rules")));
        const testing::AuthEmulator auth;
        const std::initializer_list<std::tuple<Who, const char*, const char*, bool>> accounts{
            {Who::Reviewer, "rev", "reviewer", true},
            {Who::Senior, "senior", "senior_reviewer", true},
            {Who::Admin, "admin", "admin", true},
            {Who::Other, "other", "reviewer", true},
            {Who::Unverified, "unverified", "reviewer", false},
            {Who::NoRole, "norole", "", true},
            {Who::UnknownRole, "unknown", "superuser", true}};
        for (const auto& [who, name, role, verified] : accounts) {
            auto a = signIn(auth, m_rules.host, m_rules.project, QString::fromLatin1(name), QString::fromLatin1(role),
                            verified);
            VERIFY_OK(a);
            m_actors.emplace(who, *a);
        }
        // A first record, written by the backend's tools with server credentials, so the chain has a past.
        AuditRecord first;
        first.at = at("2026-03-19T09:00:00Z");
        first.reviewer = QStringLiteral("seed@example.com");
        first.action = AuditAction::AddNote;
        first.uid = QStringLiteral("user0");
        first.stageBefore = first.stageAfter = Stage::None;
        first.reason = QStringLiteral("seed");
        first = chain(nullptr, first);
        VERIFY_OK(wait(m_rules.owner->commit(
            {FirestoreWrite::set(services::FirestoreCaseStore::auditPath(1), services::encodeAudit(first)),
             services::FirestoreCaseStore::headWrite(first, std::nullopt)})));
        VERIFY_OK(wait(m_rules.owner->commit(
            {FirestoreWrite::set(QStringLiteral("fair_use_idempotency/seeded"),
                                 {{QStringLiteral("key"), V::string(QStringLiteral("seeded"))},
                                  {QStringLiteral("uid"), V::string(QStringLiteral("user0"))},
                                  {QStringLiteral("sequence"), V::integer(1)},
                                  {QStringLiteral("reviewer_uid"), V::string(actor(Who::Reviewer).reviewer.uid)},
                                  {QStringLiteral("at"), V::timestamp(first.at)}})})));
    }
};

} // namespace fairuse::testing::rules
