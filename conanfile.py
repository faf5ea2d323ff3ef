# SPDX-License-Identifier: MIT
# Conan 2 recipe for hixie76 (header-only).
#
#   conan create .            # builds and runs test_package/
#
# The package holds the headers and the licence; consumers get `hixie76::hixie76` through
# CMakeDeps and `hixie76` through PkgConfigDeps.
import os

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.files import copy
from conan.tools.layout import basic_layout

required_conan_version = ">=2.0"


class Hixie76Conan(ConanFile):
    name = "hixie76"
    version = "1.1.0"  # equal to include/hixie76/version.hpp; tests/check_versions.cmake checks it
    description = (
        "Header-only C++17 library for the legacy WebSocket protocol "
        "(draft-hixie-76 / hybi-00, draft-75)"
    )
    license = "MIT"
    topics = ("websocket", "hixie-76", "hybi-00", "protocol", "header-only")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    exports_sources = "include/*", "LICENSE"
    no_copy_source = True

    def layout(self):
        basic_layout(self)

    def package_id(self):
        self.info.clear()

    def validate(self):
        if self.settings.get_safe("compiler.cppstd"):
            check_min_cppstd(self, 17)

    def package(self):
        copy(self, "LICENSE", src=self.source_folder,
             dst=os.path.join(self.package_folder, "licenses"))
        copy(self, "*.hpp", src=os.path.join(self.source_folder, "include"),
             dst=os.path.join(self.package_folder, "include"))

    def package_info(self):
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        self.cpp_info.set_property("cmake_file_name", "hixie76")
        self.cpp_info.set_property("cmake_target_name", "hixie76::hixie76")
        self.cpp_info.set_property("pkg_config_name", "hixie76")
