// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/fido2/Fido2DeviceSource.h"
#include "client/fido2/SecurityKeys.h"

#include <QCoreApplication>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

// One WebAuthn get ceremony across every security key plugged in, through libfido2: the blocking part of
// Fido2SecurityKeys, run on a worker thread of its own (libfido2 blocks while a key waits for a touch).
//
// Each key gets a thread. Keys that can verify the person themselves (built-in UV, or no UV asked) are asked for the
// assertion at once. With one key that needs a PIN, the PIN goes straight to it (or the ceremony fails with
// fido2.pin_required before anything waits). With several keys, those that need a PIN — or cannot verify at all —
// are first asked for a touch only (libfido2's touch selection), so that the PIN is sent to the one key the person
// chose and never costs another key a retry. The first key to answer for the person (an assertion, a PIN problem,
// a touch on a key that cannot verify) wins; the others are cancelled (CTAPHID_CANCEL, repeated until they stop).
// Answers that say nothing about the person's choice — no passkey for this service, a key unplugged, an I/O error —
// are kept while other keys still wait, and the most useful of them is the outcome when none is left.
namespace stint::client {

class Fido2Ceremony
{
    Q_DECLARE_TR_FUNCTIONS(stint::client::Fido2SecurityKeys) // one translation context for all FIDO2 messages

public:
    struct Hooks
    {
        // Keys are waiting for a touch (called on the ceremony's threads).
        std::function<void(int keyCount)> touchRequested;
    };

    Fido2Ceremony(Fido2DeviceSource& source, const AssertionRequest& request, Hooks hooks);
    ~Fido2Ceremony();
    Fido2Ceremony(const Fido2Ceremony&) = delete;
    Fido2Ceremony& operator=(const Fido2Ceremony&) = delete;

    // Blocks until the ceremony is over. Call once.
    Result<Assertion> run();
    // From any thread: ends the ceremony with fido2.cancelled (unless a key has already answered).
    void cancel();

private:
    enum class Plan
    {
        Assert, // ask for the assertion (built-in UV, or no UV asked)
        AssertWithPin, // the one key, with the PIN
        Select, // several keys: a touch first, then the PIN to the chosen one
    };
    enum class Kind
    {
        Success, // an assertion (the winner)
        Terminal, // an answer about the person's choice: ends the ceremony (the winner)
        Selected, // touched during selection; the assertion with the PIN follows
        NonTerminal, // kept; the ceremony goes on while other keys wait
        Cancelled, // the key stopped because we cancelled it
    };
    struct Outcome
    {
        Kind kind;
        std::optional<Result<Assertion>> result;
        int rank = 0; // for NonTerminal: higher is more useful to the person
    };
    struct Key
    {
        QString path;
        fido_dev* dev = nullptr;
        bool fido2 = false, supportsPin = false, hasPin = false, hasUv = false;
        Plan plan = Plan::Assert;
        std::thread thread;
        bool finished = false; // coordinator's view
        bool cancelRequested = false; // coordinator's view
        std::chrono::steady_clock::time_point lastCancel;
    };

    Result<Assertion> coordinate();
    void work(size_t index);
    Outcome assertOn(Key& key, bool withPin);
    Outcome touchSelect(size_t index);
    Outcome mapFailure(Key& key, int fidoError, bool afterPin);
    Outcome ioFailure(Key& key);
    Outcome pinProblem(Key& key, const char* code);
    std::optional<Outcome> immediateOutcome(Key& key);
    void post(size_t index, Outcome outcome);
    bool claim(size_t index);
    void cancelKey(Key& key);
    bool stopRequested(size_t index) const;
    bool pastDeadline() const;
    void closeAll();

    static Error error(const char* code, const QString& message);

    Fido2DeviceSource& m_source;
    const AssertionRequest m_request;
    QByteArray m_pin; // NUL-terminated copy for libfido2, wiped on destruction; empty: none given
    Hooks m_hooks;
    std::chrono::steady_clock::time_point m_deadline;

    std::vector<std::unique_ptr<Key>> m_keys;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<std::pair<size_t, Outcome>> m_events; // guarded by m_mutex
    std::vector<bool> m_stop; // per key, guarded by m_mutex
    bool m_cancelled = false; // guarded by m_mutex
    std::optional<size_t> m_winner; // the key that answered for the person; guarded by m_mutex
};

} // namespace stint::client
