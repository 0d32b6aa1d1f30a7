# Third-party libraries, all from Debian packages (scripts/setup installs them).
# Each becomes one imported target named deps::<name>, so library targets link them
# PRIVATE without knowing how each was found. Names that work: ../docs/PITFALLS.md.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

pkg_check_modules(RDKAFKAPP REQUIRED IMPORTED_TARGET rdkafka++)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
add_library(deps_rdkafka INTERFACE)
target_link_libraries(deps_rdkafka INTERFACE PkgConfig::RDKAFKAPP PkgConfig::RDKAFKA)
add_library(deps::rdkafka ALIAS deps_rdkafka)

pkg_check_modules(PISTACHE REQUIRED IMPORTED_TARGET libpistache)
add_library(deps::pistache ALIAS PkgConfig::PISTACHE)

# SOCI 4.0.3 ships neither pkg-config nor a CMake config.
find_package(PostgreSQL REQUIRED)
find_library(SOCI_CORE_LIBRARY soci_core REQUIRED)
find_library(SOCI_POSTGRESQL_LIBRARY soci_postgresql REQUIRED)
find_path(SOCI_INCLUDE_DIR soci/soci.h REQUIRED)
add_library(deps_soci INTERFACE)
target_link_libraries(deps_soci INTERFACE ${SOCI_POSTGRESQL_LIBRARY} ${SOCI_CORE_LIBRARY}
                                          PostgreSQL::PostgreSQL)
target_include_directories(deps_soci SYSTEM INTERFACE ${SOCI_INCLUDE_DIR}
                                                     ${PostgreSQL_INCLUDE_DIRS})
add_library(deps::soci ALIAS deps_soci)
add_library(deps::libpq ALIAS PostgreSQL::PostgreSQL)

# RapidJSON's config sets only RAPIDJSON_INCLUDE_DIRS, no target.
find_package(RapidJSON CONFIG REQUIRED)
add_library(deps_rapidjson INTERFACE)
target_include_directories(deps_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
# std::string overloads in RapidJSON's API. Schema `pattern`s through std::regex: RapidJSON
# 1.1.0's own regex engine took 92% of the CPU validating envelopes (perf, replay tool), and
# its matcher is not thread-safe (docs/adr/0012-schema-patterns-with-std-regex.md). Defined
# for every user so all translation units agree on SchemaDocument's layout.
target_compile_definitions(deps_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1
                           RAPIDJSON_SCHEMA_USE_INTERNALREGEX=0 RAPIDJSON_SCHEMA_USE_STDREGEX=1)
add_library(deps::rapidjson ALIAS deps_rapidjson)

pkg_check_modules(UUID REQUIRED IMPORTED_TARGET uuid)
add_library(deps::uuid ALIAS PkgConfig::UUID)

find_package(Boost 1.74 REQUIRED)
add_library(deps::boost_headers ALIAS Boost::headers)

# The services' allocator: deps::allocator is jemalloc, or nothing (glibc's malloc) when
# ORDERSOURCE_JEMALLOC is off or the build is sanitized. Only executables link it: its malloc
# then replaces glibc's for the whole process, libraries included. --no-as-needed keeps the
# library although no object file calls it by name.
# docs/adr/0025-jemalloc-under-the-services.md
add_library(deps_allocator INTERFACE)
if(ORDERSOURCE_JEMALLOC AND NOT ORDERSOURCE_SANITIZE)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
  target_link_libraries(deps_allocator INTERFACE -Wl,--push-state,--no-as-needed
                                                 PkgConfig::JEMALLOC -Wl,--pop-state)
endif()
add_library(deps::allocator ALIAS deps_allocator)
