# cmake -DPYTHON=... -DGENERATOR=... -DCHECKER=... -P key_hashes.cmake
# Pipes `generate_events.py --key-hashes` into schema_key_hash_check.
execute_process(
  COMMAND ${PYTHON} ${GENERATOR} --key-hashes
  COMMAND ${CHECKER}
  RESULTS_VARIABLE results
  OUTPUT_VARIABLE output
  ERROR_VARIABLE errors)
message("${output}${errors}")
foreach(result IN LISTS results)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "key hash check failed (exit codes: ${results})")
  endif()
endforeach()
