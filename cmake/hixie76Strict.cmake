# SPDX-License-Identifier: MIT
# cmake/hixie76Strict.cmake — the settings every test, example, benchmark and fuzzer target shares.
#
#   hixie76_strict_target(<target>)
#
# links hixie76::hixie76, sets CXX_STANDARD to HIXIE76_CXX_STANDARD (CMake spells 23 as c++2b for
# clang 14), turns on -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Werror,
# and adds AddressSanitizer and UBSan when HIXIE76_SANITIZE is on. Not installed.
include_guard(GLOBAL)

set(HIXIE76_WARNINGS -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Werror)
set(HIXIE76_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
set(HIXIE76_NO_EXCEPTIONS_FLAGS -fno-exceptions -fno-rtti)

function(hixie76_strict_target target)
    target_link_libraries(${target} PRIVATE hixie76::hixie76)
    set_target_properties(${target} PROPERTIES
        CXX_STANDARD ${HIXIE76_CXX_STANDARD}
        CXX_STANDARD_REQUIRED ON
        CXX_EXTENSIONS OFF)
    if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
        target_compile_options(${target} PRIVATE ${HIXIE76_WARNINGS})
        if(HIXIE76_SANITIZE)
            target_compile_options(${target} PRIVATE ${HIXIE76_SANITIZE_FLAGS})
            target_link_options(${target} PRIVATE ${HIXIE76_SANITIZE_FLAGS})
        endif()
    endif()
endfunction()
