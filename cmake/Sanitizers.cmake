# AddressSanitizer + UBSan for the debug-asan preset (the one scripts/test runs).
# -fno-sanitize=vptr: Debian's SOCI does not export the typeinfo of its internal classes
# (soci::details::ref_counted_statement), so UBSan's vptr check cannot link against it.
# docs/adr/0004-test-infrastructure.md
if(ORDERSOURCE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined -fno-sanitize=vptr)
endif()
