# SPDX-License-Identifier: MIT
# tests/check_versions.cmake — every file that states the version states the same one.
#
#   cmake -DVERSION=1.0.0 -DSOURCE_DIR=<repo> -P tests/check_versions.cmake
#
# CMake reads its version from include/hixie76/version.hpp; test_version.cpp checks the headers
# against the build system. This script covers the files outside any build.
if(NOT VERSION OR NOT SOURCE_DIR)
    message(FATAL_ERROR "usage: cmake -DVERSION=x.y.z -DSOURCE_DIR=<repo> -P check_versions.cmake")
endif()
string(REPLACE "." "\\." version_re "${VERSION}")

set(failures 0)
# file, then a regex that must match once the version is substituted
set(checks
    "meson.build" "project\\([^)]*version *: *'${version_re}'"
    "ports/hixie76/vcpkg.json" "\"version\" *: *\"${version_re}\""
    "conanfile.py" "\n *version *= *\"${version_re}\""
    "CHANGELOG.md" "\n## \\[${version_re}\\]")
list(LENGTH checks n)
math(EXPR last "${n} - 1")
foreach(i RANGE 0 ${last} 2)
    math(EXPR j "${i} + 1")
    list(GET checks ${i} file)
    list(GET checks ${j} regex)
    if(NOT EXISTS "${SOURCE_DIR}/${file}")
        message(STATUS "skip ${file}: not present")
        continue()
    endif()
    file(READ "${SOURCE_DIR}/${file}" text)
    if(text MATCHES "${regex}")
        message(STATUS "ok   ${file}: ${VERSION}")
    else()
        message(STATUS "FAIL ${file}: does not state version ${VERSION}")
        math(EXPR failures "${failures} + 1")
    endif()
endforeach()
if(failures GREATER 0)
    message(FATAL_ERROR "${failures} file(s) disagree with version ${VERSION}")
endif()
