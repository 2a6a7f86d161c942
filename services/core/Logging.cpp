// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Logging.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace stint::logging {

namespace {
thread_local QString t_requestId;

const char* levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return "debug";
    case QtInfoMsg:
        return "info";
    case QtWarningMsg:
        return "warning";
    case QtCriticalMsg:
        return "error";
    case QtFatalMsg:
        return "fatal";
    }
    return "info";
}

void jsonHandler(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    QJsonObject line{{QStringLiteral("time"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                     {QStringLiteral("level"), QLatin1String(levelName(type))},
                     {QStringLiteral("category"), QLatin1String(context.category ? context.category : "default")},
                     {QStringLiteral("message"), message}};
    if (!t_requestId.isEmpty())
        line.insert(QStringLiteral("requestId"), t_requestId);
    const QByteArray out = QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(out.constData(), 1, size_t(out.size()), stderr);
    if (type == QtFatalMsg)
        std::abort();
}

void textHandler(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    QByteArray out = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8() + ' ' + levelName(type)
        + ' ' + (context.category ? context.category : "default");
    if (!t_requestId.isEmpty())
        out += " [" + t_requestId.toUtf8() + ']';
    out += ' ' + message.toUtf8() + '\n';
    std::fwrite(out.constData(), 1, size_t(out.size()), stderr);
    if (type == QtFatalMsg)
        std::abort();
}
} // namespace

void install(Format format)
{
    qInstallMessageHandler(format == Format::Json ? jsonHandler : textHandler);
}

void setRequestId(const QString& id)
{
    t_requestId = id;
}

QString requestId()
{
    return t_requestId;
}

} // namespace stint::logging
