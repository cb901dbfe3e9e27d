#ifndef LKWEBHOOK_SRC_HPP
#define LKWEBHOOK_SRC_HPP

// The separately compiled part of lkwebhook: include this in exactly one
// translation unit of a program whose every translation unit is compiled
// with LKWEBHOOK_SEPARATE_COMPILATION defined (config.hpp). Not included by
// the umbrella; in the default header-only mode it is not needed at all.
//
//   // lkwebhook.cpp, compiled with -DLKWEBHOOK_SEPARATE_COMPILATION
//   #include <lkwebhook/src.hpp>

#include "config.hpp"

#if LKWEBHOOK_HEADER_ONLY
#error "lkwebhook/src.hpp: define LKWEBHOOK_SEPARATE_COMPILATION for every translation unit (see config.hpp)"
#endif

#include "impl/async_dispatcher.ipp"
#include "impl/body_hash.ipp"
#include "impl/body_hmac_header.ipp"
#include "impl/correlator.ipp"
#include "impl/decode.ipp"
#include "impl/dispatch.ipp"
#include "impl/durable_dispatcher.ipp"
#include "impl/encode.ipp"
#include "impl/error.ipp"
#include "impl/idempotency.ipp"
#include "impl/key_file.ipp"
#include "impl/key_file_parser.ipp"
#include "impl/keys.ipp"
#include "impl/log.ipp"
#include "impl/metrics.ipp"
#include "impl/openssl.ipp"
#include "impl/outcome.ipp"
#include "impl/receiver.ipp"
#include "impl/session_ledger.ipp"
#include "impl/signer.ipp"
#include "impl/token.ipp"
#include "impl/verify.ipp"

#endif  // LKWEBHOOK_SRC_HPP
