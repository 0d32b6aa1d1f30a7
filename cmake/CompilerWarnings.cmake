# Warnings live on one INTERFACE target every project target links (STYLE.md).
add_library(ordersource_warnings INTERFACE)
add_library(ordersource::warnings ALIAS ordersource_warnings)
target_compile_options(ordersource_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wconversion -Wsign-conversion -Wpedantic -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wcast-align -Wimplicit-fallthrough
  $<$<BOOL:${ORDERSOURCE_WERROR}>:-Werror>)
