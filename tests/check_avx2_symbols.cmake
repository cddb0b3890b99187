# Fails when an object built for AVX2 + FMA defines a weak symbol (an inline function or a template the linker
# merges across files) outside the names that only those objects use. Such a symbol could be picked for the
# code built for any x86-64, and crash it on a processor without AVX2.
# -DNM=<nm> -DOBJDUMP=<objdump> -DOBJECTS=<a;b;...>
# Mangled names: Eigen renamed for these files (9EigenAvx2), the kernels' own namespaces, and the reference
# to the C++ runtime's exception personality, which is the same everywhere. K, V, R and O after the N are a
# member function's qualifiers (const ones are kept out of line by clang at -O1). The type information of a
# plain function type (_ZTIF, _ZTSF, which clang's UBSan emits to check indirect calls) is data, not code.
set(_allowed "^(_Z(TI|TS|TV|GV|T[hv][0-9_n]*)?Z?N?[KVRO]*(9EigenAvx2|20fastattention_detail4avx2|23attention_eigenkernels4avx2)|_ZT[IS]F.*|DW\\.ref\\.__gxx_personality_v0$)")
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
                # Another name is harmless when its code has no AVX in it: the sanitizer build at -O1 keeps
                # small library functions out of line (std::bad_alloc's constructor, for one), compiled
                # with the same scalar instructions as everywhere else. VEX-encoded instructions (their
                # mnemonics start with v) or ymm registers make it a real hazard.
                set(_code "")
                if(OBJDUMP)
                    execute_process(COMMAND ${OBJDUMP} -d --no-show-raw-insn "--disassemble=${_name}" ${_object}
                                    OUTPUT_VARIABLE _code RESULT_VARIABLE _drc)
                endif()
                if(NOT OBJDUMP OR NOT _drc EQUAL 0 OR NOT _code MATCHES "<${_name}>:"
                   OR _code MATCHES "\t(v[a-z0-9]+|%[yz]mm)")
                    list(APPEND _bad "${_name}")
                endif()
            endif()
        endif()
    endforeach()
endforeach()
if(_bad)
    list(REMOVE_DUPLICATES _bad)
    string(REPLACE ";" "\n  " _list "${_bad}")
    message(FATAL_ERROR "AVX2 objects define weak symbols the rest of the program may share:\n  ${_list}")
endif()
message(STATUS "checked the AVX2 objects: ${_count} weak symbols, each their own or free of AVX code")
