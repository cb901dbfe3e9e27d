# cmake -DBUILD_DIR=... -DTARGET=... -DEXPECT=<regex> -P check_diagnostic.cmake
# Passes only when building TARGET fails AND the compiler output matches
# EXPECT: the concept must reject the code with a readable sentence.
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "${TARGET} compiled, but it must be rejected")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECT}")
  message(FATAL_ERROR "${TARGET} failed without the expected diagnostic '${EXPECT}':\n${out}${err}")
endif()
message(STATUS "${TARGET}: rejected with the expected diagnostic")
