#ifndef LKWEBHOOK_HPP
#define LKWEBHOOK_HPP

// Umbrella header: includes every public header of lkwebhook.
//
//   #include <lkwebhook.hpp>
//
// Headers under lkwebhook/detail/ are internal and come in through the public
// ones. Headers that need an optional dependency are not included; include
// them yourself and link the target named here:
//
// optional (lkwebhook::redis): lkwebhook/redis_store.hpp
// optional (lkwebhook::redis): lkwebhook/redis_connection.hpp
// optional (lkwebhook::redis): lkwebhook/redis_stream_queue.hpp
// optional (lkwebhook::nats): lkwebhook/jetstream_queue.hpp
//
// tests/headers checks that this file names every public header.

// Basics: version, configuration, error codes, result<T>.
#include "lkwebhook/config.hpp"
#include "lkwebhook/error.hpp"
#include "lkwebhook/result.hpp"
#include "lkwebhook/version.hpp"

// Authentication: keys, clock, the JWT, the body hash, the whole pipeline, and
// the signing side (for tests and senders).
#include "lkwebhook/body_hash.hpp"
#include "lkwebhook/body_hmac_header.hpp"
#include "lkwebhook/clock.hpp"
#include "lkwebhook/key_file.hpp"
#include "lkwebhook/keys.hpp"
#include "lkwebhook/signer.hpp"
#include "lkwebhook/token.hpp"
#include "lkwebhook/verify.hpp"

// Typed events: the structs, the decoder, the canonical encoder, and the
// receiver facade (verify, then decode, with reused buffers).
#include "lkwebhook/decode.hpp"
#include "lkwebhook/encode.hpp"
#include "lkwebhook/events.hpp"
#include "lkwebhook/receiver.hpp"

// Dispatch: the correlator concept, outcomes, idempotency, metrics, logging,
// verify_and_dispatch(), the asynchronous dispatcher and the session ledger.
#include "lkwebhook/async_dispatcher.hpp"
#include "lkwebhook/correlator.hpp"
#include "lkwebhook/delivery.hpp"
#include "lkwebhook/dispatch.hpp"
#include "lkwebhook/durable_dispatcher.hpp"
#include "lkwebhook/durable_queue.hpp"
#include "lkwebhook/idempotency.hpp"
#include "lkwebhook/log.hpp"
#include "lkwebhook/metrics.hpp"
#include "lkwebhook/outcome.hpp"
#include "lkwebhook/session_ledger.hpp"

#endif  // LKWEBHOOK_HPP
