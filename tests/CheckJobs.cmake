# The same input must give byte-identical SARIF for any --jobs.
file(MAKE_DIRECTORY "${OUT}")
foreach(jobs 1 4)
  execute_process(COMMAND "${RACELINT}" scan "${DEMO}" --format sarif --jobs ${jobs}
                          -o "${OUT}/jobs${jobs}.sarif" RESULT_VARIABLE status)
  if(status GREATER 1)
    message(FATAL_ERROR "racelint --jobs ${jobs} exited ${status}")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${OUT}/jobs1.sarif" "${OUT}/jobs4.sarif"
                RESULT_VARIABLE different)
if(different)
  message(FATAL_ERROR "SARIF differs between --jobs 1 and --jobs 4")
endif()
