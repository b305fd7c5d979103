# CPACK_PROJECT_CONFIG_FILE: read by cpack once per generator, before it packages.
#
# The DEB generator puts CPACK_PACKAGE_DESCRIPTION_SUMMARY in front of every component's own
# description, which would give both packages the same synopsis line. Each component's
# CPACK_DEBIAN_<COMPONENT>_DESCRIPTION starts with its own synopsis instead; CPack skips the
# merge when the summary is its default.
if(CPACK_GENERATOR STREQUAL "DEB")
    set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CPACK_DEFAULT_PACKAGE_DESCRIPTION_SUMMARY}")
endif()
