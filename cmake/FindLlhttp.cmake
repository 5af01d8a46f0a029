# Finds llhttp, Node.js's HTTP parser.
#
# Prefers an installed library (vcpkg, Homebrew and newer distributions ship
# libllhttp with a CMake package). Debian 12 ships only the C sources, in the
# node-llhttp package; in that case they are compiled into a static library
# here. Defines the imported target llhttp::llhttp.

if(TARGET llhttp::llhttp)
  return()
endif()

find_package(llhttp CONFIG QUIET)
if(TARGET llhttp::llhttp_static AND NOT TARGET llhttp::llhttp)
  add_library(llhttp::llhttp ALIAS llhttp::llhttp_static)
endif()
if(TARGET llhttp::llhttp)
  set(Llhttp_FOUND TRUE)
  return()
endif()

# The sources are platform-neutral C, so a cross build may use them too.
find_path(LLHTTP_SOURCE_INCLUDE_DIR llhttp.h
  PATHS /usr/share/include/llhttp /usr/local/share/include/llhttp NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
find_path(LLHTTP_SOURCE_DIR llhttp.c
  PATHS /usr/share/llhttp /usr/local/share/llhttp NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Llhttp
  REQUIRED_VARS LLHTTP_SOURCE_INCLUDE_DIR LLHTTP_SOURCE_DIR)

if(Llhttp_FOUND)
  add_library(ferry_llhttp STATIC
    ${LLHTTP_SOURCE_DIR}/llhttp.c
    ${LLHTTP_SOURCE_DIR}/api.c
    ${LLHTTP_SOURCE_DIR}/http.c)
  target_include_directories(ferry_llhttp SYSTEM PUBLIC ${LLHTTP_SOURCE_INCLUDE_DIR})
  set_target_properties(ferry_llhttp PROPERTIES POSITION_INDEPENDENT_CODE ON)
  # Generated code; its warnings are not ours to fix. Its three files share
  # internal names, so a unity build compiles them one by one.
  target_compile_options(ferry_llhttp PRIVATE -w)
  set_target_properties(ferry_llhttp PROPERTIES UNITY_BUILD OFF)
  add_library(llhttp::llhttp ALIAS ferry_llhttp)
endif()
