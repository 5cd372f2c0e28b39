# One INTERFACE target carries the language level, warnings, Qt usage macros and sanitizers.
# Every fairuse target links it; nothing is set directory-wide.
add_library(fairuse_options INTERFACE)
add_library(fairuse::options ALIAS fairuse_options)

target_compile_features(fairuse_options INTERFACE cxx_std_20)
target_compile_options(fairuse_options INTERFACE
    -Wall -Wextra -Wpedantic -Wold-style-cast -Wnon-virtual-dtor
    $<$<BOOL:${FAIRUSE_WERROR}>:-Werror>
    # GCC 12 at -O2/-O3 reports -Wmaybe-uninitialized false positives inside std::variant (our Result<T>); it
    # stays a warning, but must not fail optimised builds.
    $<$<AND:$<BOOL:${FAIRUSE_WERROR}>,$<CXX_COMPILER_ID:GNU>>:-Wno-error=maybe-uninitialized>)
target_compile_definitions(fairuse_options INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CONTEXTLESS_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_NO_KEYWORDS
    FAIRUSE_VERSION="${PROJECT_VERSION}")

if(FAIRUSE_SANITIZE)
    target_compile_options(fairuse_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                     -fno-sanitize-recover=undefined)
    target_link_options(fairuse_options INTERFACE -fsanitize=address,undefined)
endif()

# The fuzz build instruments every fairuse library for coverage (fuzzer-no-link) and sanitizers; only the fuzz
# targets themselves link libFuzzer's main (tests/fuzz/CMakeLists.txt).
if(FAIRUSE_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "FAIRUSE_FUZZ needs clang (use the fuzz preset)")
    endif()
    target_compile_options(fairuse_options INTERFACE -O1 -fsanitize=fuzzer-no-link,address,undefined
                                                     -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(fairuse_options INTERFACE -fsanitize=address,undefined)
endif()
