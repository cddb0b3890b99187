# Fails when an object built for AVX2 + FMA defines a weak symbol (an inline function or a template the linker
# merges across files) outside the names that only those objects use. Such a symbol could be picked for the
# code built for any x86-64, and crash it on a processor without AVX2.
# -DNM=<nm> -DOBJECTS=<a;b;...>
# Mangled names: Eigen renamed for these files (9EigenAvx2), the kernels' own namespaces, and the reference
# to the C++ runtime's exception personality, which is the same everywhere.
set(_allowed "^(_Z(TI|TS|TV|GV|T[hv][0-9_n]*)?Z?N?(9EigenAvx2|20fastattention_detail4avx2|23attention_eigenkernels4avx2)|DW\\.ref\\.__gxx_personality_v0$)")
set(_bad "")
set(_count 0)
foreach(_object IN LISTS OBJECTS)
    execute_process(COMMAND ${NM} --defined-only ${_object} OUTPUT_VARIABLE _out RESULT_VARIABLE _rc)
    if(NOT _rc EQUAL 0)
        message(FATAL_ERROR "could not read the symbols of ${_object}")
    endif()
    string(REPLACE "\n" ";" _lines "${_out}")
    foreach(_line IN LISTS _lines)
        # "<address> <type> <name>": W and V are weak, u is a unique global (also merged).
        if(_line MATCHES "^[0-9a-fA-F]+ ([WVu]) (.*)$")
            math(EXPR _count "${_count} + 1")
            set(_name "${CMAKE_MATCH_2}")
            if(NOT _name MATCHES "${_allowed}")
                list(APPEND _bad "${_name}")
            endif()
        endif()
    endforeach()
endforeach()
if(_bad)
    list(REMOVE_DUPLICATES _bad)
    string(REPLACE ";" "\n  " _list "${_bad}")
    message(FATAL_ERROR "AVX2 objects define weak symbols the rest of the program may share:\n  ${_list}")
endif()
message(STATUS "checked the AVX2 objects: ${_count} weak symbols, all their own")
