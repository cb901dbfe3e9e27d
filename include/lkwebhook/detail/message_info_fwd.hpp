#ifndef LKWEBHOOK_DETAIL_MESSAGE_INFO_FWD_HPP
#define LKWEBHOOK_DETAIL_MESSAGE_INFO_FWD_HPP

// What decode.hpp and encode.hpp need of the descriptor tables: the names.
// The tables themselves (detail/schema_traits.hpp, the bulk of the compile
// cost of the event model) are included only by the implementation files,
// impl/decode.ipp and impl/encode.ipp.

namespace lkwebhook::detail {

struct message_info;

/// The descriptor of message type T (defined in detail/descriptors.hpp; with
/// LKWEBHOOK_SEPARATE_COMPILATION instantiated for every message at the end
/// of detail/schema_traits.hpp, in the translation unit of src.hpp).
template <class T>
const message_info* info_of() noexcept;

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_DETAIL_MESSAGE_INFO_FWD_HPP
