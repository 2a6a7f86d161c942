# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a benchmark that must fail its own checks and asserts that it exits 1 naming each of them on stderr: a figure
# of failed requests must not pass for a figure.
#   cmake -DBENCH=<binary> -DARGS="a;b;c" -DEXPECT="regex1;regex2" -P ExpectFailedChecks.cmake
execute_process(COMMAND ${BENCH} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 240)
message(STATUS "stdout:\n${out}")
message(STATUS "stderr:\n${err}")
if(NOT rc EQUAL 1)
    message(FATAL_ERROR "${BENCH} exited with '${rc}', expected 1 (its checks failed)")
endif()
foreach(expected IN LISTS EXPECT)
    if(NOT err MATCHES "${expected}")
        message(FATAL_ERROR "${BENCH} did not report the failed check '${expected}' on stderr")
    endif()
endforeach()
