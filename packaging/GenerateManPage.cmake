# Writes a man page (groff, section 1) from a program's --help, so the page lists every option
# the program really has, then appends hand-written sections and gzips it.
# Runs at build time (cmake -P), after the program is built:
#
#   cmake -DPROGRAM=<path> -DNAME=<name> -DSUMMARY=<one line> -DVERSION=<x.y.z> -DDATE=<yyyy-mm-dd>
#         -DEXTRA=<groff file appended, optional> -DOUTPUT=<name.1.gz> -P GenerateManPage.cmake
#
# It reads the layout of QCommandLineParser's help: "Usage: ..." line, description paragraphs,
# "Options:" and "Arguments:" blocks whose descriptions start at one column and wrap there.
cmake_minimum_required(VERSION 3.22)

foreach(var PROGRAM NAME SUMMARY VERSION DATE OUTPUT)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "GenerateManPage.cmake: ${var} is not set")
    endif()
endforeach()

execute_process(
    COMMAND "${PROGRAM}" --help
    OUTPUT_VARIABLE help
    ERROR_VARIABLE help_err
    RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR help STREQUAL "")
    message(FATAL_ERROR "GenerateManPage.cmake: '${PROGRAM} --help' failed (${rc}): ${help_err}")
endif()

# CMake lists split on ';' and group on '[' ']': hide them (and backslashes) behind
# placeholders while the text is a list of lines, and put them back escaped for groff.
string(REPLACE "\\" "@TW_BS@" help "${help}")
string(REPLACE ";" "@TW_SEMI@" help "${help}")
string(REPLACE "[" "@TW_LB@" help "${help}")
string(REPLACE "]" "@TW_RB@" help "${help}")
string(REPLACE "\n" ";" lines "${help}")

# Escapes one line of help text for groff: backslashes, hyphens as minus signs (so options
# copy and paste), and a leading control character.
function(tw_groff_escape out text)
    string(REPLACE "@TW_BS@" "\\e" text "${text}")
    string(REPLACE "-" "\\-" text "${text}")
    string(REPLACE "@TW_SEMI@" ";" text "${text}")
    string(REPLACE "@TW_LB@" "[" text "${text}")
    string(REPLACE "@TW_RB@" "]" text "${text}")
    if(text MATCHES "^[.']")
        set(text "\\&${text}")
    endif()
    set(${out} "${text}" PARENT_SCOPE)
endfunction()

# "-h, --help" / "--config <FILE>" -> bold names, italic value names.
function(tw_groff_option out names)
    tw_groff_escape(names "${names}")
    string(REGEX REPLACE "<([^>]+)>" "\\\\fI\\1\\\\fB" names "${names}")
    set(${out} "\\fB${names}\\fR" PARENT_SCOPE)
endfunction()

string(TOUPPER "${NAME}" title)
string(REPLACE "-" "\\-" name_escaped "${NAME}")
string(REPLACE "-" "\\-" title "${title}")
tw_groff_escape(summary "${SUMMARY}")
set(page ".\\\" Generated from '${NAME} --help' by packaging/GenerateManPage.cmake; do not edit.\n")
string(APPEND page ".TH ${title} 1 \"${DATE}\" \"Tickerwire ${VERSION}\" \"User Commands\"\n")
string(APPEND page ".SH NAME\n${name_escaped} \\- ${summary}\n")

set(section "usage") # usage -> description -> options | arguments
set(paragraph "")
set(entry_names "")
set(entry_text "")
set(description "")
set(options "")
set(arguments "")

# Appends the collected description paragraph: filled text, unless it is a layout of its own
# (an indented list, or a heading line ending in ':'), which keeps its line breaks.
macro(tw_flush_paragraph)
    if(paragraph)
        set(_keep_layout FALSE)
        list(LENGTH paragraph _n)
        list(GET paragraph 0 _first)
        foreach(_line IN LISTS paragraph)
            if(_line MATCHES "^ ")
                set(_keep_layout TRUE)
            endif()
        endforeach()
        if(_n GREATER 1 AND _first MATCHES ":$")
            set(_keep_layout TRUE)
        endif()
        string(APPEND description ".PP\n")
        if(_keep_layout)
            string(APPEND description ".nf\n")
        endif()
        foreach(_line IN LISTS paragraph)
            tw_groff_escape(_line "${_line}")
            string(APPEND description "${_line}\n")
        endforeach()
        if(_keep_layout)
            string(APPEND description ".fi\n")
        endif()
        set(paragraph "")
    endif()
endmacro()

macro(tw_flush_entry)
    if(NOT entry_names STREQUAL "")
        tw_groff_option(_names "${entry_names}")
        string(STRIP "${entry_text}" _text)
        tw_groff_escape(_text "${_text}")
        string(APPEND ${section} ".TP\n${_names}\n${_text}\n")
        set(entry_names "")
        set(entry_text "")
    endif()
endmacro()

foreach(line IN LISTS lines)
    if(section STREQUAL "usage")
        if(line MATCHES "^Usage: [^ ]+ *(.*)$")
            # (a line that starts with a space would break the synopsis in two)
            tw_groff_escape(synopsis_args "${CMAKE_MATCH_1}")
            string(APPEND page ".SH SYNOPSIS\n.B ${name_escaped}\n${synopsis_args}\n")
            set(section "description")
        endif()
    elseif(line STREQUAL "Options:" OR line STREQUAL "Arguments:")
        tw_flush_paragraph()
        tw_flush_entry()
        if(line STREQUAL "Options:")
            set(section "options")
        else()
            set(section "arguments")
        endif()
    elseif(section STREQUAL "description")
        if(line STREQUAL "")
            tw_flush_paragraph()
        else()
            list(APPEND paragraph "${line}")
        endif()
    elseif(line MATCHES "^  ([^ ].*[^ ]|[^ ])  +([^ ].*)$")
        # "  names   description": a new entry (names never contain two spaces in a row).
        tw_flush_entry()
        set(entry_names "${CMAKE_MATCH_1}")
        set(entry_text "${CMAKE_MATCH_2}")
    elseif(line MATCHES "^  ([^ ].*)$")
        # Names too long for the column: the description follows on the next lines.
        tw_flush_entry()
        set(entry_names "${CMAKE_MATCH_1}")
    elseif(line MATCHES "^ +([^ ].*)$")
        string(APPEND entry_text " ${CMAKE_MATCH_1}")
    endif()
endforeach()
tw_flush_paragraph()
tw_flush_entry()

if(section STREQUAL "usage")
    message(FATAL_ERROR "GenerateManPage.cmake: no 'Usage:' line in the help of ${PROGRAM}")
endif()
if(options STREQUAL "")
    message(FATAL_ERROR "GenerateManPage.cmake: no options found in the help of ${PROGRAM}")
endif()
string(APPEND page ".SH DESCRIPTION\n${description}")
string(APPEND page ".SH OPTIONS\n${options}")
if(NOT arguments STREQUAL "")
    string(APPEND page ".SH ARGUMENTS\n${arguments}")
endif()
if(DEFINED EXTRA AND NOT EXTRA STREQUAL "")
    file(READ "${EXTRA}" extra)
    string(APPEND page "${extra}")
endif()

string(REGEX REPLACE "\\.gz$" "" plain "${OUTPUT}")
file(WRITE "${plain}" "${page}")
# Debian policy wants man pages gzip'd at the highest level, without a timestamp in the gzip
# header (reproducible builds); man reads both.
execute_process(COMMAND gzip -9nc "${plain}" OUTPUT_FILE "${OUTPUT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "GenerateManPage.cmake: gzip of ${plain} failed (${rc})")
endif()
