# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/build-loop/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[event_loop]=] "/work/main/build-loop/tests/tst_event_loop")
set_tests_properties([=[event_loop]=] PROPERTIES  ENVIRONMENT "QT_QPA_PLATFORM=offscreen;FERRY_BINARY=" LABELS "core;" TIMEOUT "120" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;14;add_test;/work/main/tests/CMakeLists.txt;24;ferry_add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[core_has_no_qt]=] "/usr/bin/cmake" "-DDIR=/work/main/core" "-P" "/work/main/tests/check_no_qt.cmake")
set_tests_properties([=[core_has_no_qt]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;42;add_test;/work/main/tests/CMakeLists.txt;0;")
subdirs("bench")
