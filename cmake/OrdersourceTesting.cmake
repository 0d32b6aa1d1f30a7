# ordersource_add_test(<source> LIBS <targets...>)
# One Boost.Test executable per source file; its CTest label follows from its name
# (STYLE.md): *_test.cpp -> unit, *_pgtest.cpp / *_kafkatest.cpp -> integration,
# anything under tests/e2e -> e2e. Integration tests read the servers' addresses from the
# environment scripts/test exports; they fail loudly when those servers are absent.
find_package(Boost 1.74 REQUIRED COMPONENTS unit_test_framework)

function(ordersource_add_test source)
  cmake_parse_arguments(ARG "" "TIMEOUT" "LIBS" ${ARGN})
  get_filename_component(name "${source}" NAME_WE)
  get_filename_component(abs "${source}" ABSOLUTE)
  if(abs MATCHES "/tests/e2e/")
    set(label e2e)
  elseif(name MATCHES "_(pg|kafka)test$")
    set(label integration)
  elseif(name MATCHES "_test$")
    set(label unit)
  else()
    message(FATAL_ERROR "test ${source}: name must end in _test, _pgtest or _kafkatest")
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} "${source}")
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} Boost::unit_test_framework
                                        ordersource::warnings)
  target_compile_definitions(${name} PRIVATE BOOST_TEST_DYN_LINK
                             BOOST_TEST_MODULE=${name}
                             ORDERSOURCE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_test(NAME ${name} COMMAND ${name} --color_output=no --log_level=test_suite)
  set_tests_properties(${name} PROPERTIES LABELS ${label} TIMEOUT ${ARG_TIMEOUT})
endfunction()
