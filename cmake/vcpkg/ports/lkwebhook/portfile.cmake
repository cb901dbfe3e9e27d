# vcpkg overlay port for lkwebhook (header-only).
#
#   vcpkg install lkwebhook --overlay-ports=<checkout>/cmake/vcpkg/ports
#
# In-repo overlay: the source is this checkout (the port sits in
# <checkout>/cmake/vcpkg/ports/lkwebhook). For a submission to the vcpkg
# registry, replace the SOURCE_PATH lines with a pinned download:
#
#   vcpkg_from_github(
#       OUT_SOURCE_PATH SOURCE_PATH
#       REPO lkwebhook/lkwebhook
#       REF "v${VERSION}"
#       SHA512 <sha512 of the release tarball>
#       HEAD_REF main
#   )

# Header-only: one (release) configuration, nothing architecture-specific.
set(VCPKG_BUILD_TYPE release)

get_filename_component(SOURCE_PATH "${CURRENT_PORT_DIR}/../../../.." ABSOLUTE)
if(NOT EXISTS "${SOURCE_PATH}/include/lkwebhook.hpp")
    message(FATAL_ERROR "lkwebhook sources not found at ${SOURCE_PATH}")
endif()

vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
    FEATURES
        redis LKWEBHOOK_WITH_REDIS
        nats LKWEBHOOK_WITH_NATS
)

vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        ${FEATURE_OPTIONS}
        -DLKWEBHOOK_BUILD_TESTS=OFF
        -DLKWEBHOOK_BUILD_EXAMPLES=OFF
        -DLKWEBHOOK_INSTALL=ON
    MAYBE_UNUSED_VARIABLES
        LKWEBHOOK_WITH_REDIS
        LKWEBHOOK_WITH_NATS
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(PACKAGE_NAME lkwebhook CONFIG_PATH share/lkwebhook)
vcpkg_fixup_pkgconfig()

vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
