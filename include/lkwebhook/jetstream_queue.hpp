#ifndef LKWEBHOOK_JETSTREAM_QUEUE_HPP
#define LKWEBHOOK_JETSTREAM_QUEUE_HPP

// jetstream_queue: a DurableQueue (durable_queue.hpp) over NATS JetStream,
// through libnats (3.x), for durable_dispatcher. Link the optional CMake
// target lkwebhook::nats, defined where libnats is found.
//
// Layout, for subject prefix S and stream name N:
//   stream N         subjects S.p.* (one subject per partition), file storage,
//                    work-queue retention (an acknowledged message is
//                    deleted), at most partition_capacity messages per
//                    subject with new ones refused beyond (DiscardNew per
//                    subject: append answers `full`, nothing is trimmed), a
//                    duplicate window (Nats-Msg-Id = the event id, so a
//                    LiveKit retry arriving inside the window is stored once);
//   stream N_DEAD    subject S.dead: dead letters, headers carry the reason;
//   consumers        one durable pull consumer per partition (N_p<n>,
//                    filtered on S.p.<n>), explicit acks, AckWait =
//                    idle_timeout, MaxAckPending 1: the server hands out at
//                    most one message of a partition at a time, to whichever
//                    instance fetches, so a room's order holds across
//                    instances; a message not acknowledged within AckWait (its
//                    consumer died) is delivered again, before anything newer.
// A failed handler's message is Nak'ed with a delay; a dead-lettered one is
// published to S.dead, then terminated (Term).
//
// append() returns after the JetStream publish acknowledgement, which the
// server sends once the message is stored (with Replicas > 1, once a quorum
// stored it). How durable that is follows the stream's storage: file storage
// on one server survives a crash of the server process; the server fsyncs
// it only periodically (sync_interval, two minutes by default in NATS's
// documentation), so a machine crash can lose recently acknowledged
// messages unless replicas hold them.
//
// Headers: Lk-Key-Id, Lk-Received-Ms (and on dead letters Lk-Partition,
// Lk-Source-Seq, Lk-Deliveries, Lk-Error); the event id is Nats-Msg-Id.
//
// Auth: user and password, a token, or a credentials file (NKey/JWT); TLS
// through libnats (CA file, client certificate, expected host name).
// Secrets are never copied into a diagnosis or log.
//
// Thread-safety: every member may be called concurrently from any threads
// (libnats connections and subscriptions are thread-safe; subscriptions are
// created once, under a lock).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nats/nats.h>

#include "config.hpp"
#include "durable_queue.hpp"
#include "error.hpp"
#include "result.hpp"

namespace lkwebhook {

/// Configuration of jetstream_queue. Every instance on one queue must use the
/// same stream, subject_prefix and partitions.
struct jetstream_options {
    /// nats://host:port (several comma-separated URLs are allowed).
    std::string url = "nats://127.0.0.1:4222";
    std::string user;
    std::string password;  ///< never logged
    std::string token;     ///< never logged
    /// A .creds file (user JWT and NKey seed), for NATS's decentralized auth.
    std::string credentials_file;
    bool tls = false;
    std::string tls_ca_file;
    std::string tls_cert_file;
    std::string tls_key_file;
    std::string tls_expected_hostname;

