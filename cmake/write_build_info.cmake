# Run at every build (cmake -P): writes build_info.cpp with the current commit, rewriting it only when the
# text changes, so a new commit recompiles one file instead of the whole tree.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE ES_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT ES_GIT_COMMIT)
  set(ES_GIT_COMMIT unknown)
endif()
execute_process(COMMAND git diff --quiet HEAD -- src WORKING_DIRECTORY ${SOURCE_DIR} RESULT_VARIABLE ES_DIRTY ERROR_QUIET)
if(ES_DIRTY EQUAL 1)
  string(APPEND ES_GIT_COMMIT "+local-changes")
endif()
configure_file(${SOURCE_DIR}/src/base/build_info.cpp.in ${OUTPUT} @ONLY)
