# llhttp, found in DESIGN.md's order:
#   1. a CMake package (llhttp::llhttp_shared / llhttp::llhttp_static, e.g. Debian 13's libllhttp-dev)
#   2. pkg-config (libllhttp)
#   3. the C sources that Debian's node-llhttp package ships under /usr/share/llhttp, with
#      the header under /usr/share/include/llhttp, compiled here into a static library.
# Nothing is downloaded and nothing is vendored. The result is the target tw::llhttp.

if(TARGET tw_llhttp)
    return()
endif()

set(TW_LLHTTP_SOURCE_DIR "/usr/share/llhttp" CACHE PATH "Directory with llhttp's api.c, http.c, llhttp.c")
set(TW_LLHTTP_INCLUDE_DIR "/usr/share/include/llhttp" CACHE PATH "Directory with llhttp.h")

find_package(llhttp QUIET CONFIG)
if(TARGET llhttp::llhttp_shared OR TARGET llhttp::llhttp_static)
    add_library(tw_llhttp INTERFACE)
    if(TARGET llhttp::llhttp_static)
        target_link_libraries(tw_llhttp INTERFACE llhttp::llhttp_static)
    else()
        target_link_libraries(tw_llhttp INTERFACE llhttp::llhttp_shared)
    endif()
    message(STATUS "llhttp: CMake package ${llhttp_VERSION}")
else()
    find_package(PkgConfig QUIET)
    if(PkgConfig_FOUND)
        pkg_check_modules(LLHTTP QUIET IMPORTED_TARGET libllhttp)
    endif()
    if(LLHTTP_FOUND)
        add_library(tw_llhttp INTERFACE)
        target_link_libraries(tw_llhttp INTERFACE PkgConfig::LLHTTP)
        message(STATUS "llhttp: pkg-config ${LLHTTP_VERSION}")
    elseif(EXISTS "${TW_LLHTTP_SOURCE_DIR}/llhttp.c" AND EXISTS "${TW_LLHTTP_INCLUDE_DIR}/llhttp.h")
        add_library(tw_llhttp STATIC
            "${TW_LLHTTP_SOURCE_DIR}/api.c"
            "${TW_LLHTTP_SOURCE_DIR}/http.c"
            "${TW_LLHTTP_SOURCE_DIR}/llhttp.c")
        target_include_directories(tw_llhttp SYSTEM PUBLIC "${TW_LLHTTP_INCLUDE_DIR}")
        set_target_properties(tw_llhttp PROPERTIES POSITION_INDEPENDENT_CODE ON C_STANDARD 99)
        # Third-party C: keep its own warnings out of our -Werror build.
        target_compile_options(tw_llhttp PRIVATE -w)
        if(TW_SANITIZE)
            target_compile_options(tw_llhttp PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
        endif()
        message(STATUS "llhttp: compiled from ${TW_LLHTTP_SOURCE_DIR} (Debian node-llhttp)")
    else()
        message(FATAL_ERROR
            "llhttp not found. Install it: on Debian/Ubuntu `apt-get install node-llhttp` "
            "(sources in /usr/share/llhttp) or a libllhttp-dev package; or set "
            "TW_LLHTTP_SOURCE_DIR / TW_LLHTTP_INCLUDE_DIR.")
    endif()
endif()
add_library(tw::llhttp ALIAS tw_llhttp)