    std::string stream = "LKWEBHOOK";
    std::string subject_prefix = "lkwebhook";
    std::size_t partitions = 16;
    /// Unfinished messages per partition, at most; append() answers `full` beyond.
    std::size_t partition_capacity = 100'000;
    std::size_t dead_letter_capacity = 100'000;
    /// Stream replicas (1 on a single server; 3 in a cluster for durability).
    int replicas = 1;
    /// JetStream duplicate window for Nats-Msg-Id (LiveKit retries within it are stored once).
    std::chrono::milliseconds duplicate_window{120'000};
    /// AckWait: a message not acknowledged this long is delivered again (its consumer died).
    std::chrono::milliseconds idle_timeout{30'000};
    /// Publish acknowledgement and API timeout.
    std::chrono::milliseconds timeout{2'000};
    /// How long take() waits for a message.
    std::chrono::milliseconds fetch_wait{20};
};

/// One dead letter, as listed by jetstream_queue::dead_letters().
struct jetstream_dead_letter {
    std::uint64_t sequence = 0;
    std::string event_id;
    std::string body;
    std::string key_id;
    std::int64_t received_unix_ms = 0;
    std::size_t partition = 0;
    std::string error;
    std::uint64_t deliveries = 0;
};

namespace detail {

struct nats_msg_deleter {
    void operator()(natsMsg* m) const noexcept {
        if (m != nullptr) natsMsg_Destroy(m);
    }
};
using nats_msg = std::unique_ptr<natsMsg, nats_msg_deleter>;

inline std::string_view nats_header(natsMsg* m, const char* name) noexcept {
    const char* value = nullptr;
    if (natsMsgHeader_Get(m, name, &value) != NATS_OK || value == nullptr) return {};
    return value;
}

inline std::int64_t parse_i64(std::string_view text) noexcept {
    std::int64_t v = 0;
    for (const char c : text) {
        if (c < '0' || c > '9' || v > (INT64_MAX - 9) / 10) return 0;
        v = v * 10 + (c - '0');
    }
    return v;
}

}  // namespace detail

/// DurableQueue over NATS JetStream (see the file comment).
class jetstream_queue {
public:
    explicit jetstream_queue(jetstream_options options = {}) : options_(std::move(options)) {
        if (options_.partitions == 0) options_.partitions = 1;
        if (options_.partition_capacity == 0) options_.partition_capacity = 1;
        subscriptions_.resize(options_.partitions, nullptr);
    }

    ~jetstream_queue() { disconnect(); }

    /// Connects once and reports what a deployment gets wrong: credentials the
    /// server refuses (user/password, token, credentials file), a TLS failure
    /// (untrusted certificate, TLS on one side only) or options libnats
    /// rejects are invalid_config; a server that cannot be reached is
    /// overloaded (try again later). The diagnosis never contains a secret.
    [[nodiscard]] result<void> check(diagnosis* why = nullptr) const noexcept {
        natsOptions* o = connection_options();
        if (o == nullptr) {
            diagnose(why).append("NATS connection options were refused (credentials file, TLS files or URL)");
            return result<void>{errc::invalid_config};
        }
        (void)natsOptions_SetMaxReconnect(o, 0);
        natsConnection* nc = nullptr;
        const natsStatus s = natsConnection_Connect(&nc, o);
        natsOptions_Destroy(o);
        if (s == NATS_OK) {
            natsConnection_Close(nc);
            natsConnection_Destroy(nc);
            return {};
        }
        if (nc != nullptr) natsConnection_Destroy(nc);
        if (s == NATS_NOT_PERMITTED || s == NATS_CONNECTION_AUTH_FAILED) {
            diagnose(why).append(
                    "the NATS server refused the credentials (user and password, token or credentials file)");
            return result<void>{errc::invalid_config};
        }
        if (s == NATS_SSL_ERROR || s == NATS_SECURE_CONNECTION_WANTED || s == NATS_SECURE_CONNECTION_REQUIRED) {
            // An untrusted certificate or a TLS mismatch does not heal by retrying.
            diagnose(why).append(
                    "TLS with the NATS server failed (untrusted certificate, wrong CA file, or TLS on "
                    "one side only): ");
            diagnose(why).append(natsStatus_GetText(s));
            return result<void>{errc::invalid_config};
        }
        diagnose(why).append("the NATS server cannot be reached: ").append(natsStatus_GetText(s));
        return result<void>{errc::overloaded};
    }

    jetstream_queue(const jetstream_queue&) = delete;
    jetstream_queue& operator=(const jetstream_queue&) = delete;

    [[nodiscard]] std::size_t partitions() const noexcept { return options_.partitions; }

    [[nodiscard]] append_status append(const durable_record& r) noexcept {
        return guarded([&] { return append_impl(r); }, append_status::unavailable);
    }

    [[nodiscard]] take_status take(std::size_t p, durable_entry& out) noexcept {
        return guarded([&] { return take_impl(p, out); }, take_status::unavailable);
    }

    [[nodiscard]] bool acknowledge(const durable_entry& e) noexcept {
        natsMsg* m = message_of(e);
        return m != nullptr && natsMsg_AckSync(m, nullptr, nullptr) == NATS_OK;
    }

    void retry_later(const durable_entry& e, std::chrono::milliseconds delay) noexcept {
        if (natsMsg* m = message_of(e); m != nullptr) (void)natsMsg_NakWithDelay(m, delay.count(), nullptr);
    }

    void keep_alive(const durable_entry& e) noexcept {
        if (natsMsg* m = message_of(e); m != nullptr) (void)natsMsg_InProgress(m, nullptr);
    }

    [[nodiscard]] bool dead_letter(const durable_entry& e, std::string_view reason) noexcept {
        return guarded(
                [&] {
                    natsMsg* source = message_of(e);
                    if (source == nullptr) return false;
                    jsCtx* js = context();
                    if (js == nullptr) return false;
                    const std::string subject = options_.subject_prefix + ".dead";
                    natsMsg* raw = nullptr;
                    if (natsMsg_Create(&raw, subject.c_str(), nullptr, e.body.data(),
                                       static_cast<int>(e.body.size())) != NATS_OK)
                        return false;
                    detail::nats_msg m{raw};
                    const std::string partition = std::to_string(e.partition);
                    const std::string deliveries = std::to_string(e.deliveries);
                    const std::string received = std::to_string(e.received_unix_ms);
                    const std::string error{reason};
                    const std::string event_id{detail::nats_header(source, "Nats-Msg-Id")};
                    natsMsgHeader_Set(m.get(), "Lk-Key-Id", e.key_id.c_str());
                    natsMsgHeader_Set(m.get(), "Lk-Received-Ms", received.c_str());
                    natsMsgHeader_Set(m.get(), "Lk-Event-Id", event_id.c_str());
                    natsMsgHeader_Set(m.get(), "Lk-Partition", partition.c_str());
                    natsMsgHeader_Set(m.get(), "Lk-Source-Seq", e.id.c_str());
                    natsMsgHeader_Set(m.get(), "Lk-Deliveries", deliveries.c_str());
                    natsMsgHeader_Set(m.get(), "Lk-Error", error.c_str());
                    jsPubOptions po;
                    jsPubOptions_Init(&po);
                    po.MaxWait = options_.timeout.count();
                    jsPubAck* ack = nullptr;
                    if (js_PublishMsg(&ack, js, m.get(), &po, nullptr) != NATS_OK) return false;
                    jsPubAck_Destroy(ack);
                    // Stored as a dead letter: stop redelivering (and, in a work queue, delete) the original.
                    return natsMsg_Term(source, nullptr) == NATS_OK;
                },
                false);
    }

    // Tooling: dead letters and depth, as for redis_stream_queue.

    [[nodiscard]] result<std::vector<jetstream_dead_letter>> dead_letters(std::size_t max = 100) noexcept {
        return guarded(
                [&]() -> result<std::vector<jetstream_dead_letter>> {
                    jsCtx* js = context();
                    if (js == nullptr) return errc::overloaded;
                    const std::string name = dead_stream();
                    jsStreamInfo* si = nullptr;
                    if (js_GetStreamInfo(&si, js, name.c_str(), nullptr, nullptr) != NATS_OK) return errc::overloaded;
                    const std::uint64_t first = si->State.FirstSeq;
                    const std::uint64_t last = si->State.LastSeq;
                    const std::uint64_t count = si->State.Msgs;
                    jsStreamInfo_Destroy(si);
                    std::vector<jetstream_dead_letter> out;
                    for (std::uint64_t seq = first; count != 0 && seq <= last && out.size() < max; ++seq) {
                        natsMsg* raw = nullptr;
                        if (js_GetMsg(&raw, js, name.c_str(), seq, nullptr, nullptr) != NATS_OK) continue;  // deleted
                        detail::nats_msg m{raw};
                        jetstream_dead_letter d;
                        d.sequence = seq;
                        d.body.assign(natsMsg_GetData(m.get()),
                                      static_cast<std::size_t>(natsMsg_GetDataLength(m.get())));
                        d.event_id = detail::nats_header(m.get(), "Lk-Event-Id");
                        d.key_id = detail::nats_header(m.get(), "Lk-Key-Id");
                        d.received_unix_ms = detail::parse_i64(detail::nats_header(m.get(), "Lk-Received-Ms"));
                        d.partition = static_cast<std::size_t>(
                                detail::parse_i64(detail::nats_header(m.get(), "Lk-Partition")));
                        d.error = detail::nats_header(m.get(), "Lk-Error");
                        d.deliveries = static_cast<std::uint64_t>(
                                detail::parse_i64(detail::nats_header(m.get(), "Lk-Deliveries")));
                        out.push_back(std::move(d));
                    }
                    return out;
                },
                result<std::vector<jetstream_dead_letter>>{errc::internal_error});
    }

    /// Publishes dead letter `sequence` to its partition again (a new message;
    /// not deduplicated) and deletes it from the dead letters.
    [[nodiscard]] result<void> replay_dead_letter(std::uint64_t sequence) noexcept {
        return guarded(
                [&]() -> result<void> {
                    jsCtx* js = context();
                    if (js == nullptr) return errc::overloaded;
                    const std::string name = dead_stream();
                    natsMsg* raw = nullptr;
                    if (js_GetMsg(&raw, js, name.c_str(), sequence, nullptr, nullptr) != NATS_OK)
                        return errc::invalid_config;
                    detail::nats_msg dead{raw};
                    durable_record r;
                    r.partition = static_cast<std::size_t>(
                            detail::parse_i64(detail::nats_header(dead.get(), "Lk-Partition")));
                    r.body = std::string_view{natsMsg_GetData(dead.get()),
                                              static_cast<std::size_t>(natsMsg_GetDataLength(dead.get()))};
                    r.key_id = detail::nats_header(dead.get(), "Lk-Key-Id");
                    r.received_unix_ms = detail::parse_i64(detail::nats_header(dead.get(), "Lk-Received-Ms"));
                    // No event id: a replay must not be dropped as a duplicate of the original.
                    if (append_impl(r) != append_status::appended) return errc::overloaded;
                    if (js_DeleteMsg(js, name.c_str(), sequence, nullptr, nullptr) != NATS_OK) return errc::overloaded;
                    return {};
                },
                result<void>{errc::internal_error});
    }

    /// Messages stored and not yet acknowledged, per partition (in a work
    /// queue an acknowledged message is deleted, so this is what is stored).
    [[nodiscard]] result<std::vector<std::uint64_t>> unfinished() noexcept {
        return guarded(
                [&]() -> result<std::vector<std::uint64_t>> {
                    jsCtx* js = context();
                    if (js == nullptr) return errc::overloaded;
                    const std::string filter = options_.subject_prefix + ".p.*";
                    jsOptions jo;
                    jsOptions_Init(&jo);
                    jo.Stream.Info.SubjectsFilter = filter.c_str();
                    jsStreamInfo* si = nullptr;
                    if (js_GetStreamInfo(&si, js, options_.stream.c_str(), &jo, nullptr) != NATS_OK)
                        return errc::overloaded;
                    std::vector<std::uint64_t> out(options_.partitions, 0);
                    const std::string prefix = options_.subject_prefix + ".p.";
                    if (si->State.Subjects != nullptr) {
                        for (int i = 0; i < si->State.Subjects->Count; ++i) {
                            const std::string_view name = si->State.Subjects->List[i].Subject;
                            if (!name.starts_with(prefix)) continue;
                            const auto p = static_cast<std::size_t>(detail::parse_i64(name.substr(prefix.size())));
                            if (p < out.size()) out[p] = si->State.Subjects->List[i].Msgs;
                        }
                    }
                    jsStreamInfo_Destroy(si);
                    return out;
                },
                result<std::vector<std::uint64_t>>{errc::internal_error});
    }

    [[nodiscard]] const jetstream_options& options() const noexcept { return options_; }

private:
    template <class F, class R>
    static R guarded(F&& f, R fallback) noexcept {
        return detail::fail_closed(f, [&] { return fallback; });
    }

    static natsMsg* message_of(const durable_entry& e) noexcept { return static_cast<natsMsg*>(e.native.get()); }

    [[nodiscard]] std::string subject(std::size_t p) const {
        return options_.subject_prefix + ".p." + std::to_string(p);
    }
    [[nodiscard]] std::string consumer_name(std::size_t p) const { return options_.stream + "_p" + std::to_string(p); }
    [[nodiscard]] std::string dead_stream() const { return options_.stream + "_DEAD"; }

    void disconnect() noexcept {
        std::lock_guard lock(mutex_);
        for (natsSubscription*& s : subscriptions_) {
            if (s != nullptr) natsSubscription_Destroy(s);
            s = nullptr;
        }
        if (js_ != nullptr) jsCtx_Destroy(js_);
        js_ = nullptr;
        if (connection_ != nullptr) {
            natsConnection_Close(connection_);
            natsConnection_Destroy(connection_);
        }
        connection_ = nullptr;
    }

    // The libnats connection options (URL, timeouts, reconnects, auth, TLS), or
    // nullptr when libnats refuses one of them (e.g. a credentials file it
    // cannot read). The caller owns the result.
    [[nodiscard]] natsOptions* connection_options() const noexcept {
        natsOptions* o = nullptr;
        if (natsOptions_Create(&o) != NATS_OK) return nullptr;
        bool ok = natsOptions_SetURL(o, options_.url.c_str()) == NATS_OK &&
                  natsOptions_SetTimeout(o, options_.timeout.count()) == NATS_OK &&
                  natsOptions_SetMaxReconnect(o, -1) == NATS_OK && natsOptions_SetReconnectWait(o, 100) == NATS_OK &&
                  // No reconnect buffer (1 byte is the least libnats takes; 0 means 8 MB): a
                  // publish while disconnected fails at once (503) instead of being sent, and
                  // stored, after the reconnect although it was answered 503.
                  natsOptions_SetReconnectBufSize(o, 1) == NATS_OK;
        if (ok && !options_.user.empty())
            ok = natsOptions_SetUserInfo(o, options_.user.c_str(), options_.password.c_str()) == NATS_OK;
        if (ok && !options_.token.empty()) ok = natsOptions_SetToken(o, options_.token.c_str()) == NATS_OK;
        if (ok && !options_.credentials_file.empty())
            ok = natsOptions_SetUserCredentialsFromFiles(o, options_.credentials_file.c_str(), nullptr) == NATS_OK;
        if (ok && options_.tls) {
            ok = natsOptions_SetSecure(o, true) == NATS_OK;
            if (ok && !options_.tls_ca_file.empty())
                ok = natsOptions_LoadCATrustedCertificates(o, options_.tls_ca_file.c_str()) == NATS_OK;
            if (ok && !options_.tls_cert_file.empty())
                ok = natsOptions_LoadCertificatesChain(o, options_.tls_cert_file.c_str(),
                                                       options_.tls_key_file.c_str()) == NATS_OK;
            if (ok && !options_.tls_expected_hostname.empty())
                ok = natsOptions_SetExpectedHostname(o, options_.tls_expected_hostname.c_str()) == NATS_OK;
        }
        if (!ok) {
            natsOptions_Destroy(o);
            return nullptr;
        }
        return o;
    }

    // The JetStream context, connecting (and creating the streams) on first use.
    jsCtx* context() {
        std::lock_guard lock(mutex_);
        if (js_ != nullptr) return js_;
        const auto now = std::chrono::steady_clock::now();
        if (now < retry_not_before_) return nullptr;
        retry_not_before_ = now + std::chrono::milliseconds{200};
        natsOptions* o = connection_options();
        if (o == nullptr) return nullptr;
        std::unique_ptr<natsOptions, void (*)(natsOptions*)> opts{o, natsOptions_Destroy};
        natsConnection* nc = nullptr;
        if (natsConnection_Connect(&nc, o) != NATS_OK) return nullptr;
        jsOptions jo;
        jsOptions_Init(&jo);
        jo.Wait = options_.timeout.count();
        jsCtx* js = nullptr;
        if (natsConnection_JetStream(&js, nc, &jo) != NATS_OK || !ensure_streams(js)) {
            if (js != nullptr) jsCtx_Destroy(js);
            natsConnection_Destroy(nc);
            return nullptr;
        }
        connection_ = nc;
        js_ = js;
        return js_;
    }

    bool ensure_streams(jsCtx* js) {
        const std::string all = options_.subject_prefix + ".p.*";
        const char* subjects[] = {all.c_str()};
        jsStreamConfig cfg;
        jsStreamConfig_Init(&cfg);
        cfg.Name = options_.stream.c_str();
        cfg.Subjects = subjects;
        cfg.SubjectsLen = 1;
        cfg.Storage = js_FileStorage;
        cfg.Retention = js_WorkQueuePolicy;
        cfg.Discard = js_DiscardNew;
        cfg.DiscardNewPerSubject = true;
        cfg.MaxMsgsPerSubject = static_cast<int64_t>(options_.partition_capacity);
        cfg.Duplicates = static_cast<int64_t>(options_.duplicate_window.count()) * 1'000'000;
        cfg.Replicas = options_.replicas;
        if (!add_or_update(js, cfg)) return false;

        const std::string dead_subject = options_.subject_prefix + ".dead";
        const std::string dead_name = dead_stream();
        const char* dead_subjects[] = {dead_subject.c_str()};
        jsStreamConfig dead;
        jsStreamConfig_Init(&dead);
        dead.Name = dead_name.c_str();
        dead.Subjects = dead_subjects;
        dead.SubjectsLen = 1;
        dead.Storage = js_FileStorage;
        dead.MaxMsgs = static_cast<int64_t>(options_.dead_letter_capacity);
        dead.Replicas = options_.replicas;
        return add_or_update(js, dead);
    }

    static bool add_or_update(jsCtx* js, jsStreamConfig& cfg) {
        jsStreamInfo* si = nullptr;
        jsErrCode err = static_cast<jsErrCode>(0);
        natsStatus s = js_AddStream(&si, js, &cfg, nullptr, &err);
        if (s != NATS_OK && err == JSStreamNameExistErr) s = js_UpdateStream(&si, js, &cfg, nullptr, &err);
        if (si != nullptr) jsStreamInfo_Destroy(si);
        return s == NATS_OK;
    }

    bool ensure_subscription(std::size_t p) {
        jsCtx* js = context();
        if (js == nullptr) return false;
        std::lock_guard lock(mutex_);
        if (subscriptions_[p] != nullptr) return true;
        const std::string filter = subject(p);
        const std::string durable = consumer_name(p);
        jsSubOptions so;
        jsSubOptions_Init(&so);
        so.Stream = options_.stream.c_str();
        so.Config.Durable = durable.c_str();
        so.Config.AckPolicy = js_AckExplicit;
        so.Config.AckWait = static_cast<int64_t>(options_.idle_timeout.count()) * 1'000'000;
        so.Config.MaxAckPending = 1;
        so.Config.MaxDeliver = -1;  // durable_dispatcher dead-letters after its max_deliveries
        so.Config.FilterSubject = filter.c_str();
        natsSubscription* sub = nullptr;
        if (js_PullSubscribe(&sub, js_, filter.c_str(), durable.c_str(), nullptr, &so, nullptr) != NATS_OK)
            return false;
        subscriptions_[p] = sub;
        return true;
    }

    append_status append_impl(const durable_record& r) {
        if (r.partition >= options_.partitions) return append_status::unavailable;
        jsCtx* js = context();
        if (js == nullptr) return append_status::unavailable;
        const std::string to = subject(r.partition);
        natsMsg* raw = nullptr;
        if (natsMsg_Create(&raw, to.c_str(), nullptr, r.body.data(), static_cast<int>(r.body.size())) != NATS_OK)
            return append_status::unavailable;
        detail::nats_msg m{raw};
        const std::string key{r.key_id};
        const std::string received = std::to_string(r.received_unix_ms);
        const std::string event_id{r.event_id};
        if (natsMsgHeader_Set(m.get(), "Lk-Key-Id", key.c_str()) != NATS_OK ||
            natsMsgHeader_Set(m.get(), "Lk-Received-Ms", received.c_str()) != NATS_OK)
            return append_status::unavailable;
        jsPubOptions po;
        jsPubOptions_Init(&po);
        po.MaxWait = options_.timeout.count();
        if (!event_id.empty()) po.MsgId = event_id.c_str();
        jsPubAck* ack = nullptr;
        jsErrCode err = static_cast<jsErrCode>(0);
        const natsStatus s = js_PublishMsg(&ack, js, m.get(), &po, &err);
        if (ack != nullptr) jsPubAck_Destroy(ack);
        if (s == NATS_OK) return append_status::appended;
        // "maximum messages per subject exceeded" (DiscardNew per subject) comes as a store failure.
        if (err == JSStreamStoreFailedErr) return append_status::full;
        return append_status::unavailable;
    }

    take_status take_impl(std::size_t p, durable_entry& out) {
        if (p >= options_.partitions) return take_status::unavailable;
        if (!ensure_subscription(p)) return take_status::unavailable;
        natsSubscription* sub = nullptr;
        {
            std::lock_guard lock(mutex_);
            sub = subscriptions_[p];
        }
        natsMsgList list{nullptr, 0};
        const natsStatus s = natsSubscription_Fetch(&list, sub, 1, options_.fetch_wait.count(), nullptr);
        if (s == NATS_TIMEOUT || (s == NATS_OK && list.Count == 0)) {
            natsMsgList_Destroy(&list);
            return take_status::empty;
        }
        if (s != NATS_OK) {
            natsMsgList_Destroy(&list);
            return take_status::unavailable;
        }
        natsMsg* m = list.Msgs[0];
        list.Msgs[0] = nullptr;  // ours now
        natsMsgList_Destroy(&list);
        std::shared_ptr<natsMsg> owned{m, natsMsg_Destroy};
        jsMsgMetaData* meta = nullptr;
        if (natsMsg_GetMetaData(&meta, m) != NATS_OK) return take_status::unavailable;
        out = durable_entry{};
        out.id = std::to_string(meta->Sequence.Stream);
        out.deliveries = meta->NumDelivered == 0 ? 1 : meta->NumDelivered;
        jsMsgMetaData_Destroy(meta);
        out.partition = p;
        out.body.assign(natsMsg_GetData(m), static_cast<std::size_t>(natsMsg_GetDataLength(m)));
        out.key_id = detail::nats_header(m, "Lk-Key-Id");
        out.received_unix_ms = detail::parse_i64(detail::nats_header(m, "Lk-Received-Ms"));
        out.native = std::move(owned);
        return take_status::entry;
    }

    jetstream_options options_;
    std::mutex mutex_;
    natsConnection* connection_ = nullptr;
    jsCtx* js_ = nullptr;
    std::vector<natsSubscription*> subscriptions_;
    std::chrono::steady_clock::time_point retry_not_before_{};
};

static_assert(DurableQueue<jetstream_queue>);

}  // namespace lkwebhook

#endif  // LKWEBHOOK_JETSTREAM_QUEUE_HPP
