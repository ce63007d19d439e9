# pmx_add_plugin(NAME SOURCES src... [OUTPUT_DIRECTORY dir] [INSTALL_DESTINATION dir])
#
# Builds a plexmix plugin: a MODULE library named exactly NAME.so (no "lib" prefix), compiled
# with hidden visibility so that only `pmx_entry` (marked PMX_EXPORT) is exported, linked with
# --no-undefined so a missing symbol fails the build rather than the load, and with every
# static library's symbols kept private (--exclude-libs,ALL).
include_guard(GLOBAL)

function(pmx_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "OUTPUT_DIRECTORY;INSTALL_DESTINATION" "SOURCES")
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "pmx_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE plexmix::plugin-sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_options(${name} PRIVATE LINKER:--no-undefined LINKER:--exclude-libs,ALL)
  if(arg_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${arg_OUTPUT_DIRECTORY})
  endif()
  if(arg_INSTALL_DESTINATION)
    install(TARGETS ${name} LIBRARY DESTINATION ${arg_INSTALL_DESTINATION})
  endif()
endfunction()
