# tw_add_test(<name> SOURCES <files...> LIBS <targets...> LABELS <labels...> [TIMEOUT <s>])
# One Qt Test executable per class or feature, registered with ctest under its labels.
function(tw_add_test name)
    cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS;ENVIRONMENT" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE Qt6::Test ${ARG_LIBS} tw_compile_options)
    target_compile_definitions(${name} PRIVATE
        TW_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data"
        TW_BINARY_DIR="${PROJECT_BINARY_DIR}")
    add_test(NAME ${name} COMMAND ${name})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 120)
    endif()
    set(env QT_QPA_PLATFORM=offscreen QT_LOGGING_RULES=tickerwire.*.debug=false ${ARG_ENVIRONMENT})
    set_tests_properties(${name} PROPERTIES
        LABELS "${ARG_LABELS}"
        TIMEOUT ${ARG_TIMEOUT}
        ENVIRONMENT "${env}")
endfunction()
