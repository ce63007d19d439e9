# sdk.out-of-tree: proves the flow a third-party author follows, against the INSTALLED SDK.
#   (a) cmake --install <build> --component sdk --prefix <tmp>/prefix installs only the SDK
#   (b) the installed examples (share/doc/.../examples) configure as their own project with
#       -DCMAKE_PREFIX_PATH=<tmp>/prefix, find that SDK (not the build tree's) and build
#   (c) each built .so exports exactly one dynamic symbol: pmx_entry
#   (d) `plexmix plugins check <so>` accepts each one, and
#       `plexmix --plugin-path <dir> plugins list --json` lists both ids
# Run with cmake -P and the -D variables set by tests/sdk/CMakeLists.txt. PLEXMIX may be empty
# (no host target in this build): then (d) is skipped and says so. Temp files are removed
# unless PMX_KEEP_TMP is set in the environment.
cmake_minimum_required(VERSION 3.25)

foreach(var BUILD_DIR WORK_DIR GENERATOR CXX_COMPILER NM LIBDIR INCLUDEDIR DOCDIR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "out_of_tree.cmake: -D${var}=... is required")
  endif()
endforeach()

string(RANDOM LENGTH 8 ALPHABET "abcdefghijklmnopqrstuvwxyz0123456789" _suffix)
set(tmp "${WORK_DIR}/out-of-tree-${_suffix}")
set(prefix "${tmp}/prefix")
set(build "${tmp}/build")
set(plugin_dir "${tmp}/plugins")
set(plugin_ids echo toy-embedder)

macro(cleanup)
  if(DEFINED ENV{PMX_KEEP_TMP})
    message(STATUS "kept ${tmp}")
  else()
    file(REMOVE_RECURSE "${tmp}")
  endif()
endmacro()

macro(fail)
  cleanup()
  message(FATAL_ERROR ${ARGN})
endmacro()

# run(<step> <command...>): runs a command; fails the test with its output when it fails.
# Leaves its stdout in `run_output`.
function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("${step}: `${ARGN}` exited with ${rc}\n--- stdout\n${out}\n--- stderr\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${tmp}")
file(MAKE_DIRECTORY "${tmp}")

# --- (a) install only the SDK ---
run("(a) install" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --component sdk --prefix "${prefix}")
set(sdk_cmake_dir "${LIBDIR}/cmake/plexmix-plugin-sdk")
set(doc_dir "${DOCDIR}/plugin-sdk")
set(required
  "${INCLUDEDIR}/pmx/plugin.h"
  "${INCLUDEDIR}/pmx/plugin.hpp"
  "${sdk_cmake_dir}/plexmix-plugin-sdkConfig.cmake"
  "${sdk_cmake_dir}/plexmix-plugin-sdkConfigVersion.cmake"
  "${sdk_cmake_dir}/plexmix-plugin-sdk-targets.cmake"
  "${sdk_cmake_dir}/PmxAddPlugin.cmake"
  "${doc_dir}/README.md"
  "${doc_dir}/CHANGELOG.md"
  "${doc_dir}/conventions/interface-ids.md"
  "${doc_dir}/conventions/threading.md"
  "${doc_dir}/conventions/memory.md"
  "${doc_dir}/conventions/errors.md"
  "${doc_dir}/conventions/settings.md"
  "${doc_dir}/examples/CMakeLists.txt"
  "${doc_dir}/examples/echo.cpp"
  "${doc_dir}/examples/toy_embedder.cpp")
foreach(file IN LISTS required)
  if(NOT EXISTS "${prefix}/${file}")
    fail("(a) install: ${file} is missing from the SDK component")
  endif()
endforeach()
file(GLOB_RECURSE installed RELATIVE "${prefix}" "${prefix}/*")
foreach(file IN LISTS installed)
  if(NOT file MATCHES "^(${INCLUDEDIR}/pmx/|${sdk_cmake_dir}/|${doc_dir}/)")
    fail("(a) install: the SDK component installed ${file}, which is not part of the SDK")
  endif()
endforeach()
list(LENGTH installed installed_count)
message(STATUS "(a) installed the SDK only: ${installed_count} files")

# --- (b) configure and build the installed examples as a project of their own ---
run("(b) configure" "${CMAKE_COMMAND}"
    -S "${prefix}/${doc_dir}/examples" -B "${build}"
    -G "${GENERATOR}" "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" -DCMAKE_BUILD_TYPE=Release
    "-DCMAKE_PREFIX_PATH=${prefix}"
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
file(STRINGS "${build}/CMakeCache.txt" found_dir REGEX "^plexmix-plugin-sdk_DIR:")
if(NOT found_dir MATCHES "=${prefix}/")
  fail("(b) configure: found the SDK at '${found_dir}', not in ${prefix}")
endif()
run("(b) build" "${CMAKE_COMMAND}" --build "${build}" --parallel 2)
message(STATUS "(b) built the examples against ${prefix}")

# --- (c) exactly one exported symbol each ---
set(plugins "")
foreach(id IN LISTS plugin_ids)
  set(so "${build}/${id}.so")
  if(NOT EXISTS "${so}")
    fail("(b) build: ${so} was not built")
  endif()
  run("(c) nm ${id}.so" "${NM}" -D --defined-only "${so}")
  string(REGEX REPLACE "\n$" "" lines "${run_output}")
  string(REPLACE "\n" ";" lines "${lines}")
  set(symbols "")
  foreach(line IN LISTS lines)
    string(REGEX MATCH "[^ ]+$" symbol "${line}")
    list(APPEND symbols "${symbol}")
  endforeach()
  if(NOT symbols STREQUAL "pmx_entry")
    fail("(c) ${id}.so exports [${symbols}]; expected exactly [pmx_entry]")
  endif()
  list(APPEND plugins "${so}")
endforeach()
message(STATUS "(c) each plugin exports only pmx_entry")

# --- (d) the host accepts them ---
if("${PLEXMIX}" STREQUAL "")
  message(STATUS "(d) SKIPPED: no plexmix host in this build")
  cleanup()
  return()
endif()
# No user configuration may leak into the test.
set(ENV{XDG_CONFIG_HOME} "${tmp}/config")
set(ENV{XDG_DATA_HOME} "${tmp}/data")
unset(ENV{PLEXMIX_CONFIG})
unset(ENV{PLEXMIX_DATA_DIR})
file(MAKE_DIRECTORY "${plugin_dir}")
foreach(so IN LISTS plugins)
  get_filename_component(name "${so}" NAME)
  run("(d) plugins check ${name}" "${PLEXMIX}" plugins check "${so}")
  file(COPY "${so}" DESTINATION "${plugin_dir}")
endforeach()
run("(d) plugins list" "${PLEXMIX}" --plugin-path "${plugin_dir}" plugins list --json)
foreach(id IN LISTS plugin_ids)
  if(NOT run_output MATCHES "\"${id}\"")
    fail("(d) plugins list --json does not list \"${id}\":\n${run_output}")
  endif()
endforeach()
message(STATUS "(d) plexmix checks and lists both plugins")
cleanup()
