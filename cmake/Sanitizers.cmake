# AddressSanitizer + UBSan for the debug-asan preset (the one scripts/test runs).
if(ORDERSOURCE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
