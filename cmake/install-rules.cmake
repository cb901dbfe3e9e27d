# Install and export rules: headers, the lkwebhook::lkwebhook target,
# lkwebhookConfig.cmake + version file, lkwebhook.pc, and (when the examples
# were built) the lkwebhook command-line tool.
#
# Header-only and architecture-independent, so everything CMake and
# pkg-config read goes under share/ (like Catch2, fmt in header-only mode);
# a vcpkg port then has no lib/ directory at all.

include(CMakePackageConfigHelpers)

set(LKWEBHOOK_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/lkwebhook"
  CACHE STRING "Directory (relative to the prefix) for lkwebhookConfig.cmake and friends")
set(LKWEBHOOK_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_DATADIR}/pkgconfig"
  CACHE STRING "Directory (relative to the prefix) for lkwebhook.pc")
mark_as_advanced(LKWEBHOOK_INSTALL_CMAKEDIR LKWEBHOOK_INSTALL_PKGCONFIGDIR)

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  COMPONENT lkwebhook_Development
  FILES_MATCHING PATTERN "*.hpp" PATTERN "*.ipp")  # impl/*.ipp: the definitions (config.hpp)

install(TARGETS lkwebhook
  EXPORT lkwebhookTargets
  INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(EXPORT lkwebhookTargets
  NAMESPACE lkwebhook::
  DESTINATION "${LKWEBHOOK_INSTALL_CMAKEDIR}"
  COMPONENT lkwebhook_Development)

# The optional Redis store target (cmake/redis-target.cmake) goes into its own
# export set, loaded by lkwebhookConfig.cmake only when hiredis is found on the
# consumer's machine (cmake/find-hiredis.cmake, installed next to the
# config, defines the same imported hiredis target there), so a missing
# hiredis never breaks find_package(lkwebhook).
if(TARGET lkwebhook_redis AND EXISTS "${PROJECT_SOURCE_DIR}/cmake/find-hiredis.cmake")
  set_target_properties(lkwebhook_redis PROPERTIES EXPORT_NAME redis)
  install(TARGETS lkwebhook_redis EXPORT lkwebhookRedisTargets)
  install(EXPORT lkwebhookRedisTargets
    NAMESPACE lkwebhook::
    DESTINATION "${LKWEBHOOK_INSTALL_CMAKEDIR}"
    COMPONENT lkwebhook_Development)
  install(FILES "${PROJECT_SOURCE_DIR}/cmake/find-hiredis.cmake"
    DESTINATION "${LKWEBHOOK_INSTALL_CMAKEDIR}"
    COMPONENT lkwebhook_Development)
endif()

# The optional JetStream queue target (cmake/nats-target.cmake), the same way:
# its own export set, loaded only when cmake/find-libnats.cmake (installed
# next to the config) finds libnats on the consumer's machine.
if(TARGET lkwebhook_nats AND EXISTS "${PROJECT_SOURCE_DIR}/cmake/find-libnats.cmake")
  set_target_properties(lkwebhook_nats PROPERTIES EXPORT_NAME nats)
  install(TARGETS lkwebhook_nats EXPORT lkwebhookNatsTargets)
  install(EXPORT lkwebhookNatsTargets
    NAMESPACE lkwebhook::
    DESTINATION "${LKWEBHOOK_INSTALL_CMAKEDIR}"
    COMPONENT lkwebhook_Development)
  install(FILES "${PROJECT_SOURCE_DIR}/cmake/find-libnats.cmake"
    DESTINATION "${LKWEBHOOK_INSTALL_CMAKEDIR}"
    COMPONENT lkwebhook_Development)
endif()

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/lkwebhookConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/lkwebhookConfig.cmake"
  INSTALL_DESTINATION "${LKWEBHOOK_INSTALL_CMAKEDIR}")
# 0.x: a minor bump may break the API, so only the same minor is compatible
# (SameMajorVersion after 1.0). Header-only: any architecture matches.
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/lkwebhookConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion
  ARCH_INDEPENDENT)
install(FILES
  "${PROJECT_BINARY_DIR}/lkwebhookConfig.cmake"
  "${PROJECT_BINARY_DIR}/lkwebhookConfigVersion.cmake"
  DESTINATION "${LKWEBHOOK_INSTALL_CMAKEDIR}"
  COMPONENT lkwebhook_Development)

# pkg-config: relocatable (prefix computed from the .pc file's own location)
# when the directories are relative, as they are by default.
if(IS_ABSOLUTE "${LKWEBHOOK_INSTALL_PKGCONFIGDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(LKWEBHOOK_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _lkwebhook_pc_up "/prefix/${LKWEBHOOK_INSTALL_PKGCONFIGDIR}" "/prefix")
  string(REGEX REPLACE "/$" "" _lkwebhook_pc_up "${_lkwebhook_pc_up}")
  set(LKWEBHOOK_PC_PREFIX "\${pcfiledir}/${_lkwebhook_pc_up}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(LKWEBHOOK_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(LKWEBHOOK_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/lkwebhook.pc.in" "${PROJECT_BINARY_DIR}/lkwebhook.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/lkwebhook.pc"
  DESTINATION "${LKWEBHOOK_INSTALL_PKGCONFIGDIR}"
  COMPONENT lkwebhook_Development)

# The command-line tool (examples/cli, target lkwebhook_cli, OUTPUT_NAME
# lkwebhook) ships with the package when the examples are built. Package
# managers that build without examples (the vcpkg port) install no binary.
if(TARGET lkwebhook_cli)
  install(TARGETS lkwebhook_cli
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
    COMPONENT lkwebhook_Runtime)
endif()
