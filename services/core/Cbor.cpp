// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Cbor.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborStreamReader>

#include <limits>

namespace stint::cbor {

namespace {

constexpr auto kMaxMapEntries = 1024;

struct StrictReader
{
    QCborStreamReader& reader;
    int maxDepth;
    QString problem;

    std::optional<QCborValue> fail(QString why)
    {
        if (problem.isEmpty())
            problem = std::move(why);
        return std::nullopt;
    }

    bool readerFailed() const { return reader.lastError() != QCborError::NoError; }

    std::optional<QCborValue> read(int depth)
    {
        if (readerFailed())
            return fail(QStringLiteral("truncated or invalid CBOR"));
        switch (reader.type()) {
        case QCborStreamReader::UnsignedInteger: {
            const quint64 v = reader.toUnsignedInteger();
            if (v > quint64(std::numeric_limits<qint64>::max()))
                return fail(QStringLiteral("integer out of range"));
            reader.next();
            return QCborValue(qint64(v));
        }
        case QCborStreamReader::NegativeInteger: {
            // The reader reports the absolute value; 0 stands for -2^64. Qt would silently wrap values below
            // -2^63 (even onto small positive numbers), so reject them here.
            const quint64 magnitude = quint64(reader.toNegativeInteger());
            if (magnitude == 0 || magnitude > quint64(std::numeric_limits<qint64>::max()) + 1)
                return fail(QStringLiteral("integer out of range"));
            reader.next();
            return QCborValue(magnitude == quint64(std::numeric_limits<qint64>::max()) + 1
                                  ? std::numeric_limits<qint64>::min()
                                  : -qint64(magnitude));
        }
        case QCborStreamReader::ByteArray: {
            if (!reader.isLengthKnown())
                return fail(QStringLiteral("indefinite-length byte string"));
            QByteArray bytes;
            auto chunk = reader.readByteArray();
            while (chunk.status == QCborStreamReader::Ok) {
                bytes += chunk.data;
                chunk = reader.readByteArray();
            }
            if (chunk.status == QCborStreamReader::Error || readerFailed())
                return fail(QStringLiteral("truncated byte string"));
            return QCborValue(bytes);
        }
        case QCborStreamReader::String: {
            if (!reader.isLengthKnown())
                return fail(QStringLiteral("indefinite-length text string"));
            QString text;
            auto chunk = reader.readString();
            while (chunk.status == QCborStreamReader::Ok) {
                text += chunk.data;
                chunk = reader.readString();
            }
            if (chunk.status == QCborStreamReader::Error || readerFailed())
                return fail(QStringLiteral("truncated or non-UTF-8 text string"));
            return QCborValue(text);
        }
        case QCborStreamReader::Array: {
            if (!reader.isLengthKnown())
                return fail(QStringLiteral("indefinite-length array"));
            if (depth >= maxDepth)
                return fail(QStringLiteral("nested too deeply"));
            if (reader.length() > quint64(kMaxMapEntries))
                return fail(QStringLiteral("array too long"));
            QCborArray array;
            if (!reader.enterContainer())
                return fail(QStringLiteral("invalid array"));
            while (reader.hasNext()) {
                auto item = read(depth + 1);
                if (!item)
                    return std::nullopt;
                array.append(*item);
            }
            if (readerFailed() || !reader.leaveContainer() || readerFailed())
                return fail(QStringLiteral("truncated array"));
            return QCborValue(array);
        }
        case QCborStreamReader::Map: {
            if (!reader.isLengthKnown())
                return fail(QStringLiteral("indefinite-length map"));
            if (depth >= maxDepth)
                return fail(QStringLiteral("nested too deeply"));
            if (reader.length() > quint64(kMaxMapEntries))
                return fail(QStringLiteral("map too long"));
            QCborMap map;
            QList<QCborValue> keys;
            if (!reader.enterContainer())
                return fail(QStringLiteral("invalid map"));
            while (reader.hasNext()) {
                auto key = read(depth + 1);
                if (!key)
                    return std::nullopt;
                if (!key->isInteger() && !key->isString())
                    return fail(QStringLiteral("map key is neither an integer nor a text string"));
                if (keys.contains(*key))
                    return fail(QStringLiteral("duplicate map key"));
                if (!reader.hasNext())
                    return fail(QStringLiteral("truncated map"));
                auto value = read(depth + 1);
                if (!value)
                    return std::nullopt;
                keys.append(*key);
                map.insert(*key, *value);
            }
            if (readerFailed() || !reader.leaveContainer() || readerFailed())
                return fail(QStringLiteral("truncated map"));
            return QCborValue(map);
        }
        case QCborStreamReader::SimpleType:
        case QCborStreamReader::Float16:
        case QCborStreamReader::Float:
        case QCborStreamReader::Double:
        case QCborStreamReader::Tag:
            // true/false/null arrive as SimpleType too: accept exactly those.
            if (reader.isFalse() || reader.isTrue() || reader.isNull()) {
                const QCborValue v = reader.isNull() ? QCborValue(nullptr) : QCborValue(reader.isTrue());
                reader.next();
                return v;
            }
            return fail(QStringLiteral("unsupported CBOR type (tag, float or simple value)"));
        case QCborStreamReader::Invalid:
            break;
        }
        return fail(QStringLiteral("truncated or invalid CBOR"));
    }
};

Error malformed(const QString& why)
{
    return makeError(QString::fromLatin1(kMalformed), QStringLiteral("Malformed CBOR: %1.").arg(why));
}

} // namespace

Result<Decoded> decodeItem(QByteArrayView data, int maxDepth)
{
    if (data.isEmpty())
        return malformed(QStringLiteral("no data"));
    QCborStreamReader reader(data.data(), data.size());
    StrictReader strict{reader, maxDepth, {}};
    auto value = strict.read(0);
    if (!value)
        return malformed(strict.problem);
    if (reader.lastError() != QCborError::NoError)
        return malformed(QStringLiteral("truncated or invalid CBOR"));
    return Decoded{std::move(*value), reader.currentOffset()};
}

Result<QCborValue> decodeExactly(QByteArrayView data, int maxDepth)
{
    auto decoded = decodeItem(data, maxDepth);
    if (!decoded)
        return decoded.error();
    if (decoded->size != data.size())
        return malformed(QStringLiteral("trailing bytes after the data item"));
    return std::move(decoded->value);
}

} // namespace stint::cbor
