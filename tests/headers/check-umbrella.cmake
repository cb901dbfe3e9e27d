# cmake -D INCLUDE_DIR=<repo>/include -P check-umbrella.cmake
# Fails unless include/lkwebhook.hpp includes every include/lkwebhook/*.hpp
# (detail/ excepted: internal) and nothing that does not exist, and
# include/lkwebhook/events.hpp includes every include/lkwebhook/events/*.hpp,
# and include/lkwebhook/src.hpp (the separately compiled part, never in the
# umbrella) includes every include/lkwebhook/impl/*.ipp.
# The header list is read at test time, so a header added after configure is
# caught too.

cmake_minimum_required(VERSION 3.21)

if(NOT INCLUDE_DIR)
  message(FATAL_ERROR "pass -D INCLUDE_DIR=<repo>/include")
endif()
get_filename_component(INCLUDE_DIR "${INCLUDE_DIR}" ABSOLUTE)
set(umbrella "${INCLUDE_DIR}/lkwebhook.hpp")
if(NOT EXISTS "${umbrella}")
  message(FATAL_ERROR "missing umbrella header ${umbrella}")
endif()

file(GLOB public RELATIVE "${INCLUDE_DIR}" "${INCLUDE_DIR}/lkwebhook/*.hpp")
list(REMOVE_ITEM public "lkwebhook/src.hpp")
list(SORT public)
# The paths a header #includes, as written, into the list <out>.
function(included_paths header out)
  file(STRINGS "${header}" lines REGEX "^[ \t]*#[ \t]*include")
  set(paths "")
  foreach(line IN LISTS lines)
    if(line MATCHES "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]+)[>\"]")
      list(APPEND paths "${CMAKE_MATCH_1}")
    endif()
  endforeach()
  set(${out} "${paths}" PARENT_SCOPE)
endfunction()
included_paths("${umbrella}" included)

# Headers that need an optional dependency are listed, not included:
#   // optional (<target>): lkwebhook/<header>.hpp
file(STRINGS "${umbrella}" optional_lines REGEX "^// optional \\([^)]+\\): lkwebhook/")
set(optional "")
foreach(line IN LISTS optional_lines)
  if(line MATCHES "^// optional \\([^)]+\\): (lkwebhook/[A-Za-z0-9_/]+\\.hpp)")
    list(APPEND optional "${CMAKE_MATCH_1}")
  endif()
endforeach()

set(errors "")
foreach(header IN LISTS optional)
  if(NOT EXISTS "${INCLUDE_DIR}/${header}")
    string(APPEND errors "  lkwebhook.hpp lists an optional header that does not exist: ${header}\n")
  elseif(header IN_LIST included)
    string(APPEND errors "  ${header} is listed optional but included\n")
  endif()
endforeach()
foreach(header IN LISTS public)
  if(NOT header IN_LIST included AND NOT header IN_LIST optional)
    string(APPEND errors "  not included by lkwebhook.hpp: ${header}\n")
  endif()
endforeach()
foreach(header IN LISTS included)
  if(NOT EXISTS "${INCLUDE_DIR}/${header}")
    string(APPEND errors "  lkwebhook.hpp includes a header that does not exist: ${header}\n")
  elseif(header MATCHES "/detail/")
    string(APPEND errors "  lkwebhook.hpp includes an internal header: ${header}\n")
  endif()
endforeach()
# The event model's parts (lkwebhook/events/*.hpp) come in through
# lkwebhook/events.hpp, which must include each of them.
file(GLOB event_parts RELATIVE "${INCLUDE_DIR}/lkwebhook" "${INCLUDE_DIR}/lkwebhook/events/*.hpp")
included_paths("${INCLUDE_DIR}/lkwebhook/events.hpp" events_included)
foreach(part IN LISTS event_parts)
  if(NOT part IN_LIST events_included)
    string(APPEND errors "  not included by lkwebhook/events.hpp: lkwebhook/${part}\n")
  endif()
endforeach()

# Separate compilation (config.hpp): src.hpp must define everything the
# headers declare, so it includes every implementation file, and the
# umbrella must not include it.
if("lkwebhook/src.hpp" IN_LIST included)
  string(APPEND errors "  lkwebhook.hpp includes lkwebhook/src.hpp (one translation unit only)\n")
endif()
file(GLOB implementation_files RELATIVE "${INCLUDE_DIR}/lkwebhook" "${INCLUDE_DIR}/lkwebhook/impl/*.ipp")
included_paths("${INCLUDE_DIR}/lkwebhook/src.hpp" src_included)
foreach(file IN LISTS implementation_files)
  if(NOT file IN_LIST src_included)
    string(APPEND errors "  not included by lkwebhook/src.hpp: lkwebhook/${file}\n")
  endif()
endforeach()

list(LENGTH public count)
if(errors)
  message(FATAL_ERROR "umbrella header is out of date:\n${errors}")
endif()
message(STATUS "lkwebhook.hpp includes all ${count} public headers")
