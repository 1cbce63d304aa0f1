# cmake --install: public headers, the library, a CMake package (find_package(slm))
# and a pkg-config file.
include(CMakePackageConfigHelpers)

install(TARGETS slm EXPORT slmTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/slm DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT slmTargets NAMESPACE slm:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/slm)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/slm-config.cmake.in
  ${PROJECT_BINARY_DIR}/slm-config.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/slm)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/slm-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/slm-config.cmake ${PROJECT_BINARY_DIR}/slm-config-version.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/slm)

# The .pc file finds the prefix relative to itself (lib/ or lib/<multiarch>/ deep).
file(RELATIVE_PATH SLM_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${PROJECT_SOURCE_DIR}/cmake/slm.pc.in ${PROJECT_BINARY_DIR}/slm.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/slm.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
