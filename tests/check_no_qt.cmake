# Fails when any file under DIR includes a Qt header.
file(GLOB_RECURSE sources ${DIR}/*.h ${DIR}/*.cpp)
foreach(f ${sources})
  file(STRINGS ${f} hits REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](Q[A-Z]|Qt)")
  if(hits)
    message(FATAL_ERROR "${f} includes Qt: ${hits}")
  endif()
endforeach()
message(STATUS "core: ${DIR} includes no Qt")
