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
//
// tests/headers checks that this file names every public header.

// Basics: version, configuration, error codes, result<T>.
#include "lkwebhook/version.hpp"
#include "lkwebhook/config.hpp"
#include "lkwebhook/error.hpp"
#include "lkwebhook/result.hpp"

// Authentication: keys, clock, the JWT, the body hash, the whole pipeline, and
// the signing side (for tests and senders).
#include "lkwebhook/clock.hpp"
#include "lkwebhook/keys.hpp"
#include "lkwebhook/token.hpp"
#include "lkwebhook/body_hash.hpp"
#include "lkwebhook/verify.hpp"
#include "lkwebhook/signer.hpp"
#include "lkwebhook/signature_header.hpp"

// Typed events: the structs, the decoder, the canonical encoder, and the
// receiver facade (verify, then decode, with reused buffers).
#include "lkwebhook/events.hpp"
#include "lkwebhook/decode.hpp"
#include "lkwebhook/encode.hpp"
#include "lkwebhook/receiver.hpp"

// Dispatch: the correlator concept, outcomes, idempotency, metrics,
// verify_and_dispatch(), the asynchronous dispatcher and the session ledger.
#include "lkwebhook/correlator.hpp"
#include "lkwebhook/outcome.hpp"
#include "lkwebhook/idempotency.hpp"
#include "lkwebhook/metrics.hpp"
#include "lkwebhook/dispatch.hpp"
#include "lkwebhook/async_dispatcher.hpp"
#include "lkwebhook/session_ledger.hpp"

#endif  // LKWEBHOOK_HPP
