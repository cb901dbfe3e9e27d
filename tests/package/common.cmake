# Helpers shared by the package test scripts (cmake -P).

cmake_minimum_required(VERSION 3.21)

foreach(var IN ITEMS SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER EXPECTED_VERSION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "package test script needs -D ${var}=...")
  endif()
endforeach()

# lkwebhook_run(<what> COMMAND <cmd...> [OUTPUT_VARIABLE <var>] [WORKING_DIRECTORY <dir>])
# Runs a command, echoes its output, and fails the test with <what> if it fails.
function(lkwebhook_run what)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "OUTPUT_VARIABLE;WORKING_DIRECTORY" "COMMAND")
  if(NOT arg_WORKING_DIRECTORY)
    set(arg_WORKING_DIRECTORY "${WORK_DIR}")
  endif()
  string(JOIN " " shown ${arg_COMMAND})
  message(STATUS "[${what}] ${shown}")
  execute_process(COMMAND ${arg_COMMAND}
    WORKING_DIRECTORY "${arg_WORKING_DIRECTORY}"
    RESULT_VARIABLE status
    OUTPUT_VARIABLE out
    ERROR_VARIABLE out)
  message("${out}")
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${what} failed (${status})")
  endif()
  if(arg_OUTPUT_VARIABLE)
    set(${arg_OUTPUT_VARIABLE} "${out}" PARENT_SCOPE)
  endif()
endfunction()

# lkwebhook_build_consumer(<name> <project dir> [configure args...])
# Configures, builds and runs a consumer project in ${WORK_DIR}/<name>; the
# program must print "consumer: ok".
function(lkwebhook_build_consumer name project_dir)
  set(build "${WORK_DIR}/${name}")
  file(REMOVE_RECURSE "${build}")
  file(MAKE_DIRECTORY "${build}")
  lkwebhook_run("configure ${name} consumer" COMMAND
    "${CMAKE_COMMAND}" -S "${project_dir}" -B "${build}" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DLKWEBHOOK_CONSUMER_MAIN=${SOURCE_DIR}/tests/package/consumer/main.cpp"
    "-DLKWEBHOOK_EXPECTED_VERSION=${EXPECTED_VERSION}"
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF
    ${ARGN})
  lkwebhook_run("build ${name} consumer" COMMAND "${CMAKE_COMMAND}" --build "${build}" -j 2)
  lkwebhook_run_consumer("${name}" "${build}/lkwebhook_consumer")
  # Consumers that also build the separately compiled variant (consumer/).
  if(EXISTS "${build}/lkwebhook_consumer_separate")
    lkwebhook_run_consumer("${name} (separately compiled)" "${build}/lkwebhook_consumer_separate")
  endif()
endfunction()

# lkwebhook_run_consumer(<name> <program>): runs it, requires "consumer: ok".
function(lkwebhook_run_consumer name program)
  lkwebhook_run("run ${name} consumer" COMMAND "${program}" OUTPUT_VARIABLE out)
  if(NOT out MATCHES "consumer: ok")
    message(FATAL_ERROR "${name} consumer did not report success")
  endif()
endfunction()

# lkwebhook_assert_exists(<path>...) / lkwebhook_assert_absent(<path>...)
function(lkwebhook_assert_exists)
  foreach(path IN LISTS ARGN)
    if(NOT EXISTS "${path}")
      message(FATAL_ERROR "expected ${path} to exist")
    endif()
  endforeach()
endfunction()
function(lkwebhook_assert_absent)
  foreach(path IN LISTS ARGN)
    if(EXISTS "${path}")
      file(GLOB_RECURSE contents RELATIVE "${path}" "${path}/*")
      message(FATAL_ERROR "expected ${path} not to exist; it holds: ${contents}")
    endif()
  endforeach()
endfunction()

# Every header of the source tree is installed under <prefix>/include.
function(lkwebhook_assert_headers_installed prefix)
  file(GLOB_RECURSE headers RELATIVE "${SOURCE_DIR}/include" "${SOURCE_DIR}/include/*.hpp" "${SOURCE_DIR}/include/*.ipp")
  foreach(header IN LISTS headers)
    lkwebhook_assert_exists("${prefix}/include/${header}")
  endforeach()
  list(LENGTH headers count)
  message(STATUS "all ${count} headers installed under ${prefix}/include")
endfunction()

file(MAKE_DIRECTORY "${WORK_DIR}")
