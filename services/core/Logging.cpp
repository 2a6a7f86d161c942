// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Logging.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QTimer>
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

// Lines go through a buffer: a write() per request line stalls the event loop whenever the disk is slow. Warnings and
// worse are flushed at once, everything else at least every 250 ms (see install()).
void write(QtMsgType type, const QByteArray& line)
{
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
    if (type != QtDebugMsg && type != QtInfoMsg)
        std::fflush(stderr);
    if (type == QtFatalMsg)
        std::abort();
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
    write(type, out);
}

// A text log line is one line: control characters in any of its fields (a percent-encoded newline in a request path,
// say) are written as escapes, so that no input can forge a line of its own. Backslashes are escaped too, so an
// escape in the log always means one.
QByteArray escaped(const QByteArray& field)
{
    QByteArray out;
    out.reserve(field.size());
    for (char c : field) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (u < 0x20 || u == 0x7f)
            out += "\\x" + QByteArray::number(u, 16).rightJustified(2, '0');
        else
            out += c;
    }
    return out;
}

void textHandler(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    QByteArray out = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8() + ' ' + levelName(type)
        + ' ' + escaped(context.category ? context.category : "default");
    if (!t_requestId.isEmpty())
        out += " [" + escaped(t_requestId.toUtf8()) + ']';
    out += ' ' + escaped(message.toUtf8()) + '\n';
    write(type, out);
}
} // namespace

void install(Format format)
{
    static char buffer[1 << 16];
    std::setvbuf(stderr, buffer, _IOFBF, sizeof buffer);
    qInstallMessageHandler(format == Format::Json ? jsonHandler : textHandler);
    if (auto* app = QCoreApplication::instance()) {
        auto* flusher = new QTimer(app);
        QObject::connect(flusher, &QTimer::timeout, flusher, [] { std::fflush(stderr); });
        flusher->start(250);
    }
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
