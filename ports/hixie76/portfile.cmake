# SPDX-License-Identifier: MIT
# vcpkg port for hixie76 (header-only).
#
# From this repository, as an overlay port:
#   vcpkg install hixie76 --overlay-ports=<repo>/ports
# builds the checkout that holds this file. To build another local tree, export
# HIXIE76_SOURCE_PATH=<tree> and add it to VCPKG_KEEP_ENV_VARS. Outside a checkout the port
# downloads the release tag.
set(VCPKG_BUILD_TYPE release) # header-only: one configuration is enough

if(DEFINED ENV{HIXIE76_SOURCE_PATH})
    file(TO_CMAKE_PATH "$ENV{HIXIE76_SOURCE_PATH}" SOURCE_PATH)
elseif(EXISTS "${CMAKE_CURRENT_LIST_DIR}/../../include/hixie76/version.hpp")
    get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
else()
    vcpkg_from_github(
        OUT_SOURCE_PATH SOURCE_PATH
        REPO hixie76/hixie76
        REF "v${VERSION}"
        SHA512 0 # set to the release archive's SHA-512 when publishing to a registry
        HEAD_REF main
    )
endif()

vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        -DHIXIE76_BUILD_TESTS=OFF
        -DHIXIE76_BUILD_EXAMPLES=OFF
        -DHIXIE76_BUILD_BENCH=OFF
        -DHIXIE76_BUILD_FUZZ=OFF
        -DHIXIE76_INSTALL=ON
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH share/cmake/hixie76)
vcpkg_fixup_pkgconfig()

# The package ships its licence in share/hixie76/copyright, not under share/doc.
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/share/doc")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
