// Firestore REST values: one value ({"integerValue": "5"}, nested maps and arrays) and a fields object, parsed and
// written back.
#include "firestore/FirestoreValue.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>

using namespace fairuse::services;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const QJsonDocument doc = QJsonDocument::fromJson(
        QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size)));
    if (!doc.isObject()) {
        return 0;
    }
    const QJsonObject o = doc.object();
    if (auto v = FirestoreValue::fromJson(o)) {
        (void)v->toJson();
        (void)v->toMap();
        (void)v->toArray();
        (void)(*v == *v);
    }
    if (auto fields = fieldsFromJson(o)) {
        (void)fieldsToJson(*fields);
    }
    return 0;
}
