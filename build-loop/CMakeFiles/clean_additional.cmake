# Additional clean files
cmake_minimum_required(VERSION 3.16)

if("${CONFIG}" STREQUAL "" OR "${CONFIG}" STREQUAL "RelWithDebInfo")
  file(REMOVE_RECURSE
  "tests/CMakeFiles/tst_event_loop_autogen.dir/AutogenUsed.txt"
  "tests/CMakeFiles/tst_event_loop_autogen.dir/ParseCache.txt"
  "tests/tst_event_loop_autogen"
  )
endif()
