// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>

#include <utility>
#include <variant>

namespace stint {

// An error as a value: `code` is for programs ("store.wrong_key"), `message` for people, `details` for programs
// that need more than the code (an HTTP status, the fields a form got wrong, a retry delay). Never holds a secret.
struct Error
{
    QString code;
    QString message;
    QJsonObject details;
};

template <typename T> class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_value(std::move(value))
    {
    }
    Result(Error error)
        : m_value(std::move(error))
    {
    }

    bool ok() const { return std::holds_alternative<T>(m_value); }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<T>(m_value); }
    const T& value() const& { return std::get<T>(m_value); }
    T&& value() && { return std::get<T>(std::move(m_value)); }
    T* operator->() { return &std::get<T>(m_value); }
    const T* operator->() const { return &std::get<T>(m_value); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { return std::get<Error>(m_value); }

private:
    std::variant<T, Error> m_value;
};

template <> class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
        , m_ok(false)
    {
    }

    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const Error& error() const { return m_error; }

private:
    Error m_error;
    bool m_ok = true;
};

inline Error makeError(QString code, QString message)
{
    return Error{std::move(code), std::move(message)};
}

} // namespace stint

// Propagates the error of an expression returning Result<…> out of the current function.
#define STINT_TRY(expr)                                                                                               \
    do {                                                                                                              \
        auto stintTryResult_ = (expr);                                                                                \
        if (!stintTryResult_.ok())                                                                                    \
            return stintTryResult_.error();                                                                           \
    } while (false)
