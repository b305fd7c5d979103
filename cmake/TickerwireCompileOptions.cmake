# One INTERFACE target that every Tickerwire library and executable links: the strict Qt
# defines and the warning flags of STYLE.md, plus the sanitizer flags of the asan preset.
add_library(tw_compile_options INTERFACE)
add_library(Tickerwire::compile_options ALIAS tw_compile_options)

target_compile_definitions(tw_compile_options INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_KEYWORDS
    QT_USE_QSTRINGBUILDER
    QT_NO_FOREACH
    QT_NO_CONTEXTLESS_CONNECT
    QT_DISABLE_DEPRECATED_BEFORE=0x060400
    QT_DISABLE_DEPRECATED_UP_TO=0x060400
    TW_VERSION_STRING="${PROJECT_VERSION}")

target_compile_options(tw_compile_options INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor>)

if(TW_WARNINGS_AS_ERRORS)
    target_compile_options(tw_compile_options INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
endif()

if(TW_SANITIZE)
    set(_tw_san -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    target_compile_options(tw_compile_options INTERFACE ${_tw_san})
    target_link_options(tw_compile_options INTERFACE ${_tw_san})
endif()

# ThreadSanitizer (preset tsan): for the GUI's server thread and the client library, which
# share the metrics registry across threads. Cannot be combined with ASan.
if(TW_SANITIZE_THREAD)
    if(TW_SANITIZE)
        message(FATAL_ERROR "TW_SANITIZE_THREAD and TW_SANITIZE exclude each other")
    endif()
    set(_tw_tsan -fsanitize=thread -fno-omit-frame-pointer)
    target_compile_options(tw_compile_options INTERFACE ${_tw_tsan})
    target_link_options(tw_compile_options INTERFACE ${_tw_tsan})
endif()
