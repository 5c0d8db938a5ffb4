# Per-target settings (spdlog's utils.cmake style): no global flags.

option(LOADPILOT_WERROR "Treat compiler warnings as errors" OFF)
option(LOADPILOT_SANITIZE "Build with ASan+UBSan" OFF)

function(loadpilot_enable_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion -Wnon-virtual-dtor>
    $<$<COMPILE_LANG_AND_ID:C,GNU,Clang>:-Wall -Wextra -Wpedantic>)
  if(LOADPILOT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Sanitizers go on every target (libraries included) when enabled, through this
# function rather than CMAKE_CXX_FLAGS.
function(loadpilot_enable_sanitizers target)
  if(LOADPILOT_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# Common settings for host code, tests and tools.
function(loadpilot_target target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  loadpilot_enable_warnings(${target})
  loadpilot_enable_sanitizers(${target})
endfunction()

# A plugin: a shared library built only against the SDK, hidden visibility,
# no undefined symbols (it must not reach into the host).
function(loadpilot_add_plugin target)
  cmake_parse_arguments(ARG "NO_INSTALL" "OUTPUT_NAME" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE loadpilot::sdk ${ARG_LIBRARIES})
  loadpilot_target(${target})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${LOADPILOT_PLUGIN_OUTPUT_DIR}")
  if(ARG_OUTPUT_NAME)
    set_target_properties(${target} PROPERTIES OUTPUT_NAME ${ARG_OUTPUT_NAME})
  endif()
  if(NOT LOADPILOT_SANITIZE)
    target_link_options(${target} PRIVATE -Wl,-z,defs)
  endif()
  if(NOT ARG_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION ${LOADPILOT_INSTALL_PLUGINDIR})
  endif()
endfunction()
